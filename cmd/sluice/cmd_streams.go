package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newStreamsCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "streams",
		Short: "List the Kinesis streams: mode, status, open and closed shards, retention, consumers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			l, err := inventory.Streams(ctx, o.session)
			if err != nil {
				return err
			}
			if err := printRows(o.out, l.Streams, streamColumns); err != nil {
				return err
			}
			var notes [][]string
			for _, s := range l.Streams {
				notes = append(notes, s.Notes)
			}
			printNotesOnce(cmd.ErrOrStderr(), notes...)
			return reportFailures(cmd.ErrOrStderr(), l.Failures)
		},
	}
	addOpsFlags(cmd, &f)
	addStreamAdminCmds(cmd)
	return cmd
}

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
