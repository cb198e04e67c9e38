package replay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// Plan is what a bulk replay sends where: the events at Keys, or else the
// events Query selects.
type Plan struct {
	Archive backend.ArchiveLocation
	Target  backend.Target
	Keys    []string
	Query   archive.Query
}

// Options tune a bulk replay.
type Options struct {
	// Concurrency is how many events are in flight at once (default 8).
	Concurrency int
	// Rate caps attempts per second, retries included (0: no cap).
	Rate float64
	// DryRun reads the events and reports what would be sent where,
	// sending and marking nothing.
	DryRun bool
	// Retries is how many more times a failed event is tried (default
	// DefaultRetries; negative for none), waiting a random time up to
	// RetryBase·2^n, at most RetryCap (full jitter).
	Retries             int
	RetryBase, RetryCap time.Duration
	// Timeout bounds one HTTP attempt (default DefaultTimeout).
	Timeout time.Duration
	// Progress is called after each event, one call at a time.
	Progress func(Progress)
	// Now is the clock for the replay time recorded in a copy.
	Now func() time.Time
}

// Progress is how far a bulk replay has come.
type Progress struct {
	Done, Sent, Failed, Skipped int
	// Total is the number of events, or -1 while they are being listed.
	Total int
	// Rate is events done per second so far.
	Rate float64
	Last Result
}

// Summary is what a bulk replay did.
type Summary struct {
	Target string `json:"target"`
	DryRun bool   `json:"dryRun,omitempty"`
	// Total counts the events the plan selected (as far as the listing
	// got); Sent the ones accepted and marked; Skipped the ones already
	// replayed; Failed the ones left waiting in the archive. An
	// interrupted run handled fewer than Total.
	Total   int           `json:"total"`
	Sent    int           `json:"sent"`
	Skipped int           `json:"skipped"`
	Failed  int           `json:"failed"`
	Elapsed time.Duration `json:"elapsed"`
	// Rate is events handled per second.
	Rate float64 `json:"rate"`
	// Failures are the events that are not done, with why.
	Failures []Result `json:"failures,omitempty"`
	// Planned lists, in a dry run, every event that would be sent.
	Planned []Result `json:"planned,omitempty"`
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryCap <= 0 {
		o.RetryCap = DefaultRetryCap
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (p Plan) check() error {
	if !p.Archive.IsSet() {
		return errors.New("replay: no archive: name its bucket and prefix")
	}
	if len(p.Keys) == 0 && p.Query.Consumer == "" {
		return errors.New("replay: nothing selected: give keys, or a consumer")
	}
	if p.Query.Replayed {
		return errors.New("replay: the query selects replayed copies; replay the waiting events")
	}
	return nil
}

// item is one event to handle.
type item struct {
	key string
	// copied: a listing found the event's _replayed/ copy beside it, so a
	// run was cut between writing the copy and deleting the original.
	copied bool
}

// Bulk replays the plan's events to its target with bounded concurrency,
// an optional rate cap and per-event retries. An event is marked replayed
// (its copy written and read back) only after the target accepted it, and
// originals are deleted in batches once their copies are safe; events that
// fail stay in the archive and are listed in the Summary. Running the same
// plan again handles only what is left, and finishes marks cut short
// without sending those events again.
func Bulk(ctx context.Context, s *backend.Session, p Plan, o Options) (Summary, error) {
	o = o.withDefaults()
	sum := Summary{Target: p.Target.String(), DryRun: o.DryRun}
	if err := p.check(); err != nil {
		return sum, err
	}
	if !o.DryRun {
		if err := s.Guard("replay to " + p.Target.String()); err != nil {
			return sum, err
		}
	}
	snd, err := newSender(s, p.Target, o.Concurrency, o.Timeout)
	if err != nil {
		return sum, err
	}
	r := &run{s: s, p: p, o: o, snd: snd, start: time.Now(), total: -1}
	r.policy = retryPolicy{retries: o.Retries, base: o.RetryBase, cap: o.RetryCap}
	if o.Rate > 0 {
		r.policy.limiter = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if !o.DryRun {
		r.deletes = startDeleter(ctx, s, p.Archive)
	}

	items := make(chan item, o.Concurrency)
	var listErr error
	go func() {
		defer close(items)
		listErr = r.list(ctx, items)
	}()
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for it := range items {
				if ctx.Err() != nil {
					continue // drain: what is not started stays waiting
				}
				if fatal := r.handle(ctx, it); fatal != nil {
					cancel(fatal)
				}
			}
		})
	}
	wg.Wait()
	var errs []error
	if listErr != nil && !errors.Is(listErr, context.Canceled) {
		errs = append(errs, listErr)
	}
	if r.deletes != nil {
		if err := r.deletes.finish(); err != nil {
			errs = append(errs, fmt.Errorf("replayed copies are safe, but some originals were not deleted (running the replay again finishes them): %w", err))
		}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		errs = append(errs, cause)
	} else if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("replay interrupted after %d of the events: run it again to resume: %w", r.done(), ctx.Err()))
	}
	return r.summary(), errors.Join(errs...)
}

// run is one bulk replay in progress.
type run struct {
	s       *backend.Session
	p       Plan
	o       Options
	snd     *sender
	policy  retryPolicy
	deletes *deleter
	start   time.Time

	mu                    sync.Mutex
	total                 int
	handled               int
	sent, skipped, failed int
	failures, planned     []Result
}

// list feeds the events to handle and records how many there are.
func (r *run) list(ctx context.Context, items chan<- item) error {
	if len(r.p.Keys) > 0 {
		keys := slices.Clone(r.p.Keys)
		slices.Sort(keys)
		keys = slices.Compact(keys) // the same key twice would be sent twice
		r.setTotal(len(keys))
		for _, k := range keys {
			select {
			case items <- item{key: k}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	n := 0
	defer func() { r.setTotal(n) }()
	q := r.p.Query
	q.Replayed = false
	pager := archive.List(r.s, r.p.Archive, q)
	for pager.More() {
		objs, err := pager.Next(ctx)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		copies, err := r.copiesBeside(ctx, objs)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		for _, obj := range objs {
			select {
			case items <- item{key: obj.Key, copied: copies[obj.ID]}:
				n++
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// copiesBeside finds which of the listed events have a _replayed/ copy
// already, listing the copies of each hour the events fall in.
func (r *run) copiesBeside(ctx context.Context, objs []archive.Object) (map[string]bool, error) {
	copies := map[string]bool{}
	hours := map[time.Time]bool{}
	for _, obj := range objs {
		h := obj.Arrival.UTC().Truncate(time.Hour)
		if hours[h] {
			continue
		}
		hours[h] = true
		replayed, err := archive.ListHour(ctx, r.s, r.p.Archive, obj.Consumer, h, true)
		if err != nil {
			return nil, err
		}
		for _, c := range replayed {
			copies[c.ID] = true
		}
	}
	return copies, nil
}

// handle replays one event. A non-nil error stops the whole run.
func (r *run) handle(ctx context.Context, it item) error {
	loc := r.p.Archive
	res := Result{Key: it.key, Target: r.p.Target.String()}
	parts, replayed, err := archive.ParseKey(loc.Prefix, it.key)
	if err != nil {
		res.Status, res.Detail = Rejected, err.Error()
		r.record(res)
		return nil
	}
	res.ID, res.PartitionKey = parts.ID, parts.PartitionKey
	copyKey := archive.ReplayedKey(loc.Prefix, it.key)
	if replayed {
		res.Status, res.Detail, res.Marked = Skipped, "a replayed copy, not a waiting event", it.key
		r.record(res)
		return nil
	}
	if it.copied {
		r.finishMark(res, copyKey)
		return nil
	}
	e, err := archive.Get(ctx, r.s, loc.Bucket, it.key)
	if errors.Is(err, archive.ErrNotFound) {
		if ok, _ := archive.Exists(ctx, r.s, loc.Bucket, copyKey); ok {
			res.Status, res.Detail, res.Marked = Skipped, "already replayed", copyKey
		} else {
			res.Status, res.Detail = Rejected, "no such archived event"
		}
		r.record(res)
		return nil
	}
	if err != nil {
		res.Status, res.Detail = Failed, err.Error()
		r.record(res)
		return nil
	}
	if len(r.p.Keys) > 0 {
		// A key given by hand has had no listing look for its copy.
		ok, err := archive.Exists(ctx, r.s, loc.Bucket, copyKey)
		if err != nil {
			res.Status, res.Detail = Failed, err.Error()
			r.record(res)
			return nil
		}
		if ok {
			r.finishMark(res, copyKey)
			return nil
		}
	}
	if r.o.DryRun {
		data, err := e.Record.Bytes()
		if err != nil {
			res.Status, res.Detail = Rejected, err.Error()
		} else {
			res.Status, res.Size = DryRun, len(data)
		}
		r.record(res)
		return nil
	}
	sent, fatal := r.snd.deliver(ctx, e, r.policy)
	sent.Key = it.key
	var sendErr error
	if sent.Status != Accepted {
		sendErr = fmt.Errorf("%s: %s", sent.Status, sent.Detail)
	}
	r.s.Audit("replay", r.p.Target.String()+" "+loc.Bucket+"/"+it.key, sendErr)
	if sent.Status == Accepted {
		r.mark(ctx, &sent, e)
	}
	r.record(sent)
	return fatal
}

// mark writes the replayed copy of an accepted event and queues its
// original for deletion. It goes on after a cancel: the event has reached
// the target, and marking it now saves sending it again.
func (r *run) mark(ctx context.Context, res *Result, e archive.Event) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	rep := archive.Replay{At: r.o.Now().UTC(), Target: r.p.Target.String(), Result: string(Accepted)}
	copyKey, err := archive.WriteReplayedCopy(ctx, r.s, r.p.Archive, res.Key, e, rep)
	if err != nil {
		res.Detail += "; sent, but not marked replayed: " + err.Error()
		return
	}
	res.Marked = copyKey
	r.deletes.add(res.Key)
}

// finishMark completes a mark cut short: the copy is there, the original
// still waits. The event is not sent again.
func (r *run) finishMark(res Result, copyKey string) {
	if r.o.DryRun {
		res.Status, res.Detail, res.Marked = Skipped, "already replayed (a real run deletes the original)", copyKey
		r.record(res)
		return
	}
	res.Status, res.Detail, res.Marked = Skipped, "already replayed; finished marking it", copyKey
	r.deletes.add(res.Key)
	r.record(res)
}

func (r *run) record(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled++
	switch {
	case res.Status == DryRun:
		r.planned = append(r.planned, res)
	case res.Status == Skipped:
		r.skipped++
	case res.Done():
		r.sent++
	default:
		r.failed++
		r.failures = append(r.failures, res)
	}
	if r.o.Progress != nil {
		r.o.Progress(Progress{Done: r.handled, Sent: r.sent, Failed: r.failed, Skipped: r.skipped,
			Total: r.total, Rate: r.rateLocked(), Last: res})
	}
}

func (r *run) rateLocked() float64 {
	secs := time.Since(r.start).Seconds()
	if secs <= 0 {
		return 0
	}
	return float64(r.handled) / secs
}

func (r *run) setTotal(n int) {
	r.mu.Lock()
	r.total = n
	r.mu.Unlock()
}

func (r *run) done() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handled
}

func (r *run) summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Summary{
		Target: r.p.Target.String(), DryRun: r.o.DryRun,
		Total: max(r.total, r.handled), Sent: r.sent, Skipped: r.skipped, Failed: r.failed,
		Elapsed: time.Since(r.start), Rate: r.rateLocked(),
		Failures: r.failures, Planned: r.planned,
	}
}
