package backend

import (
	"sync"
	"time"
)

// bucket is one API's token bucket. Tokens may go below zero: a call
// takes its token at once and waits out the debt, so that calls made
// together are spaced at the rate in the order they asked.
type bucket struct {
	mu    sync.Mutex
	limit float64
	rate  float64
	// tokens is what is left (negative: owed), as of last.
	tokens float64
	last   time.Time
	// adjusted is when the rate last changed or recovered a step.
	adjusted time.Time

	calls, waits, throttles int
	waited                  time.Duration
}

// burstOf is how many calls a bucket lets through at once: one
// second's worth, and at least one.
func burstOf(rate float64) float64 { return max(rate, 1) }

// refill adds the tokens earned since last and, after a throttle, lets
// the rate recover a step for each recoverStep gone by.
func (b *bucket) refill(now time.Time) {
	if b.rate < b.limit {
		if steps := int(now.Sub(b.adjusted) / recoverStep); steps > 0 {
			b.rate = min(b.limit, b.rate+float64(steps)*b.limit/10)
			b.adjusted = b.adjusted.Add(time.Duration(steps) * recoverStep)
		}
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(burstOf(b.rate), b.tokens+el.Seconds()*b.rate)
		b.last = now
	}
}

// reserve takes a token and says how long to wait for it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens--
	b.calls++
	if b.tokens >= 0 {
		return 0
	}
	d := time.Duration(-b.tokens / b.rate * float64(time.Second))
	b.waits++
	b.waited += d
	return d
}

// cancel gives back the token of a call that did not wait its turn.
func (b *bucket) cancel() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens++
	b.calls--
}

func (b *bucket) throttled(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.throttles++
	b.rate = max(b.rate/2, b.limit*floorShare)
	b.adjusted = now
	b.tokens = min(b.tokens, 0)
}

func (b *bucket) state(k APIKey, now time.Time) BudgetState {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	return BudgetState{
		Account: k.Account, Region: k.Region, Service: k.Service, Operation: k.Operation,
		Limit: b.limit, Rate: b.rate, Tokens: b.tokens,
		Calls: b.calls, Waits: b.waits, Waited: b.waited, Throttles: b.throttles,
	}
}
