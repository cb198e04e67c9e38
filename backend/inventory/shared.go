package inventory

import (
	"context"
	"sync"
	"time"

	"github.com/sluicehq/sluice/backend"
)

// MaxAge is how long a discovery stays the answer: long enough that the
// tabs' reads at start, and the reads of every tab refreshing at once,
// are one read; short enough that a tab opened later, or a command run
// after a change, sees the account as it is now (a pipe created a
// minute ago). A reader that must see what exists when it asks says so
// with SharedSince.
const MaxAge = 5 * time.Second

// Inventory is one session's discoveries, shared by every tab and
// command of it: the pipes, the event source mappings and each queue's
// attributes are read once however many listings ask (the Streams tab's
// DLQ column and the DLQs tab used to discover the DLQs twice), and a
// listing asked for while the same read is in flight waits for that
// read instead of making its own. Pass it to a listing with Shared, or
// with SharedSince when no read made before the listing was asked for
// may answer it.
type Inventory struct {
	s      *backend.Session
	now    func() time.Time
	maxAge time.Duration

	mu sync.Mutex
	// reads counts the reads started: the order an Instant marks.
	reads uint64
	// floor is the Instant of the last Refresh: a read started before
	// it answers no one.
	floor Instant
	pipes cell[pipesRead]
	esms  cell[esmsRead]
	// queues are each queue's attributes, tags its tags, by URL.
	queues, tags map[string]*cell[queueRead]
	// lookups are what discovery resolves for each pipeline (see
	// lookUp), by kind and key.
	lookups map[string]*cell[lookupRead]
}

type (
	pipesRead struct {
		pipes []Pipe
		fails backend.Failures
	}
	esmsRead struct {
		esms []ESM
		err  error
	}
	queueRead struct {
		q    Queue
		tags map[string]string
		err  error
	}
)

// New makes the inventory of s. now is its clock (time.Now when nil),
// which measures MaxAge.
func New(s *backend.Session, now func() time.Time) *Inventory {
	if now == nil {
		now = time.Now
	}
	return &Inventory{s: s, now: now, maxAge: MaxAge, queues: map[string]*cell[queueRead]{}, tags: map[string]*cell[queueRead]{},
		lookups: map[string]*cell[lookupRead]{}}
}

// Session is the session the inventory reads.
func (inv *Inventory) Session() *backend.Session { return inv.s }

// Instant is a point in the order of an inventory's reads: a read that
// starts after Now returned it is after it. It is not a time, so that it
// cannot disagree with a caller's clock (a tab's clock that a test moves
// by hand, a clock too coarse to order two calls): "after" is exact. The
// zero Instant is before every read.
type Instant struct{ n uint64 }

// Now is the Instant of this moment: every read that starts from now on
// is after it; every read started before, in flight or done, is not.
// A nil inventory's is the zero Instant.
func (inv *Inventory) Now() Instant {
	if inv == nil {
		return Instant{}
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return Instant{inv.reads}
}

// startRead is the Instant of a read starting: after every Now so far.
func (inv *Inventory) startRead() Instant {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.reads++
	return Instant{inv.reads}
}

// Refresh makes every later read go to AWS again (the operator asked
// for a refresh): no read started before it answers anyone after it.
// Reads in flight still serve those already waiting.
func (inv *Inventory) Refresh() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.floor = Instant{inv.reads}
}

// after reports whether i is after j.
func (i Instant) after(j Instant) bool { return i.n > j.n }

// current reports whether the read started at read may answer a reader
// that accepts no read before since: it started after since and after
// the last Refresh.
func (inv *Inventory) current(read, since Instant) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return read.after(since) && read.after(inv.floor)
}

// Shared makes a listing read through inv: what inv has read lately is
// not read again.
func Shared(inv *Inventory) Option { return SharedSince(inv, Instant{}) }

// SharedSince makes a listing read through inv, answered only by reads
// that started after since (inv.Now() when the listing was asked for):
// a read another listing started later, or has in flight, serves it; one
// started before does not, however fresh, so that a tab opened or
// refreshed after a change, or a trace, sees the account as it is.
func SharedSince(inv *Inventory, since Instant) Option {
	return func(o *options) { o.shared = sharing{inv: inv, since: since} }
}

// sharing is the inventory a listing reads through, and the oldest read
// it accepts.
type sharing struct {
	inv   *Inventory
	since Instant
}

func sharedOf(opts []Option) sharing {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.shared
}

// describePipes is DescribePipes, through the inventory when opts name
// one.
func describePipes(ctx context.Context, s *backend.Session, opts []Option) ([]Pipe, backend.Failures) {
	sh := sharedOf(opts)
	if sh.inv == nil {
		return DescribePipes(ctx, s, opts...)
	}
	r, err := sh.inv.pipes.get(ctx, sh, func(ctx context.Context) (pipesRead, bool) {
		p, fs := DescribePipes(ctx, s, opts...)
		return pipesRead{p, fs}, true
	})
	if err != nil {
		return nil, serviceFailure(s, "pipes", err)
	}
	return r.pipes, r.fails
}

// eventSourceMappings is EventSourceMappings bounded by d, through the
// inventory when opts name one.
func eventSourceMappings(ctx context.Context, s *backend.Session, d time.Duration, opts []Option) ([]ESM, error) {
	read := func(ctx context.Context) ([]ESM, error) {
		return bounded(ctx, d, func(ctx context.Context) ([]ESM, error) { return EventSourceMappings(ctx, s) })
	}
	sh := sharedOf(opts)
	if sh.inv == nil {
		return read(ctx)
	}
	r, err := sh.inv.esms.get(ctx, sh, func(ctx context.Context) (esmsRead, bool) {
		e, err := read(ctx)
		return esmsRead{e, err}, true
	})
	if err != nil {
		return nil, err
	}
	return r.esms, r.err
}

// describeQueue is DescribeQueue, through the inventory when opts name
// one: the attributes and the tags are each read once, and the tags are
// those pipeline discovery reads for the archive tag. A failure is not
// kept, so that the next listing tries again.
func describeQueue(ctx context.Context, s *backend.Session, url string, opts []Option) (Queue, error) {
	sh := sharedOf(opts)
	if sh.inv == nil {
		return DescribeQueue(ctx, s, url)
	}
	r, err := sh.inv.queueCell(sh.inv.queues, url).get(ctx, sh, func(ctx context.Context) (queueRead, bool) {
		q, err := queueAttributes(ctx, s, url)
		return queueRead{q: q, err: err}, err == nil
	})
	if err == nil {
		err = r.err
	}
	if err != nil {
		return Queue{}, err
	}
	q := r.q
	tags, err := sh.queueTags(ctx, url)
	if err != nil {
		return Queue{}, err
	}
	q.Tags = tags
	return q, nil
}

// queueTags reads a queue's tags once while fresh.
func (sh sharing) queueTags(ctx context.Context, url string) (map[string]string, error) {
	r, err := sh.inv.queueCell(sh.inv.tags, url).get(ctx, sh, func(ctx context.Context) (queueRead, bool) {
		tags, err := QueueTags(ctx, sh.inv.s, url)
		return queueRead{tags: tags, err: err}, err == nil
	})
	if err != nil {
		return nil, err
	}
	return r.tags, r.err
}

func (inv *Inventory) queueCell(m map[string]*cell[queueRead], url string) *cell[queueRead] {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	c := m[url]
	if c == nil {
		c = &cell[queueRead]{}
		m[url] = c
	}
	return c
}
