package tail

import (
	"math/rand/v2"
	"time"
)

// Backoff after ProvisionedThroughputExceeded: full jitter, the sleep drawn
// from [0, min(cap, base·2^n)).
const (
	backoffBase = 100 * time.Millisecond
	backoffCap  = 10 * time.Second
)

// backoff counts the throttles in a row of one shard reader.
type backoff struct{ attempt int }

func (b *backoff) next() time.Duration {
	ceiling := backoffCap
	if b.attempt < 20 {
		ceiling = min(backoffCap, backoffBase<<b.attempt)
	}
	b.attempt++
	return rand.N(ceiling) + time.Millisecond
}

func (b *backoff) reset() { b.attempt = 0 }
