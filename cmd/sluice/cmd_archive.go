package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
Replayed events are moved under <prefix>_replayed/ with what the replay did.

The archive of a consumer is the one its pipeline names (the sluice config,
else a sluice:archive tag on its DLQ or pipe); --archive s3://BUCKET/PREFIX
overrides it. A key may also be given as s3://BUCKET/KEY.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newArchiveListCmd(), newArchiveGetCmd(), newArchiveMarkCmd(), newArchiveRemoveCmd())
	return cmd
}

// --- where the archive is ---

// archiveFlagLocation reads --archive; unset gives a zero location.
func archiveFlagLocation(flag string) (backend.ArchiveLocation, error) {
	if flag == "" {
		return backend.ArchiveLocation{}, nil
	}
	bucket, prefix, err := config.ParseS3URL(flag)
	if err != nil {
		return backend.ArchiveLocation{}, fmt.Errorf("--archive: %w", err)
	}
	return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}, nil
}

// archivePipelines discovers the pipelines once per command.
type archivePipelines struct {
	o     *ops
	found []backend.Pipeline
	done  bool
}

func (a *archivePipelines) all(ctx context.Context) ([]backend.Pipeline, error) {
	if !a.done {
		ps, err := inventory.Pipelines(ctx, a.o.session, a.o.config.Pipelines, "")
		if err != nil {
			return nil, fmt.Errorf("find the pipelines: %w", err)
		}
		a.found, a.done = ps, true
	}
	return a.found, nil
}

// forConsumer finds a consumer's pipeline; ok is false when none is known.
func (a *archivePipelines) forConsumer(ctx context.Context, consumer string) (backend.Pipeline, bool, error) {
	ps, err := a.all(ctx)
	if err != nil {
		return backend.Pipeline{}, false, err
	}
	p, ok := inventory.PipelineForConsumer(ps, consumer)
	return p, ok, nil
}

// consumerArchive is where a consumer's events are: --archive, else its
// pipeline's archive.
func (a *archivePipelines) consumerArchive(ctx context.Context, consumer, flag string) (backend.ArchiveLocation, error) {
	loc, err := archiveFlagLocation(flag)
	if err != nil || loc.IsSet() {
		return loc, err
	}
	p, ok, err := a.forConsumer(ctx, consumer)
	if err != nil {
		return loc, err
	}
	if !ok || !p.Archive.IsSet() {
		return loc, fmt.Errorf("consumer %s: no archive known: declare it in the sluice config (pipelines: - consumer: %s, archive: s3://BUCKET/PREFIX), tag its DLQ or pipe with %s=s3://BUCKET/PREFIX, or pass --archive s3://BUCKET/PREFIX",
			consumer, consumer, inventory.ArchiveTag)
	}
	return p.Archive, nil
}

// keyArchive finds the archive of an event key, given as a key or as
// s3://BUCKET/KEY, and returns the key alone. The prefix is --archive's,
// else read from the key; the bucket is the URL's, --archive's, else the
// one of the key's consumer's pipeline.
func (a *archivePipelines) keyArchive(ctx context.Context, ref, flag string) (backend.ArchiveLocation, string, error) {
	loc, err := archiveFlagLocation(flag)
	if err != nil {
		return loc, "", err
	}
	key := ref
	if rest, ok := strings.CutPrefix(ref, "s3://"); ok {
		bucket, k, found := strings.Cut(rest, "/")
		if !found || bucket == "" || k == "" {
			return loc, "", fmt.Errorf("%q is not s3://BUCKET/KEY", ref)
		}
		if loc.IsSet() && loc.Bucket != bucket {
			return loc, "", fmt.Errorf("%s is not in the bucket of --archive %s", ref, loc)
		}
		loc.Bucket, key = bucket, k
	}
	if loc.Prefix == "" || !strings.HasPrefix(key, loc.Prefix) {
		prefix, err := archive.PrefixOf(key)
		if err != nil {
			return loc, "", err
		}
		if loc.Prefix != "" {
			return loc, "", fmt.Errorf("key %s is not under the prefix of --archive %s", key, loc)
		}
		loc.Prefix = prefix
	}
	parts, _, err := archive.ParseKey(loc.Prefix, key)
	if err != nil {
		return loc, "", err
	}
	if loc.Bucket == "" {
		p, ok, err := a.forConsumer(ctx, parts.Consumer)
		if err != nil {
			return loc, "", err
		}
		if !ok || !p.Archive.IsSet() {
			return loc, "", fmt.Errorf("key %s: consumer %s has no known archive: give the key as s3://BUCKET/KEY or pass --archive s3://BUCKET/PREFIX", key, parts.Consumer)
		}
		loc = p.Archive
		if !strings.HasPrefix(key, loc.Prefix) {
			return loc, "", fmt.Errorf("key %s is not under the archive of consumer %s, %s", key, parts.Consumer, loc)
		}
	}
	return loc, key, nil
}

// keysArchive resolves several keys, which must share one archive.
func (a *archivePipelines) keysArchive(ctx context.Context, refs []string, flag string) (backend.ArchiveLocation, []string, error) {
	var loc backend.ArchiveLocation
	keys := make([]string, 0, len(refs))
	for i, ref := range refs {
		l, k, err := a.keyArchive(ctx, ref, flag)
		if err != nil {
			return loc, nil, err
		}
		if i > 0 && (l.Bucket != loc.Bucket || l.Prefix != loc.Prefix) {
			return loc, nil, fmt.Errorf("the keys are in different archives (%s and %s): give them one archive at a time", loc, l)
		}
		loc = l
		keys = append(keys, k)
	}
	return loc, keys, nil
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
	fl.IntVar(&f.limit, "limit", 0, "print at most this many events (0: all)")
	return cmd
}

// archiveListSource is one consumer's events in one archive.
type archiveListSource struct {
	loc      backend.ArchiveLocation
	consumer string
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
	pl := &archivePipelines{o: o}
	sources, err := listSources(ctx, o, pl, f)
	if err != nil {
		return err
	}
	pagers := make([]*backend.Pager[archive.Object], len(sources))
	for i, src := range sources {
		pagers[i] = archive.List(o.session, src.loc, archive.Query{Consumer: src.consumer, Since: since, Until: until,
			PartitionKey: f.partitionKey, Replayed: f.replayed})
	}
	objs, more, err := mergeNewestFirst(ctx, pagers, f.limit)
	if err != nil {
		return err
	}
	if err := printRowsFullLast(o.out, objs, archiveObjectColumns); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(cmd.ErrOrStderr(), "more events than --limit %d; raise it to see them\n", f.limit)
	}
	return nil
}

// listSources is what ls lists: one consumer, or every consumer of the
// archive (of --archive, else of every pipeline that has one).
func listSources(ctx context.Context, o *ops, pl *archivePipelines, f archiveListFlags) ([]archiveListSource, error) {
	if f.consumer != "" {
		loc, err := pl.consumerArchive(ctx, f.consumer, f.archive)
		if err != nil {
			return nil, err
		}
		return []archiveListSource{{loc, f.consumer}}, nil
	}
	var locs []backend.ArchiveLocation
	flagLoc, err := archiveFlagLocation(f.archive)
	if err != nil {
		return nil, err
	}
	if flagLoc.IsSet() {
		locs = append(locs, flagLoc)
	} else {
		ps, err := pl.all(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Archive.IsSet() && !slices.ContainsFunc(locs, func(l backend.ArchiveLocation) bool {
				return l.Bucket == p.Archive.Bucket && l.Prefix == p.Archive.Prefix
			}) {
				locs = append(locs, p.Archive)
			}
		}
		if len(locs) == 0 {
			return nil, errors.New("no archive known: pass --archive s3://BUCKET/PREFIX, or --consumer of a pipeline that has one")
		}
	}
	var sources []archiveListSource
	for _, loc := range locs {
		consumers, err := archive.Consumers(ctx, o.session, loc)
		if err != nil {
			return nil, err
		}
		for _, c := range consumers {
			sources = append(sources, archiveListSource{loc, c})
		}
	}
	return sources, nil
}

// mergeNewestFirst merges listings that are each newest first, fetching
// pages only as needed; more reports that limit cut the list short.
func mergeNewestFirst(ctx context.Context, pagers []*backend.Pager[archive.Object], limit int) (out []archive.Object, more bool, err error) {
	heads := make([][]archive.Object, len(pagers))
	fill := func(i int) error {
		for len(heads[i]) == 0 && pagers[i].More() {
			page, err := pagers[i].Next(ctx)
			if err != nil {
				return err
			}
			heads[i] = page
		}
		return nil
	}
	for {
		best := -1
		for i := range pagers {
			if err := fill(i); err != nil {
				return out, false, err
			}
			if len(heads[i]) > 0 && (best < 0 || heads[i][0].Arrival.After(heads[best][0].Arrival)) {
				best = i
			}
		}
		if best < 0 {
			return out, false, nil
		}
		if limit > 0 && len(out) == limit {
			return out, true, nil
		}
		out = append(out, heads[best][0])
		heads[best] = heads[best][1:]
	}
}

var archiveObjectColumns = []column[archive.Object]{
	{"ARRIVAL", func(o archive.Object) string { return o.Arrival.UTC().Format("2006-01-02T15:04:05.000Z") }},
	{"CONSUMER", func(o archive.Object) string { return o.Consumer }},
	{"PARTITION KEY", func(o archive.Object) string { return o.PartitionKey }},
	{"ID", func(o archive.Object) string { return o.ID }},
	{"SIZE", func(o archive.Object) string { return strconv.FormatInt(o.Size, 10) }},
	{"KEY", func(o archive.Object) string { return o.Key }},
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
			loc, key, err := (&archivePipelines{o: o}).keyArchive(ctx, args[0], archiveFlag)
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
		_, err = out.w.Write(body)
		return err
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
			loc, keys, err := (&archivePipelines{o: o}).keysArchive(ctx, args, archiveFlag)
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
			loc, keys, err := (&archivePipelines{o: o}).keysArchive(ctx, args, archiveFlag)
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
