package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
)

func newCallsCmd() *cobra.Command {
	var output string
	var failed bool
	cmd := &cobra.Command{
		Use:   "calls FILE",
		Short: "Show the AWS calls a run recorded with --log-calls",
		Long: `Show the AWS calls recorded in FILE by a command run with --log-calls FILE
(or - for standard input): when, on which profile, which service and
operation, on what resource, how long it took and how it ended. Calls hold
names only, never credentials or payloads.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := newOutput(output, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("calls: %w", err)
				}
				defer file.Close()
				r = file
			}
			calls, readErr := backend.ReadCalls(r)
			read := len(calls)
			if failed {
				kept := calls[:0]
				for _, c := range calls {
					if c.Result != "ok" {
						kept = append(kept, c)
					}
				}
				calls = kept
			}
			// What was read is shown even when a later line is broken.
			if err := printRows(out, calls, callColumns); err != nil {
				return err
			}
			if readErr != nil {
				return fmt.Errorf("calls %s: after %d calls: not a --log-calls file: %w", args[0], read, readErr)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or jsonl")
	cmd.Flags().BoolVar(&failed, "failed", false, "show only the calls that failed")
	return cmd
}

var callColumns = []column[backend.Call]{
	{"TIME", func(c backend.Call) string { return c.Time.Local().Format("15:04:05.000") }},
	{"PROFILE", func(c backend.Call) string { return c.Profile }},
	{"SERVICE", func(c backend.Call) string { return c.Service }},
	{"OPERATION", func(c backend.Call) string { return c.Operation }},
	{"RESOURCE", func(c backend.Call) string { return cellOrDash(c.Resource) }},
	{"DURATION", func(c backend.Call) string { return c.Duration.Round(time.Millisecond / 10).String() }},
	{"RESULT", func(c backend.Call) string { return c.Result }},
}
