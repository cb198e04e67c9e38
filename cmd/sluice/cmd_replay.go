package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/replay"
)

type replayFlags struct {
	ops          opsFlags
	archive      string
	to           string
	toProfile    string
	consumer     string
	since, until string
	partitionKey string
	dryRun       bool
	rate         float64
	concurrency  int
	retries      int
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay KEY... | --consumer C --since T",
		Short: "Send archived events back to their pipeline's target, marking each replayed once accepted",
		Long: `Replay archived events to the pipeline's target — the source Kinesis stream
(with the original partition key), an SQS queue, an EventBridge bus, or an
HTTP endpoint — or to --to. Every event carries its id as an idempotency
key: the Idempotency-Key header over HTTP, the sluice-event-id message
attribute on SQS, the sluiceEventId field of an EventBridge event's detail.

An event is marked replayed (moved under _replayed/) only after the target
accepted it, so an interrupted replay loses nothing: run the same command
again and it picks up where it stopped, sending again at most the events
that were in flight. Events the target refuses stay in the archive and are
listed; the command then exits non-zero.

--dry-run shows what would be sent where, and sends and marks nothing.

--to-profile P copies instead: the events are read from this profile's
archive and sent to --to in profile P (a stream or queue named there, or an
ARN or URL) — production's failures into the bundled engine, say, to run
and debug their consumer against them. They keep their ids and partition
keys. The source archive is only read: nothing is marked, moved, deleted
or recorded there, so running the copy again sends every event again.
The write is P's, so P's readonly setting refuses it; --readonly guards
this profile, from which a copy only reads.`,
		Example: `  sluice replay failed/orders-to-api/2026/11/27/09/c-42-1795770301234-3f2a….json
  sluice replay --consumer orders-to-api --since 6h --dry-run
  sluice replay --consumer orders-to-api --since 2026-11-27T00:00:00Z --rate 50 --yes
  sluice replay --profile prod --readonly --consumer orders-to-api --since 1d --to-profile local --to orders`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return runReplay(ctx, cmd, f, args)
		},
	}
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "replay target: a Kinesis stream, SQS queue or event bus ARN, or an http(s) URL (default the pipeline's)")
	fl.StringVar(&f.toProfile, "to-profile", "", "copy into this profile's --to instead of replaying: the source archive is not marked")
	fl.StringVar(&f.archive, "archive", "", "the archive, s3://BUCKET/PREFIX (default the pipeline's)")
	fl.StringVar(&f.consumer, "consumer", "", "replay this consumer's events (with --since)")
	fl.StringVar(&f.since, "since", "", "events that arrived at or after this time: RFC 3339, or a duration ago (2h, 7d)")
	fl.StringVar(&f.until, "until", "", "events that arrived before this time: RFC 3339, or a duration ago")
	fl.StringVar(&f.partitionKey, "key", "", "only events with exactly this partition key")
	fl.BoolVar(&f.dryRun, "dry-run", false, "show what would be sent where; send and mark nothing")
	fl.Float64Var(&f.rate, "rate", 0, "at most this many sends a second, retries included (0: no cap)")
	fl.IntVar(&f.concurrency, "concurrency", 8, "events sent at once")
	fl.IntVar(&f.retries, "retries", replay.DefaultRetries, "retries of an event the target failed (throttled, 5xx, timeout), with backoff")
	return cmd
}

// replayJob is a resolved replay: what goes where.
type replayJob struct {
	plan     replay.Plan
	consumer string
	// count is the number of events selected, or -1 when not counted.
	count int
	// single is the id of the one event replayed by key.
	single string
}

func runReplay(ctx context.Context, cmd *cobra.Command, f replayFlags, keys []string) error {
	defer backend.UseBulkGC()()
	if err := checkReplayFlags(f, keys); err != nil {
		return err
	}
	// Readers and senders make up to twice the concurrency of calls at
	// once, and the recorder and deleter a few more.
	f.ops.connections = max(backend.DefaultConnections, 2*f.concurrency+4)
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	var dest *backend.Session
	if f.toProfile != "" {
		if dest, err = o.openOther(ctx, f.toProfile); err != nil {
			return fmt.Errorf("--to-profile: %w", err)
		}
	}
	job, err := resolveReplay(ctx, o, f, keys, dest)
	if err != nil {
		return err
	}
	if job.count == 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "no events of consumer %s waiting in %s for that time range\n", job.consumer, job.plan.Archive)
		return nil
	}
	if !f.dryRun {
		question, on := replayQuestion(job), o.session
		if dest != nil {
			question, on = copyQuestion(job, dest.Profile.Name), dest
		}
		if err := o.confirmOn(cmd, on, question); err != nil {
			return err
		}
	}
	// A copy lists every event it sent: the source keeps no trace of it.
	perEvent := len(keys) > 0 || dest != nil
	var (
		mu      sync.Mutex
		results []replay.Result
	)
	progress := newReplayProgress(cmd.ErrOrStderr(), f.dryRun)
	opts := replay.Options{Concurrency: f.concurrency, Rate: f.rate, DryRun: f.dryRun, Retries: f.retries,
		Progress: func(p replay.Progress) {
			progress.update(p)
			if perEvent {
				mu.Lock()
				results = append(results, p.Last)
				mu.Unlock()
			}
		}}
	if f.retries == 0 {
		opts.Retries = -1 // --retries 0 means none; the option's zero means the default
	}
	opts.CopyTo = dest
	// A dry run of a consumer's events writes its plan as it reads it.
	var plan *planStream
	if f.dryRun && len(keys) == 0 {
		plan = newPlanStream(o.out)
		opts.Planned = plan.add
	}
	sum, runErr := replay.Bulk(ctx, o.session, job.plan, opts)
	progress.finish(sum)
	inGivenOrder(results, keys)
	printed := func() error { return printReplay(o.out, sum, results, perEvent) }
	if plan != nil {
		printed = func() error { return plan.finish(sum) }
	}
	if err := printed(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return runErr
	}
	if dest != nil && sum.Failed > 0 {
		return fmt.Errorf("%s not copied to %s: running the same command again copies every selected event again, the ones copied included", countEvents(sum.Failed), dest.Profile.Name)
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%s not replayed; they stay in the archive: run the same command again to retry them", countEvents(sum.Failed))
	}
	return nil
}

func checkReplayFlags(f replayFlags, keys []string) error {
	switch {
	case len(keys) > 0 && (f.consumer != "" || f.since != "" || f.until != "" || f.partitionKey != ""):
		return errors.New("give keys, or --consumer with --since, not both")
	case len(keys) == 0 && f.consumer == "":
		return errors.New("nothing to replay: give archive keys, or --consumer C --since T")
	case len(keys) == 0 && f.since == "":
		return errors.New("--since: say from when to replay the consumer's events (an RFC 3339 time, or a duration ago such as 6h or 30d)")
	case f.concurrency < 1:
		return fmt.Errorf("--concurrency %d: want 1 or more", f.concurrency)
	case f.rate < 0:
		return fmt.Errorf("--rate %g: want 0 (no cap) or more", f.rate)
	case f.retries < 0:
		return fmt.Errorf("--retries %d: want 0 or more", f.retries)
	case f.toProfile != "" && f.to == "":
		return fmt.Errorf("--to-profile %s: name the target there with --to (a stream or queue name, an ARN or a URL)", f.toProfile)
	}
	// The values are read again once the session is open; here they are
	// only checked, so that a typo costs no engine start and no listing.
	for flag, v := range map[string]string{"since": f.since, "until": f.until} {
		if _, err := parseWhen(flag, v, time.Now()); err != nil {
			return err
		}
	}
	if f.to != "" && f.toProfile == "" { // a copy's --to may be a name, looked up in its profile
		if _, err := backend.ParseTarget(f.to); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	return nil
}

// resolveReplay finds the archive, the target and the events.
func resolveReplay(ctx context.Context, o *ops, f replayFlags, keys []string, dest *backend.Session) (replayJob, error) {
	pl := o.locator()
	var job replayJob
	if len(keys) > 0 {
		loc, resolved, err := pl.KeysArchive(ctx, keys, f.archive)
		if err != nil {
			return job, err
		}
		job.plan = replay.Plan{Archive: loc, Keys: resolved}
		job.count = len(resolved)
		first, _, _ := archive.ParseKey(loc.Prefix, resolved[0])
		job.consumer = first.Consumer
		for _, k := range resolved[1:] {
			if p, _, _ := archive.ParseKey(loc.Prefix, k); p.Consumer != job.consumer && f.to == "" {
				return job, fmt.Errorf("the keys are of consumers %s and %s, whose targets may differ: replay them one consumer at a time, or pass --to", job.consumer, p.Consumer)
			}
		}
		if len(resolved) == 1 {
			job.single = first.ID
		}
	} else {
		now := time.Now()
		since, err := parseWhen("since", f.since, now)
		if err != nil {
			return job, err
		}
		until, err := parseWhen("until", f.until, now)
		if err != nil {
			return job, err
		}
		loc, err := pl.ConsumerArchive(ctx, f.consumer, f.archive)
		if err != nil {
			return job, err
		}
		job.consumer = f.consumer
		job.plan = replay.Plan{Archive: loc, Query: archive.Query{Consumer: f.consumer, Since: since, Until: until, PartitionKey: f.partitionKey}}
		job.count = -1
	}
	var target backend.Target
	var err error
	if dest != nil {
		if target, err = backend.ResolveTarget(ctx, dest, f.to); err != nil {
			return job, fmt.Errorf("--to: %w", err)
		}
	} else if target, err = replayTarget(ctx, pl, job.consumer, f.to); err != nil {
		return job, err
	}
	job.plan.Target = target
	if job.count < 0 && !f.dryRun {
		// Counted for the confirmation, once the target is known to be
		// there; a listing costs little next to sending.
		objs, err := archive.List(o.session, job.plan.Archive, job.plan.Query).All(ctx)
		if err != nil {
			return job, err
		}
		job.count = len(objs)
	}
	return job, nil
}

// replayTarget is --to, else the consumer's pipeline's target.
func replayTarget(ctx context.Context, pl *inventory.Locator, consumer, to string) (backend.Target, error) {
	if to != "" {
		t, err := backend.ParseTarget(to)
		if err != nil {
			return t, fmt.Errorf("--to: %w", err)
		}
		return t, nil
	}
	return pl.ReplayTarget(ctx, consumer)
}

func replayQuestion(job replayJob) string {
	where := "to " + targetLabel(job.plan.Target)
	if job.single != "" {
		return fmt.Sprintf("replay event %s of consumer %s %s (idempotency key %s), then mark it replayed", job.single, job.consumer, where, job.single)
	}
	what := countEvents(job.count)
	if job.plan.Query.Consumer != "" {
		what += " of consumer " + job.consumer
		q := job.plan.Query
		if !q.Since.IsZero() {
			what += " since " + q.Since.UTC().Format(time.RFC3339)
		}
		if !q.Until.IsZero() {
			what += " until " + q.Until.UTC().Format(time.RFC3339)
		}
	}
	return fmt.Sprintf("replay %s %s (each with its id as idempotency key), marking each replayed once accepted", what, where)
}

// copyQuestion asks before a copy into another profile.
func copyQuestion(job replayJob, profile string) string {
	what := countEvents(job.count)
	if job.single != "" {
		what = "event " + job.single
	}
	return fmt.Sprintf("copy %s of consumer %s to %s in profile %s (each with its id and partition key); the source archive is not marked",
		what, job.consumer, targetLabel(job.plan.Target), profile)
}

// targetLabel names a target with what it is.
func targetLabel(t backend.Target) string {
	switch t.Kind {
	case backend.TargetKinesis:
		return "Kinesis stream " + t.String()
	case backend.TargetSQS:
		return "SQS queue " + t.String()
	case backend.TargetEventBus:
		return "event bus " + t.String()
	}
	return t.String()
}

// replayProgress prints progress lines on stderr, at most one a second,
// and a last one at the end.
type replayProgress struct {
	w      io.Writer
	dryRun bool
	mu     sync.Mutex
	last   time.Time
}

func newReplayProgress(w io.Writer, dryRun bool) *replayProgress {
	return &replayProgress{w: w, dryRun: dryRun, last: time.Now()}
}

func (p *replayProgress) update(pr replay.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	total := "?"
	if pr.Total >= 0 {
		total = strconv.Itoa(pr.Total)
	}
	verb := "replayed"
	if p.dryRun {
		verb = "planned"
	}
	fmt.Fprintf(p.w, "%s %d/%s: %d sent, %d skipped, %d failed (%.0f/s)\n", verb, pr.Done, total, pr.Sent, pr.Skipped, pr.Failed, pr.Rate)
}

func (p *replayProgress) finish(s replay.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.DryRun {
		fmt.Fprintf(p.w, "dry run: %s would be sent to %s; %d skipped, %d unreadable; nothing sent or marked\n",
			countEvents(s.Total-s.Skipped-s.Failed), s.Target, s.Skipped, s.Failed)
		return
	}
	if s.CopiedTo != "" {
		fmt.Fprintf(p.w, "copied %s to %s, source archive unchanged; %d failed, in %s (%.0f/s)\n",
			countEvents(s.Sent), s.CopiedTo, s.Failed, s.Elapsed.Round(time.Millisecond), s.Rate)
		return
	}
	fmt.Fprintf(p.w, "done: %d of %s sent and marked, %d skipped, %d failed, in %s (%.0f/s)\n",
		s.Sent, countEvents(s.Total), s.Skipped, s.Failed, s.Elapsed.Round(time.Millisecond), s.Rate)
}

// printReplay prints what the replay did: every event's result when keys
// were given, else the summary and the failures; in a dry run, the plan.
func printReplay(out output, sum replay.Summary, results []replay.Result, byKey bool) error {
	if out.format != "table" {
		if byKey {
			sum.Planned = nil
			return printOne(out, struct {
				replay.Summary
				Results []replay.Result `json:"results"`
			}{sum, results}, nil)
		}
		return printOne(out, sum, nil)
	}
	if sum.DryRun {
		return printRowsFullLast(out, sum.Planned, replayPlanColumns)
	}
	if byKey {
		return printRowsFullLast(out, results, replayResultColumns)
	}
	if err := printRows(out, []replay.Summary{sum}, replaySummaryColumns); err != nil {
		return err
	}
	if len(sum.Failures) == 0 {
		return nil
	}
	fmt.Fprintln(out.w)
	return printRowsFullLast(out, sum.Failures, replayResultColumns)
}

var replayPlanColumns = []column[replay.Result]{
	{"TARGET", func(r replay.Result) string { return r.Target }},
	{"ID", func(r replay.Result) string { return r.ID }},
	{"PARTITION KEY", func(r replay.Result) string { return r.PartitionKey }},
	{"SIZE", func(r replay.Result) string { return strconv.Itoa(r.Size) }},
	{"KEY", func(r replay.Result) string { return r.Key }},
}

var replayResultColumns = []column[replay.Result]{
	{"ID", func(r replay.Result) string { return r.ID }},
	{"STATUS", resultStatus},
	{"ATTEMPTS", func(r replay.Result) string { return strconv.Itoa(r.Attempts) }},
	{"DETAIL", func(r replay.Result) string { return r.Detail }},
	{"KEY", func(r replay.Result) string { return r.Key }},
}

// resultStatus says "copied" for an event a copy into another profile
// delivered: "accepted" would suggest a replay, which marks its event.
func resultStatus(r replay.Result) string {
	if r.Copied {
		return "copied"
	}
	return string(r.Status)
}

var replaySummaryColumns = []column[replay.Summary]{
	{"TARGET", func(s replay.Summary) string { return s.Target }},
	{"TOTAL", func(s replay.Summary) string { return strconv.Itoa(s.Total) }},
	{"SENT", func(s replay.Summary) string { return strconv.Itoa(s.Sent) }},
	{"SKIPPED", func(s replay.Summary) string { return strconv.Itoa(s.Skipped) }},
	{"FAILED", func(s replay.Summary) string { return strconv.Itoa(s.Failed) }},
	{"ELAPSED", func(s replay.Summary) string { return s.Elapsed.Round(time.Millisecond).String() }},
	{"RATE", func(s replay.Summary) string { return fmt.Sprintf("%.0f/s", s.Rate) }},
}

// inGivenOrder sorts results as their keys were given on the command line,
// else (a copy of a consumer's events) by key, which is by arrival hour;
// the workers finish in any order.
func inGivenOrder(results []replay.Result, keys []string) {
	if len(keys) == 0 {
		slices.SortStableFunc(results, func(a, b replay.Result) int { return strings.Compare(a.Key, b.Key) })
		return
	}
	place := make(map[string]int, len(keys))
	for i, k := range keys {
		if _, ok := place[k]; !ok {
			place[k] = i
		}
	}
	slices.SortStableFunc(results, func(a, b replay.Result) int { return place[a.Key] - place[b.Key] })
}
