package sqs

import (
	"encoding/binary"
	"errors"
)

// The store holds messages in a compact binary form: a receive rewrites only
// a message's small state record, and recovery reads only state records.

const (
	messageFormat = 1
	stateFormat   = 1
	dedupFormat   = 1
)

var errCorrupt = errors.New("corrupt record")

// message is a message's content, which never changes while it stays in
// one queue.
type message struct {
	ID        string
	Body      string
	Attrs     []msgAttr // sorted by name
	SysAttrs  []msgAttr
	GroupID   string
	DedupID   string
	SenderID  string
	SourceArn string // the queue it was redriven from, in a dead-letter queue
}

// msgState is a message's scheduling state.
type msgState struct {
	VisibleAt    int64 // ms; in the future while delayed or in flight
	ReceiveCount int64
	FirstReceive int64  // ms; 0 before the first receive
	SentAt       int64  // ms; SentTimestamp
	EnqueuedAt   int64  // ms; retention counts from here
	GroupID      string // FIFO queues
	SourceArn    string // in a dead-letter queue, the queue it came from
}

// dedupRecord remembers a FIFO deduplication id for its window.
type dedupRecord struct {
	Expires   int64 // ms
	MessageID string
	Seq       uint64
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendAttrs(b []byte, attrs []msgAttr) []byte {
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for i := range attrs {
		a := &attrs[i]
		b = appendString(b, a.Name)
		b = appendString(b, a.DataType)
		b = append(b, a.Kind)
		if a.Kind == attrKindBinary {
			b = appendBytes(b, a.Bin)
		} else {
			b = appendString(b, a.Str)
		}
	}
	return b
}

func encodeMessage(m *message) []byte {
	b := make([]byte, 0, 64+len(m.Body)+len(m.ID))
	b = append(b, messageFormat)
	b = appendString(b, m.ID)
	b = appendString(b, m.Body)
	b = appendAttrs(b, m.Attrs)
	b = appendAttrs(b, m.SysAttrs)
	b = appendString(b, m.GroupID)
	b = appendString(b, m.DedupID)
	b = appendString(b, m.SenderID)
	b = appendString(b, m.SourceArn)
	return b
}

func encodeState(s *msgState) []byte {
	b := make([]byte, 0, 48+len(s.GroupID))
	b = append(b, stateFormat)
	b = binary.AppendVarint(b, s.VisibleAt)
	b = binary.AppendVarint(b, s.ReceiveCount)
	b = binary.AppendVarint(b, s.FirstReceive)
	b = binary.AppendVarint(b, s.SentAt)
	b = binary.AppendVarint(b, s.EnqueuedAt)
	b = appendString(b, s.GroupID)
	b = appendString(b, s.SourceArn)
	return b
}

func encodeDedup(d *dedupRecord) []byte {
	b := []byte{dedupFormat}
	b = binary.AppendVarint(b, d.Expires)
	b = appendString(b, d.MessageID)
	b = binary.AppendUvarint(b, d.Seq)
	return b
}

// reader decodes with bounds checks; the first failure sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns a copy, since store memory is only valid inside its
// transaction.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	p := make([]byte, n)
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return p
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) attrs() []msgAttr {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	// Each attribute takes at least 4 bytes, which bounds the allocation.
	if n > uint64(len(r.b))/4 {
		r.err = errCorrupt
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]msgAttr, n)
	for i := range out {
		a := &out[i]
		a.Name = r.string()
		a.DataType = r.string()
		a.Kind = r.byte()
		switch a.Kind {
		case attrKindBinary:
			a.Bin = r.bytes()
		case attrKindString:
			a.Str = r.string()
		default:
			r.err = errCorrupt
		}
		if r.err != nil {
			return nil
		}
	}
	return out
}

func decodeMessage(b []byte) (*message, error) {
	r := reader{b: b}
	if r.byte() != messageFormat {
		return nil, errCorrupt
	}
	m := &message{}
	m.ID = r.string()
	m.Body = r.string()
	m.Attrs = r.attrs()
	m.SysAttrs = r.attrs()
	m.GroupID = r.string()
	m.DedupID = r.string()
	m.SenderID = r.string()
	m.SourceArn = r.string()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

func decodeState(b []byte) (msgState, error) {
	r := reader{b: b}
	var s msgState
	if r.byte() != stateFormat {
		return s, errCorrupt
	}
	s.VisibleAt = r.varint()
	s.ReceiveCount = r.varint()
	s.FirstReceive = r.varint()
	s.SentAt = r.varint()
	s.EnqueuedAt = r.varint()
	s.GroupID = r.string()
	s.SourceArn = r.string()
	return s, r.err
}

func decodeDedup(b []byte) (dedupRecord, error) {
	r := reader{b: b}
	var d dedupRecord
	if r.byte() != dedupFormat {
		return d, errCorrupt
	}
	d.Expires = r.varint()
	d.MessageID = r.string()
	d.Seq = r.uvarint()
	return d, r.err
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}
