package pipes

import (
	"context"
	"time"
)

// backoffCeiling is expo(n) = min(cap, base·2^n), the upper bound of the
// n-th retry's sleep (n counts from 0), without overflowing for large n.
func backoffCeiling(base, cap time.Duration, n int) time.Duration {
	if base <= 0 || cap <= 0 {
		return 0
	}
	if base >= cap {
		return cap
	}
	d := base
	for i := 0; i < n; i++ {
		if d >= cap/2 {
			return cap
		}
		d *= 2
	}
	return min(d, cap)
}

// backoffJitter is full jitter: a uniformly random duration in [0, d].
// randN(n) returns a value in [0, n); tests inject it.
func backoffJitter(d time.Duration, randN func(int64) int64) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(randN(int64(d) + 1))
}

// backoff is the sleep before the n-th retry: random(0, min(cap, base·2^n)).
func (s *Service) backoff(n int) time.Duration {
	return s.jitter(backoffCeiling(s.cfg.RetryBase, s.cfg.RetryCap, n))
}

// sleep waits d of real time, or until ctx ends; it reports whether the
// whole time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
