package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/tail"
)

// tailFlags are the flags of `sluice tail` besides the ops flags.
type tailFlags struct {
	shards []string
	from   string
	jq     string
	rate   float64
	max    int
	follow bool
}

func newTailCmd() *cobra.Command {
	var ops opsFlags
	var tf tailFlags
	cmd := &cobra.Command{
		Use:   "tail STREAM",
		Short: "Print a stream's records as they arrive",
		Long: `Print a Kinesis stream's records: one shard, several, or the whole stream
(named by name or ARN), following splits and merges (a parent is read to its
end before its children). KPL aggregates are expanded into their user records.

Reads are paced at --rate GetRecords a second per shard (default 1): every
reader of a shard shares Kinesis's 5 reads a second, so the default leaves
room for the pipeline's own consumers. --rate 0 reads as fast as the stream
answers, for a bulk export; on AWS it competes with those consumers and
sluice says so.

--from takes trim-horizon, latest (the default), a time (RFC 3339 such as
2024-05-01T12:00:00Z, or a duration such as 15m meaning 15 minutes ago), a
sequence number (start at that record; with no --shard its shard is found),
or after:SEQUENCE (start after it, to resume).

-o jsonl prints one object per record: shardId, sequenceNumber, subSequence
(KPL user records only), partitionKey, arrival, data (the JSON value when the
payload is a JSON object or array, a string when it is text, else base64 with
"dataEncoding":"base64") and size. -o json prints them as one array; the
table shows a one-line preview with control characters made inert.

--jq runs a jq expression over each payload (the JSON value, text as a
string, binary as base64) and prints what it yields, as jq would: a record it
yields nothing for is skipped, so 'select(...)' filters; a record it yields
unchanged is printed whole; any other output ('.detail.orderId', '.items[]',
'.amount > 100') is printed in place of the data, one line per value, with
the record's coordinates and "projected":true.`,
		Example: `  sluice tail orders
  sluice tail orders --from trim-horizon --follow=false -o jsonl > orders.jsonl
  sluice tail orders --from 15m --jq 'select(.status == "FAILED")'
  sluice tail orders --from trim-horizon --jq '.detail.orderId' -o jsonl
  sluice tail orders --shard shardId-000000000001 --from after:4959...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTail(cmd, args[0], ops, tf)
		},
	}
	addOpsFlags(cmd, &ops)
	fl := cmd.Flags()
	fl.StringArrayVar(&tf.shards, "shard", nil, "read only this shard (repeat for several; default the whole stream)")
	fl.StringVar(&tf.from, "from", "latest", "where to start: trim-horizon, latest, a time (RFC 3339, or a duration like 15m for 15 minutes ago), a sequence number, or after:SEQUENCE")
	fl.StringVar(&tf.jq, "jq", "", "a jq expression over each payload, read as jq does: its outputs are printed ('select(...)' filters, '.detail.orderId' projects; $partitionKey, $shardId, $sequenceNumber and $arrival are set)")
	fl.Float64Var(&tf.rate, "rate", tail.DefaultReadsPerSecond, "GetRecords calls a second per shard, at most 5; 0 for as fast as possible (bulk export)")
	fl.IntVar(&tf.max, "max", 0, "exit after printing this many records (0: no limit)")
	fl.BoolVar(&tf.follow, "follow", true, "keep waiting for new records; with --follow=false, stop once every shard is caught up")
	return cmd
}

func runTail(cmd *cobra.Command, stream string, f opsFlags, tf tailFlags) error {
	// Bad flags are refused before anything is opened or called.
	o := tail.NewOptions(stream)
	var err error
	if o.From, err = tail.ParsePosition(tf.from); err != nil {
		return err
	}
	if tf.jq != "" {
		if o.Filter, err = decode.CompileFilter(tf.jq); err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
	}
	switch {
	case tf.rate == 0:
		o.Unpaced = true
	case tf.rate < 0 || tf.rate > tail.MaxReadsPerSecond:
		return fmt.Errorf("--rate %v: want 0 (unpaced) or more than 0 and at most %d reads a second per shard", tf.rate, tail.MaxReadsPerSecond)
	default:
		o.ReadsPerSecond = tf.rate
	}
	if tf.max < 0 {
		return fmt.Errorf("--max %d: want 0 (no limit) or more", tf.max)
	}
	o.Shards = tf.shards
	o.UntilCaughtUp = !tf.follow
	o.Buffer = -1 // nothing re-renders: no ring
	w := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	p, err := newTailPrinter(f.output, w)
	if err != nil {
		return err
	}

	ctx := cmd.Context()
	ops, err := openOps(ctx, cmd, f)
	if err != nil {
		return err
	}
	defer ops.close()
	if r := ops.config.Tail.ReadsPerSecond; r > 0 && !cmd.Flags().Changed("rate") {
		o.ReadsPerSecond = r
	}
	if o.Unpaced && !ops.session.Profile.IsLocal() {
		fmt.Fprintf(cmd.ErrOrStderr(), "sluice: --rate 0 reads %s as fast as it answers, sharing each shard's 5 reads a second with the pipeline's consumers: they may be throttled\n", stream)
	}
	t, err := tail.Start(ctx, ops.session, o)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := printTail(t, p, tf.max); err != nil {
		return err
	}
	if err := t.Err(); err != nil {
		return err
	}
	return nil
}

// printTail prints batches until the tail ends or max records were
// printed, flushing after each batch so that output appears as it comes.
func printTail(t *tail.Tail, p *tailPrinter, max int) error {
	printed := 0
	if err := p.begin(); err != nil {
		return err
	}
	for b := range t.Records() {
		for _, r := range b.Records {
			p.record(r)
			printed++
			if max > 0 && printed == max {
				t.Close()
				break
			}
		}
		if err := p.w.Flush(); err != nil {
			t.Close()
			return fmt.Errorf("write: %w", err)
		}
		if max > 0 && printed == max {
			break
		}
	}
	p.end()
	return p.w.Flush()
}

// tailPrinter writes records in one of the output formats. Errors stick in
// the bufio.Writer and come out of Flush.
type tailPrinter struct {
	format   string
	w        *bufio.Writer
	line     []byte
	indented bytes.Buffer
	count    int
}

func newTailPrinter(format string, w *bufio.Writer) (*tailPrinter, error) {
	switch format {
	case "table", "json", "jsonl":
		return &tailPrinter{format: format, w: w}, nil
	}
	return nil, fmt.Errorf("-o %q: want table, json or jsonl", format)
}

// Widths of the table's columns; the preview takes what is left of a
// 160-cell line.
const (
	tailKeyWidth     = 24
	tailSeqWidth     = 56
	tailPreviewWidth = 60
)

func (p *tailPrinter) begin() error {
	switch p.format {
	case "json":
		p.w.WriteString("[")
	case "table":
		fmt.Fprintf(p.w, "%-24s  %-20s  %-*s  %-*s  %7s  %s\n", "TIME", "SHARD", tailKeyWidth, "PARTITION KEY", tailSeqWidth, "SEQUENCE", "SIZE", "PREVIEW")
	}
	return p.w.Flush()
}

// record prints r: one line, or one per value of its jq projection.
func (p *tailPrinter) record(r tail.Record) {
	if r.Projection == nil {
		p.value(r, nil)
		return
	}
	for _, v := range r.Projection {
		p.value(r, v)
	}
}

// value prints r whole (projected nil) or one value of its projection.
func (p *tailPrinter) value(r tail.Record, projected []byte) {
	line := func() []byte {
		if projected != nil {
			return tail.AppendProjectedJSON(p.line[:0], r, projected)
		}
		return tail.AppendJSON(p.line[:0], r)
	}
	switch p.format {
	case "jsonl":
		p.line = append(line(), '\n')
		p.w.Write(p.line)
	case "json":
		p.line = line()
		if p.count > 0 {
			p.w.WriteByte(',')
		}
		p.w.WriteString("\n  ")
		p.indented.Reset()
		// The line is valid JSON: Indent cannot fail on it.
		_ = json.Indent(&p.indented, p.line, "  ", "  ")
		p.w.Write(p.indented.Bytes())
	default:
		p.tableRow(r, projected)
	}
	p.count++
}

func (p *tailPrinter) end() {
	if p.format != "json" {
		return
	}
	if p.count > 0 {
		p.w.WriteString("\n")
	}
	p.w.WriteString("]\n")
}

// tableRow prints one row; every cell that came from the record is made
// inert and cut to its column.
func (p *tailPrinter) tableRow(r tail.Record, projected []byte) {
	key := inert.LineCut(r.PartitionKey, tailKeyWidth)
	seq := r.SequenceNumber
	if r.SubSequence >= 0 {
		seq += "/" + strconv.Itoa(r.SubSequence)
	}
	seq = inert.LineCut(seq, tailSeqWidth+8)
	data := r.Data
	if projected != nil {
		data = projected
	}
	preview := inert.LineCut(decode.PreviewOf(data, tailPreviewWidth), tailPreviewWidth)
	fmt.Fprintf(p.w, "%-24s  %-20s  %s  %s  %7d  %s\n",
		r.Arrival.UTC().Format("2006-01-02T15:04:05.000Z"), inert.LineCut(r.ShardID, 20),
		inert.Pad(key, tailKeyWidth), inert.Pad(seq, tailSeqWidth), r.Size, preview)
}
