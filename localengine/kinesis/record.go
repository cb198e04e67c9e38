package kinesis

import (
	"encoding/binary"
)

// A stored record is: arrival (ms, 8 bytes big-endian) | uvarint key
// length | partition key | data. The explicit hash key only routes and is
// not kept, as on AWS.
const recordHeader = 8

func encodedRecordLen(pk, data []byte) int {
	return recordHeader + uvarintLen(uint64(len(pk))) + len(pk) + len(data)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendRecord(dst, pk, data []byte) []byte {
	dst = append(dst, make([]byte, recordHeader)...)
	dst = binary.AppendUvarint(dst, uint64(len(pk)))
	dst = append(dst, pk...)
	return append(dst, data...)
}

// decodeRecord splits a stored record. ok is false for a corrupt one.
func decodeRecord(v []byte) (arrival int64, pk, data []byte, ok bool) {
	if len(v) < recordHeader+1 {
		return 0, nil, nil, false
	}
	arrival = int64(binary.BigEndian.Uint64(v))
	n, w := binary.Uvarint(v[recordHeader:])
	if w <= 0 || n > uint64(len(v)-recordHeader-w) {
		return 0, nil, nil, false
	}
	rest := v[recordHeader+w:]
	return arrival, rest[:n], rest[n:], true
}

func recordArrival(v []byte) int64 {
	if len(v) < recordHeader {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}
