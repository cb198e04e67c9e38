package shards

import "github.com/sluicehq/sluice/backend/tail"

// ring keeps a tail's newest records in one array that stops growing at
// its limit, addressed by serial number (the rows' IDs), so that a tail at
// full speed neither copies nor reallocates its records.
type ring struct {
	limit int
	buf   []tail.Record
	head  int    // index of the oldest record
	n     int    // records held
	first uint64 // serial of the oldest record
	next  uint64 // serial of the next record pushed
	bytes int    // data bytes held
}

func newRing(limit int) ring { return ring{limit: limit} }

func (r *ring) len() int { return r.n }

// push adds rec, dropping the oldest record when full; it reports whether
// one was dropped.
func (r *ring) push(rec tail.Record) bool {
	dropped := false
	if r.n == r.limit {
		r.dropFirst(1)
		dropped = true
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = rec
	r.n++
	r.next++
	r.bytes += rec.Size
	return dropped
}

func (r *ring) grow() {
	size := min(r.limit, max(2*len(r.buf), 64))
	buf := make([]tail.Record, size)
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}

// dropFirst drops the k oldest records, letting their data go.
func (r *ring) dropFirst(k int) {
	k = min(k, r.n)
	for range k {
		r.bytes -= r.buf[r.head].Size
		r.buf[r.head] = tail.Record{}
		r.head = (r.head + 1) % len(r.buf)
	}
	r.n -= k
	r.first += uint64(k)
}

// at is the record with serial s, if still held.
func (r *ring) at(s uint64) (tail.Record, bool) {
	if s < r.first || s >= r.first+uint64(r.n) {
		return tail.Record{}, false
	}
	return r.buf[(r.head+int(s-r.first))%len(r.buf)], true
}

// reset drops everything but keeps counting serials, so that no ID is
// used twice.
func (r *ring) reset() {
	next := r.next
	*r = ring{limit: r.limit, first: next, next: next}
}

// all lists the records held, oldest first.
func (r *ring) all() []tail.Record {
	out := make([]tail.Record, r.n)
	for i := range r.n {
		out[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	return out
}
