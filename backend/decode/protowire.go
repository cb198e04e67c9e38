package decode

import (
	"errors"
	"fmt"
)

// The protobuf wire format, as much of it as KPL records need: reading any
// field so unknown ones can be skipped, writing varints and length-delimited
// fields. Written by hand to keep a protobuf runtime out of the binary.

type wireType uint8

const (
	wireVarint     wireType = 0
	wireFixed64    wireType = 1
	wireBytes      wireType = 2
	wireStartGroup wireType = 3
	wireEndGroup   wireType = 4
	wireFixed32    wireType = 5
)

// maxFieldNumber is the largest field number protobuf allows (2^29 - 1).
const maxFieldNumber = 1<<29 - 1

var (
	errVarintTruncated  = errors.New("varint runs past the end of the data")
	errVarintOverflow   = errors.New("varint overflows 64 bits")
	errFieldTruncated   = errors.New("field runs past the end of the data")
	errFieldNumberRange = errors.New("field number out of range")
)

// field is one decoded protobuf field. For wireBytes, bytes aliases the
// input; for the fixed-width types the value is not needed and is dropped.
type field struct {
	number uint32
	typ    wireType
	varint uint64
	bytes  []byte
}

// readVarint decodes a base-128 varint and returns it with its length.
func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0, errVarintOverflow // the tenth byte holds bit 63 only
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	if len(b) >= 10 {
		return 0, 0, errVarintOverflow
	}
	return 0, 0, errVarintTruncated
}

// nextField decodes the field at the start of b and returns the rest.
func nextField(b []byte) (field, []byte, error) {
	key, n, err := readVarint(b)
	if err != nil {
		return field{}, nil, fmt.Errorf("field key: %w", err)
	}
	b = b[n:]
	number := key >> 3
	if number == 0 || number > maxFieldNumber {
		return field{}, nil, fmt.Errorf("%w: %d", errFieldNumberRange, number)
	}
	f := field{number: uint32(number), typ: wireType(key & 7)}
	switch f.typ {
	case wireVarint:
		f.varint, n, err = readVarint(b)
		if err != nil {
			return field{}, nil, fmt.Errorf("field %d: %w", number, err)
		}
		return f, b[n:], nil
	case wireFixed64:
		return fixedField(f, b, 8)
	case wireFixed32:
		return fixedField(f, b, 4)
	case wireBytes:
		length, n, err := readVarint(b)
		if err != nil {
			return field{}, nil, fmt.Errorf("field %d length: %w", number, err)
		}
		b = b[n:]
		if length > uint64(len(b)) {
			return field{}, nil, fmt.Errorf("field %d: %w: length %d, %d bytes left", number, errFieldTruncated, length, len(b))
		}
		f.bytes = b[:length:length]
		return f, b[length:], nil
	case wireStartGroup, wireEndGroup:
		// Groups are deprecated proto2 syntax that no KPL version writes.
		return field{}, nil, fmt.Errorf("field %d: group wire type %d not supported", number, f.typ)
	}
	return field{}, nil, fmt.Errorf("field %d: invalid wire type %d", number, f.typ)
}

func fixedField(f field, b []byte, size int) (field, []byte, error) {
	if len(b) < size {
		return field{}, nil, fmt.Errorf("field %d: %w", f.number, errFieldTruncated)
	}
	return f, b[size:], nil
}

// expect checks that f has the wire type its field number is declared with.
func (f field) expect(t wireType, name string) error {
	if f.typ != t {
		return fmt.Errorf("field %d (%s) has wire type %d, want %d", f.number, name, f.typ, t)
	}
	return nil
}

// appendVarint appends v as a base-128 varint.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// varintSize is the length of v's varint encoding.
func varintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendKey appends a field key: its number and wire type.
func appendKey(b []byte, number uint32, t wireType) []byte {
	return appendVarint(b, uint64(number)<<3|uint64(t))
}

// appendBytesField appends a length-delimited field.
func appendBytesField(b []byte, number uint32, v []byte) []byte {
	b = appendKey(b, number, wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendStringField is appendBytesField for a string, without a copy.
func appendStringField(b []byte, number uint32, v string) []byte {
	b = appendKey(b, number, wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendVarintField appends a varint field.
func appendVarintField(b []byte, number uint32, v uint64) []byte {
	return appendVarint(appendKey(b, number, wireVarint), v)
}
