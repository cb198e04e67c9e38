package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
)

func newCallsCmd() *cobra.Command {
	var output string
	var failed, budget bool
	cmd := &cobra.Command{
		Use:   "calls FILE",
		Short: "Show the AWS calls a run recorded with --log-calls",
		Long: `Show the AWS calls recorded in FILE by a command run with --log-calls FILE
(or - for standard input): when, on which profile, which service and
operation, on what resource, how long it took and how it ended. Calls hold
names only, never credentials or payloads.

With --budget, one row per profile and API instead: the calls made, how
many waited for the API budget and how long in all, the throttling answers
met, and the budget's rate, limit and tokens as the last call left them (a
rate below the limit means AWS throttled the API and sluice slowed down).`,
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
			if budget {
				err = printRows(out, backend.BudgetOf(calls), budgetColumns)
			} else {
				err = printRows(out, calls, callColumns)
			}
			if err != nil {
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
	cmd.Flags().BoolVar(&budget, "budget", false, "show the API budget per profile and API instead of each call")
	return cmd
}

var callColumns = []column[backend.Call]{
	{"TIME", func(c backend.Call) string { return c.Time.Local().Format("15:04:05.000") }},
	{"PROFILE", func(c backend.Call) string { return c.Profile }},
	{"SERVICE", func(c backend.Call) string { return c.Service }},
	{"OPERATION", func(c backend.Call) string { return c.Operation }},
	{"RESOURCE", func(c backend.Call) string { return cellOrDash(c.Resource) }},
	{"DURATION", func(c backend.Call) string { return c.Duration.Round(time.Millisecond / 10).String() }},
	{"WAIT", func(c backend.Call) string { return waitText(c.Wait) }},
	{"RESULT", func(c backend.Call) string { return c.Result }},
}

var budgetColumns = []column[backend.BudgetState]{
	{"PROFILE", func(b backend.BudgetState) string { return b.Account }},
	{"SERVICE", func(b backend.BudgetState) string { return b.Service }},
	{"OPERATION", func(b backend.BudgetState) string { return b.Operation }},
	{"CALLS", func(b backend.BudgetState) string { return strconv.Itoa(b.Calls) }},
	{"WAITS", func(b backend.BudgetState) string { return strconv.Itoa(b.Waits) }},
	{"WAITED", func(b backend.BudgetState) string { return waitText(b.Waited) }},
	{"THROTTLES", func(b backend.BudgetState) string { return strconv.Itoa(b.Throttles) }},
	{"RATE/S", func(b backend.BudgetState) string { return perSecond(b.Rate) }},
	{"LIMIT/S", func(b backend.BudgetState) string { return perSecond(b.Limit) }},
	{"TOKENS", func(b backend.BudgetState) string { return strconv.FormatFloat(b.Tokens, 'f', 1, 64) }},
}

func waitText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return d.Round(time.Millisecond / 10).String()
}

func perSecond(r float64) string {
	if r <= 0 {
		return "-"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
