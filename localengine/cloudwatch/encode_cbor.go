package cloudwatch

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// CBOR major types.
const (
	cborUint   = 0
	cborNegint = 1
	cborText   = 3
	cborArray  = 4
	cborMap    = 5
	cborTag    = 6
	cborSimple = 7
)

func cborHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, m|27), n)
	}
}

func cborString(b []byte, s string) []byte {
	return append(cborHead(b, cborText, uint64(len(s))), s...)
}

func cborFloat(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, cborSimple<<5|27), math.Float64bits(f))
}

// cborTime is RPCv2 CBOR's timestamp: tag 1 around epoch seconds.
func cborTime(b []byte, t time.Time) []byte {
	return cborFloat(cborHead(b, cborTag, 1), epochSeconds(t))
}

func encodeCBOR(o obj) []byte {
	return cborValue(make([]byte, 0, 256), o)
}

func cborValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case obj:
		b = cborHead(b, cborMap, uint64(len(t)))
		for _, f := range t {
			b = cborString(b, f.name)
			b = cborValue(b, f.v)
		}
	case []obj:
		b = cborHead(b, cborArray, uint64(len(t)))
		for _, x := range t {
			b = cborValue(b, x)
		}
	case []string:
		b = cborHead(b, cborArray, uint64(len(t)))
		for _, x := range t {
			b = cborString(b, x)
		}
	case []float64:
		b = cborHead(b, cborArray, uint64(len(t)))
		for _, x := range t {
			b = cborFloat(b, x)
		}
	case []time.Time:
		b = cborHead(b, cborArray, uint64(len(t)))
		for _, x := range t {
			b = cborTime(b, x)
		}
	case floatMap:
		b = cborHead(b, cborMap, uint64(len(t)))
		for _, e := range t {
			b = cborString(b, e.key)
			b = cborFloat(b, e.v)
		}
	case string:
		b = cborString(b, t)
	case float64:
		b = cborFloat(b, t)
	case int64:
		if t >= 0 {
			b = cborHead(b, cborUint, uint64(t))
		} else {
			b = cborHead(b, cborNegint, uint64(-(t + 1)))
		}
	case bool:
		if t {
			b = append(b, 0xf5)
		} else {
			b = append(b, 0xf4)
		}
	case time.Time:
		b = cborTime(b, t)
	default:
		panic(fmt.Sprintf("cloudwatch: no CBOR encoding for %T", v))
	}
	return b
}
