package sqs

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// A receipt handle names one receive of one message: the queue id, the
// message's sequence and its receive count at that receive. A check sum
// makes arbitrary strings fail as ReceiptHandleIsInvalid, as on AWS.
type receipt struct {
	qid uint64
	seq uint64
	rc  int64
}

const (
	handleVersion = 1
	handleRawLen  = 1 + 8 + 8 + 8 + 4
	maxHandleLen  = 1024
)

func (r receipt) String() string {
	var b [handleRawLen]byte
	b[0] = handleVersion
	binary.BigEndian.PutUint64(b[1:], r.qid)
	binary.BigEndian.PutUint64(b[9:], r.seq)
	binary.BigEndian.PutUint64(b[17:], uint64(r.rc))
	sum := sha256.Sum256(b[:25])
	copy(b[25:], sum[:4])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseReceipt(s string) (receipt, bool) {
	if len(s) > maxHandleLen {
		return receipt{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != handleRawLen || b[0] != handleVersion {
		return receipt{}, false
	}
	sum := sha256.Sum256(b[:25])
	if string(sum[:4]) != string(b[25:]) {
		return receipt{}, false
	}
	return receipt{
		qid: binary.BigEndian.Uint64(b[1:]),
		seq: binary.BigEndian.Uint64(b[9:]),
		rc:  int64(binary.BigEndian.Uint64(b[17:])),
	}, true
}
