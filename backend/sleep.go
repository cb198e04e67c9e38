package backend

import (
	"context"
	"time"
)

// Sleep waits d, or less when ctx ends first, and then returns ctx's
// error: the one wait of every backoff and poll in backend.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
