package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttrs is the digest SQS reports as MD5OfMessageAttributes (and
// MD5OfMessageSystemAttributes), which the AWS SDKs recompute: for each
// attribute in name order, the name, the data type and the value, each
// prefixed with its 4-byte big-endian length, with a transport byte (1 for
// a string value, 2 for binary) before the value. attrs must be sorted.
func md5OfAttrs(attrs []msgAttr) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	for i := range attrs {
		a := &attrs[i]
		writeLenBytes(h, []byte(a.Name))
		writeLenBytes(h, []byte(a.DataType))
		h.Write([]byte{a.Kind})
		if a.Kind == attrKindBinary {
			writeLenBytes(h, a.Bin)
		} else {
			writeLenBytes(h, []byte(a.Str))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLenBytes(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}
