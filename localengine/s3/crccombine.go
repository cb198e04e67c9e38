package s3

import (
	"encoding/base64"
	"encoding/binary"
)

// crcCombiner computes the CRC of a concatenation from the CRCs of its
// pieces and their lengths, without the bytes (zlib's crc32_combine, for any
// reflected CRC with all-ones init and final xor: CRC32, CRC32C and
// CRC64NVME). Full-object checksums of multipart objects come from it, so
// that completing an upload never reads the parts back.
type crcCombiner struct {
	poly  uint64 // reflected polynomial
	width int    // bits
	one   uint64 // x^0 in the reflected representation
	// x2n[k] is x^(2^k) mod poly, enough for any 63-bit byte count.
	x2n [68]uint64
}

func newCRCCombiner(poly uint64, width int) *crcCombiner {
	c := &crcCombiner{poly: poly, width: width, one: 1 << (width - 1)}
	p := c.one >> 1 // x^1
	c.x2n[0] = p
	for k := 1; k < len(c.x2n); k++ {
		p = c.mulmod(p, p)
		c.x2n[k] = p
	}
	return c
}

// mulmod multiplies two polynomials modulo poly.
func (c *crcCombiner) mulmod(a, b uint64) uint64 {
	if a == 0 {
		return 0
	}
	var p uint64
	for m := c.one; ; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
}

// shift returns x^(8n) mod poly: the effect of n more bytes on a CRC.
func (c *crcCombiner) shift(n int64) uint64 {
	p := c.one
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			p = c.mulmod(c.x2n[k], p)
		}
	}
	return p
}

// combine returns the CRC of A followed by B from crc(A), crc(B) and len(B).
func (c *crcCombiner) combine(crcA, crcB uint64, lenB int64) uint64 {
	return c.mulmod(c.shift(lenB), crcA) ^ crcB
}

var combiners = map[string]*crcCombiner{
	algCRC32:     newCRCCombiner(0xedb88320, 32),
	algCRC32C:    newCRCCombiner(0x82f63b78, 32),
	algCRC64NVME: newCRCCombiner(crc64NVMEPoly, 64),
}

// combinable reports whether alg supports S3's FULL_OBJECT type.
func combinable(alg string) bool { return combiners[alg] != nil }

// crcPiece is one part's checksum (base64, as stored) and length.
type crcPiece struct {
	sum  string
	size int64
}

// combineCRCs returns the base64 CRC of the concatenated pieces; ok is false
// when a piece's checksum is not a CRC of alg.
func combineCRCs(alg string, pieces []crcPiece) (string, bool) {
	c := combiners[alg]
	if c == nil {
		return "", false
	}
	n := c.width / 8
	var crc uint64
	for i, p := range pieces {
		raw, err := base64.StdEncoding.DecodeString(p.sum)
		if err != nil || len(raw) != n {
			return "", false
		}
		var v uint64
		if n == 4 {
			v = uint64(binary.BigEndian.Uint32(raw))
		} else {
			v = binary.BigEndian.Uint64(raw)
		}
		if i == 0 {
			crc = v
		} else {
			crc = c.combine(crc, v, p.size)
		}
	}
	out := make([]byte, 8)
	binary.BigEndian.PutUint64(out, crc)
	return base64.StdEncoding.EncodeToString(out[8-n:]), true
}
