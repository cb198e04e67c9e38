package inventory

import (
	"context"
	"sync"
)

// describeConcurrency bounds the describe calls in flight: enough to
// describe a few hundred resources quickly, few enough to stay clear of
// the per-account limits of describe calls (the SDK retries the
// occasional throttle).
const describeConcurrency = 4

// describeAll describes every name, a few at a time, keeping the order;
// a resource gone meanwhile (missing says so) is left out.
func describeAll[T any](ctx context.Context, names []string, describe func(context.Context, string) (T, error), missing func(error) bool) ([]T, error) {
	out := make([]T, len(names))
	found := make([]bool, len(names))
	err := forEach(ctx, len(names), func(ctx context.Context, i int) error {
		v, err := describe(ctx, names[i])
		if err != nil && missing(err) {
			return nil
		}
		out[i], found[i] = v, err == nil
		return err
	})
	if err != nil {
		return nil, err
	}
	kept := make([]T, 0, len(out))
	for i, v := range out {
		if found[i] {
			kept = append(kept, v)
		}
	}
	return kept, nil
}

// forEach runs fn for 0..n-1 with at most describeConcurrency at once,
// and returns the first error (the calls still running are cancelled).
func forEach(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, describeConcurrency)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}
