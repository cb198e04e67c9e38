package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newArchiveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "List, read, mark replayed and delete the failed events archived in S3",
		Long: `Work with a pipeline's archive: one S3 object per failed event, under
<prefix><consumer>/YYYY/MM/DD/HH/<partitionKey>-<epochMillis>-<id>.json.
Replayed events are moved under <prefix>_replayed/ with what the replay did;
every replay attempt that did not end in a mark (failed, refused) is
recorded under <prefix>_replayed/_manifests/, and ls shows each event's
last attempt (-o json: its attempts).

The archive of a consumer is the one its pipeline names (the sluice config,
else a sluice:archive tag on its DLQ or pipe); --archive s3://BUCKET/PREFIX
overrides it. A key may also be given as s3://BUCKET/KEY.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newArchiveListCmd(), newArchiveGetCmd(), newArchiveMarkCmd(), newArchiveRemoveCmd(),
		newArchiveExportCmd(), newArchiveImportCmd())
	return cmd
}

// --- where the archive is ---

// locator finds, for one command, the archive of a consumer or a key and
// a consumer's replay target: the backend's Locator over the config's
// pipelines, which discovers them at most once and only when the config
// does not say.
func (o *ops) locator() *inventory.Locator {
	return inventory.NewLocator(o.session, o.config.Pipelines, "")
}

// parseWhen reads a time: RFC 3339, or a duration (2h, 30m, 7d) meaning
// that long before now.
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := parseAgo(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--%s %q: want an RFC 3339 time (2026-11-27T09:00:00Z) or a duration ago (90m, 2h, 7d)", flag, s)
	}
	return now.Add(-d), nil
}

func parseAgo(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n > 1e6 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// --- ls ---

type archiveListFlags struct {
	ops          opsFlags
	consumer     string
	since, until string
	partitionKey string
	replayed     bool
	archive      string
	limit        int
}

func newArchiveListCmd() *cobra.Command {
	var f archiveListFlags
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List archived events, newest first",
		Long: `List archived events newest first: one consumer's with --consumer, else
every consumer's in the archive. --replayed lists the replayed copies
instead of the events still waiting.`,
		Example: `  sluice archive ls --consumer orders-to-api --since 2h
  sluice archive ls --archive s3://orders-archive/failed/ --key customer-42 -o jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return runArchiveList(ctx, cmd, f)
		},
	}
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.consumer, "consumer", "", "the consumer (pipe or function) whose events to list (default every consumer in the archive)")
	fl.StringVar(&f.since, "since", "", "only events that arrived at or after this time: RFC 3339, or a duration ago (2h, 7d)")
	fl.StringVar(&f.until, "until", "", "only events that arrived before this time: RFC 3339, or a duration ago")
	fl.StringVar(&f.partitionKey, "key", "", "only events with exactly this partition key")
	fl.BoolVar(&f.replayed, "replayed", false, "list the replayed copies instead")
	fl.StringVar(&f.archive, "archive", "", "the archive, s3://BUCKET/PREFIX (default the consumer's pipeline's)")
	fl.IntVar(&f.limit, "limit", 0, fmt.Sprintf("print at most this many events, 0 for all (default %d for -o table, none for json and jsonl)", defaultTableLimit))
	return cmd
}

func runArchiveList(ctx context.Context, cmd *cobra.Command, f archiveListFlags) error {
	now := time.Now()
	since, err := parseWhen("since", f.since, now)
	if err != nil {
		return err
	}
	until, err := parseWhen("until", f.until, now)
	if err != nil {
		return err
	}
	if f.limit < 0 {
		return fmt.Errorf("--limit %d: want 0 (all) or more", f.limit)
	}
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	sources, failures, err := listSources(ctx, o.locator(), f)
	if err != nil {
		return err
	}
	limit := f.limit
	if !cmd.Flags().Changed("limit") && o.out.format == "table" {
		limit = defaultTableLimit
	}
	q := archive.Query{Since: since, Until: until, PartitionKey: f.partitionKey, Replayed: f.replayed}
	stderr := cmd.ErrOrStderr()
	// Each hour's replay attempts are one listing of that hour's
	// manifests and their reads, never a call per event. An hour whose
	// attempts could not be read is still listed.
	opts := archive.NewestOptions{Attempts: true, AttemptsFailed: func(err error) {
		fmt.Fprintf(stderr, "warning: %s\n", inert.Line(err.Error()))
	}}
	rw := newRowWriter(o.out, archiveObjectColumns, true)
	more, listErr, err := writeNewest(rw, archive.Newest(ctx, o.session, sources, q, opts), limit)
	if err != nil {
		return err
	}
	if listErr != nil {
		if rw.Rows() == 0 {
			return listErr
		}
		// The rows written stand: the listing is partial.
		failures = append(failures, o.session.Failure("s3", "archive", listErr))
	}
	if cerr := rw.Close(); cerr != nil {
		return cerr
	}
	if more {
		if o.out.format == "table" {
			fmt.Fprintf(o.out.w, "… more; use --limit 0 or -o jsonl\n")
		} else {
			fmt.Fprintf(stderr, "more events than --limit %d; raise it to see them\n", limit)
		}
	}
	return reportFailures(stderr, failures)
}

// writeNewest writes the events of a newest-first listing as they come,
// flushing each run before the listing reads more, up to limit (0: all);
// more reports that limit cut the listing; listErr is the listing's
// failure, err the output's.
func writeNewest(rw *rowWriter[archive.Object], runs iter.Seq2[[]archive.Object, error], limit int) (more bool, listErr, err error) {
	for run, listErr := range runs {
		if listErr != nil {
			return false, listErr, nil
		}
		for _, obj := range run {
			if limit > 0 && rw.Rows() == limit {
				return true, nil, nil
			}
			if err := rw.Row(obj); err != nil {
				return false, nil, err
			}
		}
		if err := rw.Flush(); err != nil {
			return false, nil, err
		}
	}
	return false, nil, nil
}

// listSources is what ls lists: one consumer, or every consumer of the
// archive (of --archive, else of every pipeline that has one), with what
// could not be read.
func listSources(ctx context.Context, l *inventory.Locator, f archiveListFlags) ([]archive.Source, backend.Failures, error) {
	if f.consumer != "" {
		loc, err := l.ConsumerArchive(ctx, f.consumer, f.archive)
		if err != nil {
			return nil, nil, err
		}
		return []archive.Source{{Loc: loc, Consumer: f.consumer}}, nil, nil
	}
	var only backend.ArchiveLocation
	if f.archive != "" {
		bucket, prefix, err := config.ParseS3URL(f.archive)
		if err != nil {
			return nil, nil, fmt.Errorf("--archive: %w", err)
		}
		only = backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}
	}
	found, err := l.ArchiveConsumers(ctx, only)
	if err != nil {
		return nil, nil, err
	}
	if len(found.Archives) == 0 && len(found.Failures) == 0 {
		return nil, nil, errors.New("no archive known: pass --archive s3://BUCKET/PREFIX, or --consumer of a pipeline that has one")
	}
	sources := make([]archive.Source, 0, len(found.Consumers))
	for _, c := range found.Consumers {
		sources = append(sources, archive.Source{Loc: c.Archive, Consumer: c.Name})
	}
	return sources, found.Failures, nil
}

var archiveObjectColumns = []column[archive.Object]{
	{"ARRIVAL", func(o archive.Object) string { return o.Arrival.UTC().Format("2006-01-02T15:04:05.000Z") }},
	{"CONSUMER", func(o archive.Object) string { return o.Consumer }},
	{"PARTITION KEY", func(o archive.Object) string { return o.PartitionKey }},
	{"ID", func(o archive.Object) string { return o.ID }},
	{"SIZE", func(o archive.Object) string { return strconv.FormatInt(o.Size, 10) }},
	{"LAST ATTEMPT", lastAttemptCell},
	{"KEY", func(o archive.Object) string { return o.Key }},
}

// lastAttemptCell is an event's last replay attempt: its answer, when,
// and how many attempts there were; "-" for none.
func lastAttemptCell(o archive.Object) string {
	n := len(o.Attempts)
	if n == 0 {
		return "-"
	}
	a := o.Attempts[n-1]
	cell := a.Answer() + " " + a.At.UTC().Format("2006-01-02T15:04:05Z")
	if n > 1 {
		cell += fmt.Sprintf(" (%d attempts)", n)
	}
	return cell
}

// --- get ---

func newArchiveGetCmd() *cobra.Command {
	var f opsFlags
	var archiveFlag string
	cmd := &cobra.Command{
		Use:   "get KEY",
		Short: "Print one archived event, its data decoded",
		Long: `Print one archived event: the record, why it failed and, for a replayed
copy, what the replay did. The table output decodes the data (JSON pretty,
text, gzip, binary as hex), shown inert; -o json prints the object as it is
stored.`,
		Example: `  sluice archive get failed/orders-to-api/2026/11/27/09/c-42-1795770301234-3f2a….json
  sluice archive get s3://orders-archive/failed/orders-to-api/…json -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			loc, key, err := o.locator().KeyArchive(ctx, args[0], archiveFlag)
			if err != nil {
				return err
			}
			e, err := archive.Get(ctx, o.session, loc.Bucket, key)
			if err != nil {
				return err
			}
			return printArchivedEvent(o.out, loc, key, e)
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().StringVar(&archiveFlag, "archive", "", "the archive, s3://BUCKET/PREFIX (default the one of the key's consumer)")
	return cmd
}

// printArchivedEvent prints e: the stored JSON for scripts, a readable,
// inert page for people.
func printArchivedEvent(out output, loc backend.ArchiveLocation, key string, e archive.Event) error {
	if out.format != "table" {
		body, err := e.Marshal()
		if err != nil {
			return err
		}
		if out.format == "jsonl" {
			var compact bytes.Buffer
			if err := json.Compact(&compact, body); err != nil {
				return err
			}
			body = append(compact.Bytes(), '\n')
		}
		// The object is printed as stored, but for the runes a terminal
		// acts on, which are escaped: the same JSON value.
		return writeJSONText(out.w, body)
	}
	tw := tabwriter.NewWriter(out.w, 0, 4, 2, ' ', 0)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", name, inert.Line(value))
		}
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	r := e.Record
	field("key", "s3://"+loc.Bucket+"/"+key)
	field("id", e.ID)
	field("consumer", e.Consumer)
	field("stream", r.StreamARN)
	field("shard", r.ShardID)
	field("sequence", r.SequenceNumber)
	field("partition key", r.PartitionKey)
	field("arrival", stamp(r.ArrivalTime))
	fl := e.Failure
	field("failure", strings.TrimSpace(fl.Condition+" "+fl.Source))
	field("failed in", fl.ConsumerARN)
	if fl.DLQ != "" || fl.MessageID != "" {
		field("dlq message", strings.TrimSpace(fl.DLQ+" "+fl.MessageID))
	}
	field("failed at", stamp(fl.FailedAt))
	field("hydrated at", stamp(e.HydratedAt))
	if e.Replay != nil {
		field("replayed", fmt.Sprintf("%s to %s: %s", stamp(e.Replay.At), e.Replay.Target, e.Replay.Result))
	}
	data, err := r.Bytes()
	if err != nil {
		field("data", "unreadable: "+err.Error())
		return tw.Flush()
	}
	p := decode.Decode(data)
	kind := p.Kind.String()
	if p.Gzip {
		kind = "gzip, " + kind
	}
	field("data", fmt.Sprintf("%s, %d bytes", kind, len(data)))
	field("note", p.Note)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out.w, "\n%s\n", inert.Block(p.Pretty()))
	return err
}

// --- mark ---

func newArchiveMarkCmd() *cobra.Command {
	var f opsFlags
	var archiveFlag, target, result string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "mark KEY...",
		Short: "Mark archived events replayed (when they were replayed by other means)",
		Long: `Mark events replayed without sending them: each is copied under _replayed/
with the time, --target and --result, and the original deleted only once S3
has confirmed the copy's checksum. An event marked already is left as it is.`,
		Example: `  sluice archive mark failed/orders-to-api/…json --target https://api.example/orders --result "sent by hand"`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if target == "" {
				return errors.New("--target: say where the events were replayed to")
			}
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			loc, keys, err := o.locator().KeysArchive(ctx, args, archiveFlag)
			if err != nil {
				return err
			}
			if err := o.confirm(cmd, fmt.Sprintf("mark %s in %s replayed to %s (moved under %s)", countEvents(len(keys)), loc, target, archive.ReplayedDir)); err != nil {
				return err
			}
			rep := archive.Replay{At: time.Now().UTC(), Target: target, Result: result}
			res := archive.MarkMany(ctx, o.session, loc, keys, rep, archive.ManyOptions{Concurrency: concurrency})
			if err := printRowsFullLast(o.out, archiveRows(res), archiveMarkColumns); err != nil {
				return err
			}
			if failed := res.Failed(); len(failed) > 0 {
				return fmt.Errorf("%d of %s not marked; the first: %w", len(failed), countEvents(len(res)), failed[0].Err)
			}
			return nil
		},
	}
	addOpsFlags(cmd, &f)
	fl := cmd.Flags()
	fl.StringVar(&archiveFlag, "archive", "", "the archive, s3://BUCKET/PREFIX (default the one of the keys' consumer)")
	fl.StringVar(&target, "target", "", "where the events were replayed to (recorded in the copy)")
	fl.StringVar(&result, "result", "accepted", "what the target answered (recorded in the copy)")
	fl.IntVar(&concurrency, "concurrency", archive.DefaultConcurrency, "how many events to mark at once")
	return cmd
}

type archiveMarkRow struct {
	Key      string `json:"key"`
	Replayed string `json:"replayedKey,omitempty"`
	Error    string `json:"error,omitempty"`
}

// archiveRows are the rows of mark and rm: one per key, with its error.
func archiveRows(res archive.Results) []archiveMarkRow {
	rows := make([]archiveMarkRow, len(res))
	for i, r := range res {
		rows[i] = archiveMarkRow{Key: r.Key, Replayed: r.Replayed}
		if r.Err != nil {
			rows[i].Error = r.Err.Error()
		}
	}
	return rows
}

var archiveMarkColumns = []column[archiveMarkRow]{
	{"KEY", func(r archiveMarkRow) string { return r.Key }},
	{"REPLAYED KEY OR ERROR", func(r archiveMarkRow) string {
		if r.Error != "" {
			return r.Error
		}
		return r.Replayed
	}},
}

// printRowsFullLast is printRows whose last column is never cut: object
// keys are what the other commands take, so a table must show them whole.
func printRowsFullLast[T any](out output, rows []T, cols []column[T]) error {
	if out.format != "table" || len(cols) == 0 {
		return printRows(out, rows, cols)
	}
	tw := tabwriter.NewWriter(out.w, 0, 4, 2, ' ', 0)
	last := len(cols) - 1
	for i, c := range cols {
		fmt.Fprint(tw, c.header)
		if i < last {
			fmt.Fprint(tw, "\t")
		}
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for i, c := range cols {
			if i < last {
				fmt.Fprint(tw, inert.LineCut(c.cell(r), maxCell), "\t")
			} else {
				fmt.Fprint(tw, inert.Line(c.cell(r)))
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func countEvents(n int) string {
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}

// --- rm ---

func newArchiveRemoveCmd() *cobra.Command {
	var f opsFlags
	var archiveFlag string
	var concurrency int
	cmd := &cobra.Command{
		Use:     "rm KEY...",
		Aliases: []string{"delete"},
		Short:   "Delete archived events (waiting or replayed copies) for good",
		Example: `  sluice archive rm failed/orders-to-api/…json --yes`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			loc, keys, err := o.locator().KeysArchive(ctx, args, archiveFlag)
			if err != nil {
				return err
			}
			if err := o.confirm(cmd, fmt.Sprintf("delete %s from %s for good", countEvents(len(keys)), loc)); err != nil {
				return err
			}
			res := archive.DeleteMany(ctx, o.session, loc, keys, archive.ManyOptions{Concurrency: concurrency})
			if err := printRowsFullLast(o.out, archiveRows(res), archiveRemoveColumns); err != nil {
				return err
			}
			if failed := res.Failed(); len(failed) > 0 {
				return fmt.Errorf("%d of %s not deleted; the first: %w", len(failed), countEvents(len(res)), failed[0].Err)
			}
			return nil
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().StringVar(&archiveFlag, "archive", "", "the archive, s3://BUCKET/PREFIX (default the one of the keys' consumer)")
	cmd.Flags().IntVar(&concurrency, "concurrency", archive.DefaultConcurrency, "how many events to delete at once on a store without DeleteObjects")
	return cmd
}

// archiveRemoveColumns: the key, then ok or why it was not deleted.
var archiveRemoveColumns = []column[archiveMarkRow]{
	{"KEY", func(r archiveMarkRow) string { return r.Key }},
	{"DELETED OR ERROR", func(r archiveMarkRow) string {
		if r.Error != "" {
			return r.Error
		}
		return "deleted"
	}},
}
