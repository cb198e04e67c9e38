// Package inflight bounds the memory that request bodies take across all of
// the engine's connections: a request holds, from the moment it starts
// reading its body into memory until its answer is written, a share of one
// engine-wide budget of bytes. A request that cannot get its share within a
// short wait is answered with its protocol's throttling error, which every
// AWS SDK retries, instead of taking memory the engine does not have.
//
// The services find their request's share through its context, so that
// the code that allocates a body is the code that reserves it.
package inflight

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy means the budget stayed spent for the whole wait: the caller
// answers with its protocol's throttling error.
var ErrBusy = errors.New("too many request bodies are being read at once")

// Limiter is an engine-wide budget of body bytes.
type Limiter struct {
	sem      *semaphore.Weighted
	capacity int64
	wait     time.Duration
}

// New returns a budget of capacity bytes; a request waits at most wait for
// its share.
func New(capacity int64, wait time.Duration) *Limiter {
	return &Limiter{sem: semaphore.NewWeighted(capacity), capacity: capacity, wait: wait}
}

// Capacity is the budget in bytes.
func (l *Limiter) Capacity() int64 { return l.capacity }

type ctxKey struct{}

// share is one request's part of the budget.
type share struct {
	l    *Limiter
	mu   sync.Mutex
	held int64
	busy bool // a wait already ran out: do not wait again
	done bool
}

// Begin gives the request behind ctx a share, empty until Hold fills it;
// end returns what the share holds to the budget, once the answer is
// written.
func (l *Limiter) Begin(ctx context.Context) (_ context.Context, end func()) {
	s := &share{l: l}
	return context.WithValue(ctx, ctxKey{}, s), s.release
}

func (s *share) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held > 0 {
		s.l.sem.Release(s.held)
	}
	s.held, s.done = 0, true
}

// Hold makes the request behind ctx hold at least n bytes of the budget
// (what it holds already counts), waiting for them when the budget is
// spent. A request that asks for more than the whole budget gets the whole
// budget, so that it runs alone rather than never. It returns ErrBusy when
// the wait runs out, or ctx's error when the request is gone. Without a
// limiter in ctx (tests, work the engine does for itself) it returns nil.
func Hold(ctx context.Context, n int64) error {
	s, _ := ctx.Value(ctxKey{}).(*share)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n = min(n, s.l.capacity)
	if s.done || n <= s.held {
		return nil
	}
	if s.busy {
		return ErrBusy
	}
	more := n - s.held
	if !s.l.sem.TryAcquire(more) {
		wctx, cancel := context.WithTimeout(ctx, s.l.wait)
		err := s.l.sem.Acquire(wctx, more)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.busy = true
			return ErrBusy
		}
	}
	s.held = n
	return nil
}
