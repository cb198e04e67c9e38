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
// minute ago).
const MaxAge = 5 * time.Second

// Inventory is one session's discoveries, shared by every tab and
// command of it: the pipes, the event source mappings and each queue's
// attributes are read once however many listings ask (the Streams tab's
// DLQ column and the DLQs tab used to discover the DLQs twice), and a
// listing asked for while the same read is in flight waits for that
// read instead of making its own. Pass it to a listing with Shared.
type Inventory struct {
	s      *backend.Session
	now    func() time.Time
	maxAge time.Duration

	mu sync.Mutex
	// gen counts Refresh calls: a read made before the last is stale.
	gen   int
	pipes cell[pipesRead]
	esms  cell[esmsRead]
	// queues are each queue's attributes, tags its tags, by URL.
	queues, tags map[string]*cell[queueRead]
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

// New makes the inventory of s. now is its clock (time.Now when nil).
func New(s *backend.Session, now func() time.Time) *Inventory {
	if now == nil {
		now = time.Now
	}
	return &Inventory{s: s, now: now, maxAge: MaxAge, queues: map[string]*cell[queueRead]{}, tags: map[string]*cell[queueRead]{}}
}

// Session is the session the inventory reads.
func (inv *Inventory) Session() *backend.Session { return inv.s }

// Refresh makes every later read go to AWS again (the operator asked
// for a refresh); reads in flight still serve those already waiting.
func (inv *Inventory) Refresh() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.gen++
}

func (inv *Inventory) generation() int {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.gen
}

// fresh reports whether a read started at t, in generation gen, is
// still the answer.
func (inv *Inventory) fresh(t time.Time, gen int) bool {
	return gen == inv.generation() && inv.now().Sub(t) < inv.maxAge
}

// Shared makes a listing read through inv: what inv has read lately is
// not read again.
func Shared(inv *Inventory) Option { return func(o *options) { o.inv = inv } }

func sharedOf(opts []Option) *Inventory {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.inv
}

// describePipes is DescribePipes, through the inventory when opts name
// one.
func describePipes(ctx context.Context, s *backend.Session, opts []Option) ([]Pipe, backend.Failures) {
	inv := sharedOf(opts)
	if inv == nil {
		return DescribePipes(ctx, s, opts...)
	}
	r := inv.pipes.get(ctx, inv, func(ctx context.Context) (pipesRead, bool) {
		p, fs := DescribePipes(ctx, s, opts...)
		return pipesRead{p, fs}, ctx.Err() == nil
	})
	return r.pipes, r.fails
}

// eventSourceMappings is EventSourceMappings bounded by d, through the
// inventory when opts name one.
func eventSourceMappings(ctx context.Context, s *backend.Session, d time.Duration, opts []Option) ([]ESM, error) {
	read := func(ctx context.Context) ([]ESM, error) {
		return bounded(ctx, d, func(ctx context.Context) ([]ESM, error) { return EventSourceMappings(ctx, s) })
	}
	inv := sharedOf(opts)
	if inv == nil {
		return read(ctx)
	}
	r := inv.esms.get(ctx, inv, func(ctx context.Context) (esmsRead, bool) {
		e, err := read(ctx)
		return esmsRead{e, err}, ctx.Err() == nil
	})
	return r.esms, r.err
}

// describeQueue is DescribeQueue, through the inventory when opts name
// one: the attributes and the tags are each read once, and the tags are
// those pipeline discovery reads for the archive tag. A failure is not
// kept, so that the next listing tries again.
func describeQueue(ctx context.Context, s *backend.Session, url string, opts []Option) (Queue, error) {
	inv := sharedOf(opts)
	if inv == nil {
		return DescribeQueue(ctx, s, url)
	}
	r := inv.queueCell(inv.queues, url).get(ctx, inv, func(ctx context.Context) (queueRead, bool) {
		q, err := queueAttributes(ctx, s, url)
		return queueRead{q: q, err: err}, err == nil
	})
	if r.err != nil {
		return Queue{}, r.err
	}
	q := r.q
	tags, err := inv.queueTags(ctx, url)
	if err != nil {
		return Queue{}, err
	}
	q.Tags = tags
	return q, nil
}

// queueTags reads a queue's tags once while fresh.
func (inv *Inventory) queueTags(ctx context.Context, url string) (map[string]string, error) {
	r := inv.queueCell(inv.tags, url).get(ctx, inv, func(ctx context.Context) (queueRead, bool) {
		tags, err := QueueTags(ctx, inv.s, url)
		return queueRead{tags: tags, err: err}, err == nil
	})
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

// cell is one shared read: its value, when that read started, and the
// read in flight.
type cell[T any] struct {
	mu     sync.Mutex
	val    T
	at     time.Time
	gen    int
	flight chan struct{}
}

// get is the cell's value while fresh, else the read in flight's, else
// a new read's. read says whether its value may be kept (not when its
// context ended, or for a failure worth retrying).
func (c *cell[T]) get(ctx context.Context, inv *Inventory, read func(context.Context) (T, bool)) T {
	for {
		c.mu.Lock()
		if !c.at.IsZero() && inv.fresh(c.at, c.gen) {
			v := c.val
			c.mu.Unlock()
			return v
		}
		if ch := c.flight; ch != nil {
			c.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				var zero T
				return zero
			}
		}
		ch := make(chan struct{})
		c.flight = ch
		c.mu.Unlock()
		start, gen := inv.now(), inv.generation()
		v, keep := read(ctx)
		c.mu.Lock()
		c.flight = nil
		if keep {
			c.val, c.at, c.gen = v, start, gen
		}
		c.mu.Unlock()
		close(ch)
		return v
	}
}
