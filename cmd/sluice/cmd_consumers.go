package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newConsumersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "consumers",
		Aliases: []string{"pipes"},
		Short:   "List, describe, stop and start a stream's consumers: EventBridge pipes and Lambda event source mappings",
		Long: `Work with the consumers of Kinesis streams: EventBridge pipes and Lambda
event source mappings. A consumer is named by its pipe name or its mapping's
UUID (or pipe/NAME, esm/UUID, or its ARN). Stopping a pipe is StopPipe;
stopping a mapping disables it (UpdateEventSourceMapping Enabled=false).`,
	}
	cmd.AddCommand(newConsumersLsCmd(), newConsumersDescribeCmd(), newConsumerSwitchCmd(true), newConsumerSwitchCmd(false))
	return cmd
}

func newConsumersLsCmd() *cobra.Command {
	var f opsFlags
	var filter consumers.Filter
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the consumers, of one stream (--stream) or feeding one DLQ (--dlq)",
		Example: `  sluice consumers ls --stream orders
  sluice consumers ls --dlq orders-dlq -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			cs, fs := consumers.List(ctx, o.session, filter)
			if err := printRows(o.out, cs, consumerColumns); err != nil {
				return err
			}
			return reportFailures(cmd.ErrOrStderr(), fs)
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().StringVar(&filter.Stream, "stream", "", "only the consumers of this stream (name or ARN)")
	cmd.Flags().StringVar(&filter.DLQ, "dlq", "", "only the consumers whose failures go to this queue (name, URL or ARN)")
	return cmd
}

var consumerColumns = []column[consumers.Consumer]{
	{"NAME", func(c consumers.Consumer) string { return c.Name }},
	{"KIND", func(c consumers.Consumer) string { return string(c.Kind) }},
	{"STATE", stateCell},
	{"SOURCE", func(c consumers.Consumer) string { return inventory.StreamName(c.Source) }},
	{"TARGET", func(c consumers.Consumer) string { return shortARN(c.Target) }},
	{"DLQ", func(c consumers.Consumer) string { return cellOrDash(shortARN(c.DLQ)) }},
	{"BATCH", func(c consumers.Consumer) string { return strconv.Itoa(c.BatchSize) }},
	{"RETRIES", func(c consumers.Consumer) string { return infinite(c.MaximumRetryAttempts) }},
	{"MAX AGE", func(c consumers.Consumer) string { return seconds(c.MaximumRecordAgeSeconds) }},
}

func stateCell(c consumers.Consumer) string { return c.StateLine() }

// shortARN is the name an ARN ends with ("" stays "").
func shortARN(arn string) string {
	if arn == "" || !strings.HasPrefix(arn, "arn:") {
		return arn
	}
	return inventory.StreamName(arn)
}

// infinite shows AWS's −1 as "infinite".
func infinite(n int) string {
	if n < 0 {
		return "infinite"
	}
	return strconv.Itoa(n)
}

func seconds(n int) string {
	if n < 0 {
		return "infinite"
	}
	return strconv.Itoa(n) + "s"
}

func newConsumersDescribeCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a consumer's state, settings and last hour's invocations, failures and target duration",
		Example: `  sluice consumers describe orders-to-api
  sluice consumers describe 6c2a…-uuid -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			d, err := consumers.Describe(ctx, o.session, consumers.ParseRef(args[0]))
			if err != nil {
				return err
			}
			return printOne(o.out, d, func(w io.Writer) error { return writeDescription(w, d) })
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

// writeDescription writes a description as aligned "field  value" lines,
// every value from AWS made inert.
func writeDescription(w io.Writer, d consumers.Description) error {
	c := d.Consumer
	bisect := "no"
	if c.Bisect {
		bisect = "yes"
	}
	rows := [][2]string{
		{"name", c.Name}, {"kind", string(c.Kind)}, {"function", cellOrDash(c.Function)}, {"state", c.State}, {"desired state", cellOrDash(c.DesiredState)},
		{"state reason", cellOrDash(c.StateReason)}, {"source", c.Source}, {"target", c.Target},
		{"dead-letter queue", cellOrDash(c.DLQ)},
		{"batch", fmt.Sprintf("%d records, window %ds", c.BatchSize, c.BatchWindowSeconds)},
		{"starting position", cellOrDash(c.StartingPosition)},
		{"retry", fmt.Sprintf("attempts %s, record age %s, bisect %s", infinite(c.MaximumRetryAttempts), seconds(c.MaximumRecordAgeSeconds), bisect)},
		{"last hour", activityText(d)},
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%-18s %s\n", r[0], inert.LineCut(r[1], 200)); err != nil {
			return err
		}
	}
	return nil
}

// activityText says the last hour in one line, or why it is not known.
func activityText(d consumers.Description) string {
	switch {
	case d.ActivityFailure != nil:
		return "unknown: " + d.ActivityFailure.Error()
	case d.LastHour == nil || !d.LastHour.Reported:
		return "no metrics reported"
	}
	a := d.LastHour
	return fmt.Sprintf("%.0f invocations, %.0f failed, target %.0f ms on average", a.Invocations, a.Failures, a.TargetDurationMs)
}

type switchFlags struct {
	ops    opsFlags
	noWait bool
}

// newConsumerSwitchCmd is "stop" (stop is true) or "start".
func newConsumerSwitchCmd(stop bool) *cobra.Command {
	var f switchFlags
	verb := "start"
	short := "Start a pipe or enable a Lambda event source mapping, and follow its state until it settles"
	if stop {
		verb = "stop"
		short = "Stop a pipe or disable a Lambda event source mapping, and follow its state until it settles"
	}
	cmd := &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Long: short + `.
Asks first (or --yes), refused under --readonly. A stopped pipe keeps its
checkpoints: started again, it resumes where it stopped. The state is read
again with backoff until it settles (at most 3 minutes), each change on
stderr; --no-wait returns after the request.`,
		Example: fmt.Sprintf("  sluice consumers %s orders-to-api\n  sluice consumers %s orders-to-api --yes -o json", verb, verb),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsumerSwitch(cmd.Context(), cmd, f, args[0], stop)
		},
	}
	addOpsFlags(cmd, &f.ops)
	cmd.Flags().BoolVar(&f.noWait, "no-wait", false, "return after the request, without following the state")
	return cmd
}

func runConsumerSwitch(ctx context.Context, cmd *cobra.Command, f switchFlags, name string, stop bool) error {
	o, err := openOps(ctx, cmd, f.ops)
	if err != nil {
		return err
	}
	defer o.close()
	ref := consumers.ParseRef(name)
	verb := consumers.Verb(ref.Kind, stop)
	// Refused before it is read: read-only never gets as far as a question.
	if err := o.session.Guard(verb + " " + ref.String()); err != nil {
		return err
	}
	c, err := consumers.Get(ctx, o.session, ref)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("%s %s (reads %s, now %s)", verb, inert.Line(ref.String()), inert.Line(inventory.StreamName(c.Source)), inert.Line(stateCell(c)))
	if err := o.confirm(cmd, what); err != nil {
		return err
	}
	if stop {
		c, err = consumers.Stop(ctx, o.session, ref)
	} else {
		c, err = consumers.Start(ctx, o.session, ref)
	}
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "%s: %s\n", inert.Line(ref.String()), inert.Line(stateCell(c)))
	if !f.noWait && !c.Settled() {
		last := stateCell(c)
		c, err = consumers.Follow(ctx, o.session, ref, func(c consumers.Consumer) {
			if s := stateCell(c); s != last {
				fmt.Fprintf(stderr, "%s: %s\n", inert.Line(ref.String()), inert.Line(s))
				last = s
			}
		})
		if err != nil {
			return err
		}
	}
	return printRows(o.out, []consumers.Consumer{c}, consumerColumns)
}
