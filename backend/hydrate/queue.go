package hydrate

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/sluicehq/sluice/backend"
)

// staleReceives is how many receives in a row that bring only messages
// already seen end a run: messages this run left hidden come back once
// their visibility timeout ends, and they are not new work.
const staleReceives = 2

// Queue hydrates every message of the queue, or only those in o.IDs,
// o.Concurrency at a time, until the queue has nothing new. Messages it
// does not hydrate (not selected, left, skipped, failed) stay hidden while
// it runs, so that it never takes one twice, and are all released at once
// when it ends.
func Queue(ctx context.Context, s *backend.Session, queueURL string, o Options) (Summary, error) {
	o = o.withDefaults(queueURL)
	var sum Summary
	if err := s.Guard("hydrate queue " + o.DLQ); err != nil {
		return sum, err
	}
	if !o.Archive.IsSet() {
		return sum, errNoArchive
	}
	rc := &queueReceiver{s: s, queueURL: queueURL, seen: map[string]Received{}}
	if len(o.IDs) > 0 {
		rc.want = map[string]bool{}
		for _, id := range o.IDs {
			rc.want[id] = true
		}
	}
	jobs := make(chan Received)
	results := make(chan Result)
	var recvErr error
	go func() {
		defer close(jobs)
		recvErr = rc.runAll(ctx, receiversFor(o.Concurrency), jobs)
	}()
	// Messages whose events are archived are deleted in batches, each
	// one's result sent once SQS has answered for it.
	archived := make(chan archivedMessage)
	deletes := make(chan struct{})
	go func() {
		defer close(deletes)
		deleteArchived(ctx, s, o, queueURL, archived, results)
	}()
	run, stopRun := startRun(o)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for m := range jobs {
				if r, ready := archiveMessage(ctx, s, o, run, m); ready {
					archived <- archivedMessage{msg: m, res: r}
				} else {
					results <- r
				}
			}
		})
	}
	go func() {
		wg.Wait()
		stopRun()
		close(archived)
		<-deletes
		close(results)
	}()
	hydrated := map[string]bool{}
	for r := range results {
		sum.add(r)
		if r.Outcome == Hydrated {
			hydrated[r.MessageID] = true
		}
		if o.Progress != nil {
			o.Progress(r)
		}
	}
	// The receiver has returned: jobs is closed before results.
	var hold []Received
	for id, m := range rc.seen {
		if !hydrated[id] {
			hold = append(hold, m)
		}
	}
	for id := range rc.want {
		if _, ok := rc.seen[id]; !ok {
			sum.Missing = append(sum.Missing, id)
		}
	}
	if rc.want != nil {
		for id := range rc.seen {
			if !rc.want[id] {
				sum.Outside = append(sum.Outside, id)
			}
		}
		slices.Sort(sum.Outside)
	}
	err := releaseAll(ctx, s, queueURL, hold)
	return sum, errors.Join(recvErr, ctx.Err(), err)
}

// queueReceiver takes messages from the queue and hands the ones to
// hydrate to the workers; it remembers every message it took, with its
// latest receipt handle.
type queueReceiver struct {
	s        *backend.Session
	queueURL string
	want     map[string]bool // nil: every message

	mu    sync.Mutex
	seen  map[string]Received
	found int
}

// receiversFor is how many receives a run of concurrency makes at once,
// one per four workers and four at most. One receive of ten messages at
// a time (each a durable write on SQS's side) kept sixteen workers of
// single-record messages waiting, at about 2,200 messages a second; eight
// hand out messages of one shard so far out of order that they no longer
// find each other's reads (half the rate at 32 workers).
func receiversFor(concurrency int) int { return min(4, max(1, concurrency/4)) }

// runAll runs n receive loops until each has found the queue done.
func (rc *queueReceiver) runAll(ctx context.Context, n int, jobs chan<- Received) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = rc.run(ctx, jobs) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// take records m as received and says whether it is new work.
func (rc *queueReceiver) take(m Received) (fresh, work bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	_, again := rc.seen[m.ID]
	rc.seen[m.ID] = m
	if again {
		return false, false
	}
	if rc.want != nil && !rc.want[m.ID] {
		return true, false
	}
	rc.found++
	return true, true
}

// allFound says whether every message asked for by id has been taken.
func (rc *queueReceiver) allFound() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.want != nil && rc.found == len(rc.want)
}

func (rc *queueReceiver) run(ctx context.Context, jobs chan<- Received) error {
	stale := 0
	for ctx.Err() == nil {
		// A long poll asks every SQS server, so that an empty answer
		// means an empty queue.
		msgs, err := receive(ctx, rc.s, rc.queueURL, 1)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(msgs) == 0 {
			return nil
		}
		fresh := 0
		for _, m := range msgs {
			isFresh, work := rc.take(m)
			if isFresh {
				fresh++
			}
			if !work {
				continue
			}
			select {
			case jobs <- m:
			case <-ctx.Done():
				return nil
			}
		}
		if fresh == 0 {
			if stale++; stale >= staleReceives {
				return nil
			}
		} else {
			stale = 0
		}
		if rc.allFound() {
			return nil
		}
	}
	return nil
}

var errNoArchive = errors.New("no archive location: set one in the config, tag the DLQ or pipe with sluice:archive=s3://bucket/prefix, or pass --archive")
