package hydrate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

const (
	// watchWait is the long poll of a watch: at most one empty receive
	// every 20 seconds on a quiet queue.
	watchWait = 20
	// watchReceiveErrors ends a watch after this many failed receives in
	// a row; fewer are waited out.
	watchReceiveErrors = 5
	// maxSettled bounds the memory of messages a watch has settled.
	maxSettled = 10000
)

// Watch hydrates messages as they arrive, o.Concurrency at a time, until
// ctx ends; report (when not nil) receives every result, from one
// goroutine at a time. A message it does not hydrate stays hidden for
// o.RetryAfter, so that it is retried without a hot loop; one that cannot
// be hydrated at all (left, skipped) is reported once and then only kept
// hidden. Watch returns nil when ctx ends, or the error that stopped it.
func Watch(ctx context.Context, s *backend.Session, queueURL string, o Options, report func(Result)) error {
	o = o.withDefaults(queueURL)
	if err := s.Guard("hydrate queue " + o.DLQ); err != nil {
		return err
	}
	if !o.Archive.IsSet() {
		return errNoArchive
	}
	retryAfter := int32(o.RetryAfter / time.Second)
	settled := &settledSet{ids: map[string]bool{}}
	jobs := make(chan Received)
	results := make(chan Result)
	var recvErr error
	go func() {
		defer close(jobs)
		recvErr = watchReceive(ctx, s, queueURL, retryAfter, settled, jobs)
	}()
	run, stopRun := startRun(o)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for m := range jobs {
				r := hydrate(ctx, s, o, run, m)
				if r.Outcome != Hydrated {
					// Stopping hands the message back at once; otherwise it
					// waits out RetryAfter.
					d := retryAfter
					if ctx.Err() != nil {
						d = 0
					}
					if err := changeVisibility(ctx, s, m, d); err != nil && r.Err == nil {
						r.Err = err
					}
				}
				results <- r
			}
		})
	}
	go func() {
		wg.Wait()
		stopRun()
		close(results)
	}()
	for r := range results {
		if r.Outcome == Left || r.Outcome == Skipped {
			settled.add(r.MessageID)
		}
		if report != nil && (ctx.Err() == nil || r.Outcome == Hydrated) {
			report(r)
		}
	}
	return recvErr
}

// watchReceive long-polls the queue and hands new work to jobs until ctx
// ends; a message already settled is only hidden again.
func watchReceive(ctx context.Context, s *backend.Session, queueURL string, retryAfter int32, settled *settledSet, jobs chan<- Received) error {
	errs := 0
	for ctx.Err() == nil {
		msgs, err := receive(ctx, s, queueURL, watchWait)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errs++; errs >= watchReceiveErrors || !transient(err) {
				return fmt.Errorf("watch %s: %w", dlq.NameOfURL(queueURL), err)
			}
			if backend.Sleep(ctx, time.Duration(errs)*time.Second) != nil {
				return nil
			}
			continue
		}
		errs = 0
		for _, m := range msgs {
			if settled.has(m.ID) {
				_ = changeVisibility(ctx, s, m, retryAfter)
				continue
			}
			select {
			case jobs <- m:
			case <-ctx.Done():
				_ = changeVisibility(ctx, s, m, 0)
			}
		}
	}
	return nil
}

// transient reports whether a failed receive may succeed if tried again:
// not for a queue that does not exist or credentials that do not work.
func transient(err error) bool {
	var gone *sqstypes.QueueDoesNotExist
	var creds *backend.CredentialsError
	return !errors.As(err, &gone) && !errors.As(err, &creds)
}

// settledSet is the messages a watch will not try again. It is bounded:
// when full it starts over, and a forgotten message is only tried once
// more.
type settledSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *settledSet) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) >= maxSettled {
		clear(s.ids)
	}
	s.ids[id] = true
}

func (s *settledSet) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}
