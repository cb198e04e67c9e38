package events

import (
	"math/rand/v2"
	"time"
)

// fullJitter is the delay before retry n (0 for the first retry):
// random(0, min(cap, base·2^n)), with rnd(k) drawing from [0, k).
func fullJitter(n int64, base, cap time.Duration, rnd func(int64) int64) time.Duration {
	expo := base
	for i := int64(0); i < n && expo < cap; i++ {
		expo *= 2
	}
	expo = min(expo, cap)
	if expo <= 0 {
		return 0
	}
	return time.Duration(rnd(int64(expo) + 1))
}

func (s *Service) backoff(retry int64) time.Duration {
	return fullJitter(retry, s.cfg.RetryBase, s.cfg.RetryCap, rand.Int64N)
}
