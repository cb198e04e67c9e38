package tail

import "sync"

// ring keeps the last records handed to the caller, for a view that
// re-renders; it never holds more than its size.
type ring struct {
	mu   sync.Mutex
	buf  []Record
	next int // where the next record goes
	full bool
}

func newRing(size int) *ring { return &ring{buf: make([]Record, size)} }

func (r *ring) add(records []Record) {
	if len(r.buf) == 0 {
		return
	}
	if len(records) > len(r.buf) {
		records = records[len(records)-len(r.buf):]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(records) > 0 {
		n := copy(r.buf[r.next:], records)
		records = records[n:]
		r.next += n
		if r.next == len(r.buf) {
			r.next, r.full = 0, true
		}
	}
}

// snapshot copies the records, oldest first.
func (r *ring) snapshot() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]Record(nil), r.buf[:r.next]...)
	}
	out := make([]Record, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

func (r *ring) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.full {
		return len(r.buf)
	}
	return r.next
}
