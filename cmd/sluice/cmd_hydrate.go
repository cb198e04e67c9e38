package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

// hydrateFlags are the flags of `sluice hydrate` and `sluice dlq hydrate`.
type hydrateFlags struct {
	ops         opsFlags
	archive     string
	concurrency int
}

func addHydrateFlags(cmd *cobra.Command, f *hydrateFlags) {
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.archive, "archive", "", "archive location s3://BUCKET/PREFIX, when neither the config nor a sluice:archive tag on the queue or pipe names one")
	fl.IntVar(&f.concurrency, "concurrency", 4, "messages hydrated at once")
}

func newHydrateCmd() *cobra.Command {
	var f hydrateFlags
	var watch bool
	cmd := &cobra.Command{
		Use:   "hydrate QUEUE",
		Short: "Archive the records behind a Kinesis DLQ's failures in S3, then delete the messages",
		Long: `A DLQ message of a Kinesis consumer (EventBridge Pipes, Lambda) holds only
where the failed records are. hydrate reads those records back from the
stream, writes each as one object in the pipeline's archive, reads every
object back, and only then deletes the message. Messages whose records are
past the stream's retention, and payload messages (redrive those), stay in
the queue.

Without --watch it goes through the queue once; with --watch it keeps
hydrating messages as they arrive until Ctrl-C, printing one line per
message (JSON Lines with -o jsonl).

The archive is the one the config declares for the queue's pipeline, else
the sluice:archive tag (s3://bucket/prefix) of the queue or its pipe, else
--archive.`,
		Example: `  sluice hydrate orders-dlq --watch
  sluice hydrate orders-dlq --archive s3://orders-archive/failed/ --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if watch {
				return runHydrateWatch(ctx, cmd, f, args[0])
			}
			return runHydrateQueue(ctx, cmd, f, args[0], nil)
		},
	}
	addHydrateFlags(cmd, &f)
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "keep hydrating messages as they arrive, until Ctrl-C")
	return cmd
}

// hydrateTarget is a queue to hydrate and where its events go.
type hydrateTarget struct {
	queueURL string
	name     string
	archive  backend.ArchiveLocation
}

func resolveHydrate(ctx context.Context, o *ops, queue, archiveFlag string) (hydrateTarget, error) {
	url, err := inventory.QueueURL(ctx, o.session, queue)
	if err != nil {
		return hydrateTarget{}, err
	}
	loc, err := inventory.ArchiveForQueue(ctx, o.session, o.config.Pipelines, url, archiveFlag)
	if err != nil {
		return hydrateTarget{}, err
	}
	return hydrateTarget{queueURL: url, name: inventory.QueueName(url), archive: loc}, nil
}

func archiveSource(loc backend.ArchiveLocation) string {
	if loc.From == "" {
		return loc.String()
	}
	return fmt.Sprintf("%s (from %s)", loc, loc.From)
}

// runHydrateQueue hydrates the messages ids of queue (all when ids is
// empty) and prints one row per message.
// check refuses flag values that mean nothing, before anything is opened.
func (f hydrateFlags) check() error {
	if f.concurrency < 1 {
		return fmt.Errorf("--concurrency %d: want 1 or more", f.concurrency)
	}
	return nil
}

func runHydrateQueue(ctx context.Context, cmd *cobra.Command, f hydrateFlags, queue string, ids []string) error {
	defer backend.UseBulkGC()()
	if err := f.check(); err != nil {
		return err
	}
	f.ops.connections = hydrateConnections(f.concurrency)
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	t, err := resolveHydrate(ctx, o, queue, f.archive)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	what := fmt.Sprintf("%d messages", len(ids))
	var plan *hydrate.Plan
	if len(ids) == 0 {
		// "All" is the set a browse finds now, named before asking; the
		// run hydrates those ids alone, so that what arrives meanwhile
		// is reported rather than taken unasked.
		// What would refuse the confirmation refuses before the browse,
		// which costs every message a receive.
		if err := confirmable(cmd, o, "hydrate all messages of queue "+t.name); err != nil {
			return err
		}
		p, _, err := hydrate.PlanAll(ctx, o.session, t.queueURL)
		if err != nil {
			return err
		}
		if len(p.IDs) == 0 {
			fmt.Fprintf(stderr, "nothing to hydrate: %s holds no Kinesis failure (%d payload messages: redrive those)\n", inert.Line(t.name), p.Payloads)
			return nil
		}
		fmt.Fprintf(stderr, "the %d Kinesis failures in %s now (browsed, which raised each one's receive count by one):\n", len(p.IDs), inert.Line(t.name))
		for _, id := range p.IDs {
			fmt.Fprintln(stderr, "  "+inert.Line(id))
		}
		plan, ids = &p, p.IDs
		what = fmt.Sprintf("the %d messages listed above", len(ids))
	}
	if err := o.confirm(cmd, fmt.Sprintf("hydrate %s of queue %s into %s, deleting each once its records are archived",
		what, t.name, archiveSource(t.archive))); err != nil {
		return err
	}
	sum, err := hydrate.Queue(ctx, o.session, t.queueURL, hydrate.Options{
		Archive: t.archive, DLQ: t.name, IDs: ids, Concurrency: f.concurrency,
	})
	// The keys are what archive get and replay take: never cut them.
	if perr := printRowsFullLast(o.out, sum.Results, hydrateColumns); perr != nil && err == nil {
		err = perr
	}
	fmt.Fprintf(stderr, "hydrated %d messages (%d events); left %d, skipped %d, failed %d\n",
		sum.Hydrated, sum.Events, sum.Left, sum.Skipped, sum.Failed)
	for _, id := range sum.Missing {
		fmt.Fprintf(stderr, "not in queue %s: %s\n", t.name, inert.Line(id))
	}
	if plan != nil {
		for _, id := range plan.Arrived(sum) {
			fmt.Fprintf(stderr, "arrived since the list above, not hydrated, left in %s: %s\n", t.name, inert.Line(id))
		}
	}
	if err != nil {
		return err
	}
	if plan != nil && sum.Failed == 0 {
		// Gone from the set since it was listed (another hydrate took
		// them): said above, not a failure of this run.
		return nil
	}
	if sum.Failed > 0 || len(sum.Missing) > 0 {
		return fmt.Errorf("hydrate %s: %d messages failed and %d were not found; the failed ones stay in the queue", t.name, sum.Failed, len(sum.Missing))
	}
	return nil
}

var hydrateColumns = []column[hydrate.Result]{
	{"MESSAGE", func(r hydrate.Result) string { return r.MessageID }},
	{"OUTCOME", func(r hydrate.Result) string { return string(r.Outcome) }},
	{"EVENTS", func(r hydrate.Result) string { return fmt.Sprint(r.Events) }},
	{"KEYS OR REASON", keysOrReason},
}

func keysOrReason(r hydrate.Result) string {
	if r.Outcome != hydrate.Hydrated || len(r.Keys) == 0 {
		return r.Reason
	}
	if len(r.Keys) == 1 {
		return r.Keys[0]
	}
	return fmt.Sprintf("%s (+%d more)", r.Keys[0], len(r.Keys)-1)
}

// runHydrateWatch hydrates queue's messages as they arrive until ctx ends.
func runHydrateWatch(ctx context.Context, cmd *cobra.Command, f hydrateFlags, queue string) error {
	defer backend.UseBulkGC()()
	if err := f.check(); err != nil {
		return err
	}
	f.ops.connections = hydrateConnections(f.concurrency)
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	t, err := resolveHydrate(ctx, o, queue, f.archive)
	if err != nil {
		return err
	}
	if err := o.confirm(cmd, fmt.Sprintf("watch queue %s and hydrate its messages into %s as they arrive, deleting each once its records are archived",
		t.name, archiveSource(t.archive))); err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "watching %s; archive %s; Ctrl-C to stop\n", t.name, archiveSource(t.archive))
	hydrated, events := 0, 0
	printResult := watchPrinter(o.out)
	err = hydrate.Watch(ctx, o.session, t.queueURL, hydrate.Options{Archive: t.archive, DLQ: t.name, Concurrency: f.concurrency},
		func(r hydrate.Result) {
			if r.Outcome == hydrate.Hydrated {
				hydrated++
			}
			events += r.Events
			printResult(r)
		})
	fmt.Fprintf(stderr, "stopped: hydrated %d messages (%d events)\n", hydrated, events)
	return err
}

// watchPrinter prints one line per result: text for people, JSON Lines
// otherwise (a watch is a stream, so -o json prints lines too).
func watchPrinter(out output) func(hydrate.Result) {
	if out.format != "table" {
		return func(r hydrate.Result) { _ = writeJSON(out.w, r, false) }
	}
	return func(r hydrate.Result) { writeWatchLine(out.w, time.Now(), r) }
}

func writeWatchLine(w io.Writer, at time.Time, r hydrate.Result) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-8s  %s", at.UTC().Format(time.RFC3339), r.Outcome, r.MessageID)
	switch {
	case r.Outcome == hydrate.Hydrated:
		fmt.Fprintf(&b, "  %d events", r.Events)
		if len(r.Keys) > 0 {
			b.WriteString("  " + keysOrReason(r))
		}
	case r.Reason != "":
		b.WriteString("  " + r.Reason)
	}
	fmt.Fprintln(w, inert.Line(b.String()))
}

// confirmable makes, before any work toward the question, the checks that
// o.confirm would make before asking: read-only, and a terminal to ask on
// unless --yes.
func confirmable(cmd *cobra.Command, o *ops, what string) error {
	if err := o.session.Guard(what); err != nil {
		return err
	}
	if !o.flags.yes && !isTerminal(cmd.InOrStdin()) {
		return fmt.Errorf("%s: not confirmed; pass --yes to confirm when not on a terminal", what)
	}
	return nil
}

// hydrateConnections is the connection pool a hydrate of concurrency
// keeps: concurrency messages read at once, their records written
// WritesPerMessage times as many at once, and a few receives and deletes.
func hydrateConnections(concurrency int) int {
	return max(backend.DefaultConnections, (hydrate.WritesPerMessage+1)*concurrency+8)
}
