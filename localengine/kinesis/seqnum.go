package kinesis

import (
	"errors"
	"hash/crc32"
)

// A sequence number is 56 decimal digits, the length of AWS's:
//
//	"49" | stream uid (20) | shard index (10) | counter (20) | check (4)
//
// The shard index sits above the counter, so every number of a child shard
// (whose index is always higher) is greater than every number of its
// parents, and numbers grow with the counter within a shard. The stream uid
// makes numbers from another (or a recreated) stream recognisable, and the
// check digits catch typing and copying mistakes.
const (
	seqLen      = 56
	seqPrefix   = "49"
	seqUIDOff   = 2
	seqShardOff = seqUIDOff + 20
	seqCtrOff   = seqShardOff + 10
	seqCheckOff = seqCtrOff + 20

	// maxShardIndex keeps a shard index within its 10 digits.
	maxShardIndex = 9_999_999_999
)

var errBadSeq = errors.New("malformed sequence number")

// seqNum is a parsed sequence number.
type seqNum struct {
	uid     uint64
	shard   uint64
	counter uint64
}

// appendSeq appends the sequence number of (uid, shard, counter) to dst.
func appendSeq(dst []byte, uid, shard, counter uint64) []byte {
	start := len(dst)
	dst = append(dst, seqPrefix...)
	dst = appendPadded(dst, uid, 20)
	dst = appendPadded(dst, shard, 10)
	dst = appendPadded(dst, counter, 20)
	sum := crc32.ChecksumIEEE(dst[start:]) % 10000
	return appendPadded(dst, uint64(sum), 4)
}

func formatSeq(uid, shard, counter uint64) string {
	var b [seqLen]byte
	return string(appendSeq(b[:0], uid, shard, counter))
}

// appendPadded appends v in decimal, zero-padded to width digits (v must
// fit).
func appendPadded(dst []byte, v uint64, width int) []byte {
	var b [20]byte
	i := len(b)
	for v > 0 || i == len(b) {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	for pad := width - (len(b) - i); pad > 0; pad-- {
		dst = append(dst, '0')
	}
	return append(dst, b[i:]...)
}

// parseSeq parses a number made by appendSeq.
func parseSeq(s string) (seqNum, error) {
	if len(s) != seqLen || s[:2] != seqPrefix {
		return seqNum{}, errBadSeq
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return seqNum{}, errBadSeq
		}
	}
	if crc32.ChecksumIEEE([]byte(s[:seqCheckOff]))%10000 != uint32(digits(s[seqCheckOff:])) {
		return seqNum{}, errBadSeq
	}
	var n seqNum
	var ok1, ok2, ok3 bool
	n.uid, ok1 = parseDigits(s[seqUIDOff:seqShardOff])
	n.shard, ok2 = parseDigits(s[seqShardOff:seqCtrOff])
	n.counter, ok3 = parseDigits(s[seqCtrOff:seqCheckOff])
	if !ok1 || !ok2 || !ok3 {
		return seqNum{}, errBadSeq
	}
	return n, nil
}

func digits(s string) uint64 {
	v, _ := parseDigits(s)
	return v
}

// parseDigits parses decimal digits into a uint64, failing on overflow.
func parseDigits(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// seqPatternOK reports whether s matches AWS's SequenceNumber pattern
// 0|([1-9]\d{0,128}).
func seqPatternOK(s string) bool {
	if s == "0" {
		return true
	}
	if len(s) == 0 || len(s) > 129 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
