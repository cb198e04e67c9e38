package kinesis

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// u128 is a 128-bit hash key. Routing compares keys for every record, so
// it avoids math/big on that path.
type u128 struct{ hi, lo uint64 }

var maxHashKey = u128{hi: ^uint64(0), lo: ^uint64(0)}

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add1() u128 {
	lo, carry := bits.Add64(a.lo, 1, 0)
	return u128{hi: a.hi + carry, lo: lo}
}

func (a u128) sub1() u128 {
	lo, borrow := bits.Sub64(a.lo, 1, 0)
	return u128{hi: a.hi - borrow, lo: lo}
}

func (a u128) big() *big.Int {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return new(big.Int).SetBytes(b[:])
}

func fromBig(b *big.Int) u128 {
	var buf [16]byte
	b.FillBytes(buf[:])
	return u128{hi: binary.BigEndian.Uint64(buf[:8]), lo: binary.BigEndian.Uint64(buf[8:])}
}

func (a u128) String() string { return a.big().String() }

// partitionHash is MD5 of the partition key as a big-endian integer, the
// hash AWS uses to place a record.
func partitionHash(key []byte) u128 {
	sum := md5.Sum(key)
	return u128{hi: binary.BigEndian.Uint64(sum[:8]), lo: binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey parses a decimal hash key. ok is false for anything that is
// not plain decimal digits or does not fit in 128 bits.
func parseHashKey(s []byte) (v u128, ok bool) {
	if len(s) == 0 || len(s) > 40 {
		return u128{}, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return u128{}, false
		}
		// v = v*10 + d, failing on overflow.
		hi1, lo := bits.Mul64(v.lo, 10)
		hi2, hi := bits.Mul64(v.hi, 10)
		if hi2 != 0 {
			return u128{}, false
		}
		hi, carry := bits.Add64(hi, hi1, 0)
		if carry != 0 {
			return u128{}, false
		}
		lo, carry = bits.Add64(lo, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, carry)
		if carry != 0 {
			return u128{}, false
		}
		v = u128{hi: hi, lo: lo}
	}
	return v, true
}

// hashKeyPatternOK reports whether s matches AWS's HashKey pattern
// 0|([1-9]\d{0,38}).
func hashKeyPatternOK(s string) bool {
	if s == "0" {
		return true
	}
	if len(s) == 0 || len(s) > 39 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// uniformRanges splits the whole key space into n ranges as AWS does at
// creation: each 2^128/n wide, the last ending at 2^128-1.
func uniformRanges(n int) [][2]u128 {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	width := new(big.Int).Div(space, big.NewInt(int64(n)))
	out := make([][2]u128, n)
	for i := range n {
		start := new(big.Int).Mul(width, big.NewInt(int64(i)))
		out[i][0] = fromBig(start)
		if i == n-1 {
			out[i][1] = maxHashKey
		} else {
			end := new(big.Int).Add(start, width)
			out[i][1] = fromBig(end.Sub(end, big.NewInt(1)))
		}
	}
	return out
}
