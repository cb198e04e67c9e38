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
	// Now is the clock for the replay time recorded in a manifest.
	Now func() time.Time
	// CopyTo, when set, makes the run a copy into another profile (see
	// copy.go): events are read from the source session's archive and
	// sent through CopyTo, and the source archive is left as it was.
	CopyTo *backend.Session
	// MarkBatch is the most attempts not yet in a written manifest
	// (default DefaultMarkBatch; manifests are written in halves of it,
	// one while the next fills): with the events in flight, the most
	// accepted events a crash can leave unmarked.
	MarkBatch int
	// Planned, in a dry run, is given each event that would be sent as
	// it is read, in place of the Summary's Planned list, so that a plan
	// of any length takes flat memory.
	Planned func(Result)
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
	// Planned lists, in a dry run without Options.Planned, every event
	// that would be sent.
	Planned []Result `json:"planned,omitempty"`
	// CopiedTo names the profile a copy sent the events to; Sent then
	// counts the events it accepted, none of them marked.
	CopiedTo string `json:"copiedTo,omitempty"`
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
	if o.MarkBatch <= 0 {
		o.MarkBatch = DefaultMarkBatch
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

// Bulk replays the plan's events to its target with bounded concurrency,
// an optional rate cap and per-event retries. Every attempt that reached
// the target is recorded in a manifest under <prefix>_replayed/_manifests/
// (written in batches, one object per consumer and hour a batch touches):
// a failed or rejected one as its event's history, an accepted one with
// the event itself, which marks it replayed. An event is marked only
// after the target accepted it, and its original is deleted, in
// DeleteObjects batches, only once S3 has confirmed the manifest. Events
// that fail stay in the archive and are listed in the Summary. Running
// the same plan again handles only what is left, and finishes marks cut
// short without sending those events again.
//
// The work runs in stages, so that reading the next events overlaps with
// sending: readers fetch events, Concurrency senders deliver them (in
// batches where the target's API batches: see batch.go), the recorder
// writes the manifests and a deleter removes the originals. At most
// Concurrency calls' events and MarkBatch recorded attempts are ever
// accepted but not yet marked: those are what a crash can make a target
// see twice.
func Bulk(ctx context.Context, s *backend.Session, p Plan, o Options) (Summary, error) {
	o = o.withDefaults()
	sum := Summary{Target: p.Target.String(), DryRun: o.DryRun, CopiedTo: o.copiedTo()}
	if err := p.check(); err != nil {
		return sum, err
	}
	to := o.targetSession(s)
	if !o.DryRun {
		if err := to.Guard(o.verb() + " to " + p.Target.String()); err != nil {
			return sum, err
		}
	}
	snd, err := newSender(to, p.Target, o.Concurrency, o.Timeout)
	if err != nil {
		return sum, err
	}
	r := &run{s: s, p: p, o: o, snd: snd, start: time.Now(), total: -1}
	r.policy = retryPolicy{retries: o.Retries, base: o.RetryBase, cap: o.RetryCap}
	if o.Rate > 0 {
		r.policy.limiter = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.cancel = cancel
	if !o.DryRun && o.CopyTo == nil {
		r.deletes = startDeleter(ctx, s, p.Archive)
		r.records = startRecorder(ctx, s, p.Archive, o.Now, o.MarkBatch)
	}

	items := make(chan item, o.Concurrency)
	loaded := make(chan loadedEvent, o.Concurrency)
	var listErr error
	go func() {
		defer close(items)
		listErr = r.list(ctx, items)
	}()
	// What is not started when the run is cancelled stays waiting; what was
	// accepted is still marked.
	stage(o.Concurrency, func() {
		for it := range items {
			if ctx.Err() == nil {
				r.read(ctx, it, loaded)
			}
		}
	}, func() { close(loaded) })
	// Where the target batches, events are grouped into calls; either
	// way, Concurrency calls are in flight at most.
	batches := make(chan []loadedEvent)
	if lim := limitsOf(p.Target.Kind); lim.entries > 1 {
		go batchEvents(p.Target.Kind, lim, loaded, batches)
	} else {
		go func() {
			defer close(batches)
			for ev := range loaded {
				batches <- []loadedEvent{ev}
			}
		}()
	}
	var senders sync.WaitGroup
	for range o.Concurrency {
		senders.Go(func() {
			for b := range batches {
				if ctx.Err() == nil {
					if fatal := r.sendBatch(ctx, b); fatal != nil {
						r.stop(fatal)
					}
				}
			}
		})
	}
	senders.Wait()

	var errs []error
	if listErr != nil && !errors.Is(listErr, context.Canceled) {
		errs = append(errs, listErr)
	}
	// The recorder first: the manifests it writes last free originals
	// for the deleter.
	if r.records != nil {
		if err := r.records.finish(); err != nil {
			errs = append(errs, fmt.Errorf("some replay attempts were not recorded in the archive (accepted events among them stay waiting, and the next run sends them again): %w", err))
		}
	}
	if r.deletes != nil {
		if err := r.deletes.finish(); err != nil {
			errs = append(errs, fmt.Errorf("replayed events are marked, but some originals were not deleted (running the replay again finishes them): %w", err))
		}
	}
	if fatal := r.stopped(); fatal != nil {
		errs = append(errs, fmt.Errorf("replay stopped after %d of the events: %w", r.done(), fatal))
	} else if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("replay interrupted after %d of the events: run it again to resume: %w", r.done(), ctx.Err()))
	}
	return r.summary(), errors.Join(errs...)
}

// stage runs n workers, then after once they have all returned.
func stage(n int, worker, after func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(worker)
	}
	go func() {
		wg.Wait()
		after()
	}()
}

// run is one bulk replay in progress.
type run struct {
	s       *backend.Session
	p       Plan
	o       Options
	snd     *sender
	policy  retryPolicy
	deletes *deleter
	records *recorder
	start   time.Time
	cancel  context.CancelFunc

	// markedHours caches, by consumer and hour, the replayed records of
	// the hours that keys given by hand fall in.
	markedMu    sync.Mutex
	markedHours map[string]map[string]string

	mu                    sync.Mutex
	fatal                 error
	total                 int
	handled               int
	sent, skipped, failed int
	failures, planned     []Result
}

func (r *run) record(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled++
	switch {
	case res.Status == DryRun && r.o.Planned != nil:
		r.o.Planned(res)
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

// stop ends the run early for err; the first such error is reported.
func (r *run) stop(err error) {
	r.mu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.mu.Unlock()
	r.cancel()
}

func (r *run) stopped() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
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
		Failures: inListingOrder(r.failures), Planned: inListingOrder(r.planned),
		CopiedTo: r.o.copiedTo(),
	}
}

// inListingOrder sorts a copy of results as the listing gave the events:
// workers finish in any order, and a plan or a failure list read twice
// should read the same.
func inListingOrder(results []Result) []Result {
	out := slices.Clone(results)
	slices.SortStableFunc(out, func(a, b Result) int { return a.seq - b.seq })
	return out
}
