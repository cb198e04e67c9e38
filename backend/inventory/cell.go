package inventory

import (
	"context"
	"sync"
	"time"
)

// cell is one shared read: the last answer kept, when its read started
// (by the clock, for MaxAge, and in the order of reads, for
// SharedSince), and the newest read in flight.
type cell[T any] struct {
	mu     sync.Mutex
	val    T
	at     time.Time
	read   Instant // zero: nothing kept
	flight *flight[T]
}

// flight is a read in flight; done closes when val is set. ok says
// whether val is an answer for those waiting: not when the reader that
// made it gave up (its context ended), since what it got is its own
// failure, not the account's.
type flight[T any] struct {
	done chan struct{}
	read Instant
	val  T
	ok   bool
}

// get is the kept answer while it serves sh (fresh, and started after
// sh.since and the last Refresh), else the answer of the read in flight
// when that one serves sh, else a new read's. read reports whether its
// answer may be kept (not a failure worth retrying); a failure still
// answers those who waited for it. The error is ctx's when ctx ended
// while waiting for another's read: nothing was read for this caller.
func (c *cell[T]) get(ctx context.Context, sh sharing, read func(context.Context) (T, bool)) (T, error) {
	inv := sh.inv
	for {
		c.mu.Lock()
		if inv.current(c.read, sh.since) && inv.now().Sub(c.at) < inv.maxAge {
			v := c.val
			c.mu.Unlock()
			return v, nil
		}
		if f := c.flight; f != nil && inv.current(f.read, sh.since) {
			c.mu.Unlock()
			select {
			case <-f.done:
				if f.ok {
					return f.val, nil
				}
				continue // its reader gave up: read again, for this one
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		// No read serves this one: a new read, which the next readers
		// wait for instead of one started before it.
		f := &flight[T]{done: make(chan struct{}), read: inv.startRead()}
		start := inv.now()
		c.flight = f
		c.mu.Unlock()
		v, keep := read(ctx)
		f.val, f.ok = v, ctx.Err() == nil
		c.mu.Lock()
		if c.flight == f {
			c.flight = nil
		}
		// A read that ended after a newer one does not replace it.
		if keep && f.ok && f.read.after(c.read) {
			c.val, c.at, c.read = v, start, f.read
		}
		c.mu.Unlock()
		close(f.done)
		return v, nil
	}
}
