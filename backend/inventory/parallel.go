package inventory

import (
	"context"
	"sync"
)

// Describe calls in flight at once. Kinesis and Pipes limit describe
// calls to a few a second per account, so a few at a time stays clear of
// throttling (the SDK retries the occasional one); SQS takes many more.
const (
	describeConcurrency = 4
	queueConcurrency    = 16
)

// describeAll describes every name, concurrency at a time, keeping the
// order; a resource gone meanwhile (missing says so) is left out.
func describeAll[T any](ctx context.Context, concurrency int, names []string, describe func(context.Context, string) (T, error), missing func(error) bool) ([]T, error) {
	out := make([]T, len(names))
	found := make([]bool, len(names))
	err := forEach(ctx, concurrency, len(names), func(ctx context.Context, i int) error {
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

// forEach runs fn for 0..n-1 with at most concurrency at once,
// and returns the first error (the calls still running are cancelled).
func forEach(ctx context.Context, concurrency, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(concurrency, 1))
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
