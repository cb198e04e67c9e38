package events

import (
	"context"
	"math"
	"sync"
	"time"
)

// rateLimits holds a token bucket per API destination, so that calls keep
// to its InvocationRateLimitPerSecond, with bursts up to one second's
// worth. The buckets run on real time, since they pace real calls.
type rateLimits struct {
	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	rate   float64 // tokens per second
	tokens float64
	last   time.Time
}

func newRateLimits() *rateLimits { return &rateLimits{buckets: map[string]*tokenBucket{}} }

// take spends a token of key's bucket if one is there; otherwise it
// reports how long until one will be.
func (r *rateLimits) take(key string, perSecond int64, now time.Time) (bool, time.Duration) {
	rate := float64(max(perSecond, 1))
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buckets[key]
	if b == nil || b.rate != rate {
		b = &tokenBucket{rate: rate, tokens: rate, last: now}
		r.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.rate, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1-1e-9 {
		b.tokens = max(b.tokens-1, 0)
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / b.rate * float64(time.Second)))
	return false, max(wait, time.Millisecond)
}

// wait blocks until key's bucket yields a token or ctx ends.
func (r *rateLimits) wait(ctx context.Context, key string, perSecond int64) error {
	for {
		ok, d := r.take(key, perSecond, time.Now())
		if ok {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// forget drops key's bucket (its destination changed or went away).
func (r *rateLimits) forget(key string) {
	r.mu.Lock()
	delete(r.buckets, key)
	r.mu.Unlock()
}
