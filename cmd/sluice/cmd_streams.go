package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newStreamsCmd() *cobra.Command {
	var f opsFlags
	var namesOnly bool
	cmd := &cobra.Command{
		Use:   "streams",
		Short: "List the Kinesis streams: mode, status, open and closed shards, retention, consumers",
		Long: `List the Kinesis streams. The names are listed first (one ListStreams call
for up to 10,000 streams); then the streams are described a hundred at a
time, in order, and each row is printed as soon as its stream is read, at
the pace of the API budget (DescribeStreamSummary is limited to 20 calls a
second per account on AWS). --names prints the names alone, at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			names, err := inventory.StreamNames(ctx, o.session)
			var failures backend.Failures
			if err != nil {
				if len(names) == 0 {
					return err
				}
				failures = append(failures, o.session.Failure("kinesis", "", err))
			}
			if namesOnly {
				rows := make([]streamName, len(names))
				for i, n := range names {
					rows[i] = streamName{n}
				}
				if err := printRows(o.out, rows, streamNameColumns); err != nil {
					return err
				}
				return reportFailures(cmd.ErrOrStderr(), failures)
			}
			nameWidth := 0
			for _, n := range names {
				nameWidth = max(nameWidth, len(inert.Line(n)))
			}
			w := newRowWriterSized(o.out, streamColumns, []int{nameWidth, 8, 11, 4, 6, 9, 9, 20})
			var notes [][]string
			err = inventory.DescribeStreamsInOrder(ctx, o.session, names, streamsChunk,
				func(streams []inventory.Stream, fs backend.Failures) error {
					failures = append(failures, fs...)
					for _, s := range streams {
						notes = append(notes, s.Notes)
						if err := w.Row(s); err != nil {
							return err
						}
					}
					return w.Flush()
				})
			if err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			printNotesOnce(cmd.ErrOrStderr(), notes...)
			return reportFailures(cmd.ErrOrStderr(), failures)
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().BoolVar(&namesOnly, "names", false, "print the stream names only, without describing the streams")
	addStreamAdminCmds(cmd)
	return cmd
}

// streamsChunk is how many streams are described before their rows are
// printed.
const streamsChunk = 100

// streamName is a row of --names.
type streamName struct {
	Name string `json:"name"`
}

var streamNameColumns = []column[streamName]{{"NAME", func(n streamName) string { return n.Name }}}

var streamColumns = []column[inventory.Stream]{
	{"NAME", func(s inventory.Stream) string { return s.Name }},
	{"STATUS", func(s inventory.Stream) string { return s.Status }},
	{"MODE", func(s inventory.Stream) string { return s.Mode }},
	{"OPEN", func(s inventory.Stream) string { return strconv.Itoa(s.OpenShards) }},
	{"CLOSED", func(s inventory.Stream) string { return strconv.Itoa(s.ClosedShards) }},
	{"RETENTION", func(s inventory.Stream) string { return strconv.Itoa(s.RetentionHours) + "h" }},
	{"CONSUMERS", func(s inventory.Stream) string { return strconv.Itoa(len(s.Consumers)) }},
	{"CREATED", func(s inventory.Stream) string { return cellTime(s.Created) }},
}

// cellTime shows a time in UTC to the second, "-" when unknown.
func cellTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// printNotesOnce prints each note once, made inert: most discovery notes
// (a service the endpoint lacks) apply to every row. Notes go to stderr,
// so that json output stays clean.
func printNotesOnce(w io.Writer, notes ...[]string) {
	seen := map[string]bool{}
	for _, list := range notes {
		for _, n := range list {
			if !seen[n] {
				seen[n] = true
				fmt.Fprintln(w, "note: "+inert.Line(n))
			}
		}
	}
}
