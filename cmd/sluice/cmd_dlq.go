package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

func newDLQCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Browse, delete, purge, redrive, export and hydrate dead-letter queues",
		Long: `Work with the SQS dead-letter queues of a pipeline.

SQS has no read without side effects. A peek or an export receives the
messages (which raises each one's receive count by one and hides it) and
then makes every one visible again at once (ChangeMessageVisibility 0), also
when interrupted. On a queue that has a redrive policy of its own a raised
count can move messages into its DLQ: --readonly refuses to browse such a
queue, and otherwise sluice warns each time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDLQListCmd(), newDLQPeekCmd(), newDLQDeleteCmd(), newDLQPurgeCmd(),
		newDLQRedriveCmd(), newDLQExportCmd(), newDLQHydrateCmd())
	return cmd
}

// openDLQ opens the session and resolves a queue given by name, URL or
// ARN.
func openDLQ(ctx context.Context, cmd *cobra.Command, f opsFlags, queue string) (*ops, string, error) {
	o, err := openOps(ctx, cmd, f)
	if err != nil {
		return nil, "", err
	}
	url, err := dlq.ResolveQueue(ctx, o.session, queue)
	if err != nil {
		o.close()
		return nil, "", err
	}
	return o, url, nil
}

// --- ls ---

func newDLQListCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List every dead-letter queue with its message counts and what feeds it",
		Long: `List every queue that receives failures: the target of a queue's redrive
policy, of a pipe's or a Lambda event source mapping's dead-letter config, of
an EventBridge rule target's; and every queue tagged sluice:archive.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			l := inventory.ListDLQs(ctx, o.session, o.config.Pipelines)
			rows, fs := dlqRows(ctx, o.session, l.DLQs)
			noteDeadlineFailures(cmd.ErrOrStderr(), fs)
			if err := printRows(o.out, rows, dlqListColumns); err != nil {
				return err
			}
			if o.out.format == "table" {
				notes := make([][]string, 0, len(l.DLQs)+1)
				for _, d := range l.DLQs {
					notes = append(notes, d.Notes)
				}
				notes = append(notes, topicNotes(l.Topics))
				printNotesOnce(cmd.ErrOrStderr(), notes...)
			}
			return reportFailures(cmd.ErrOrStderr(), l.Failures)
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

// topicNotes names the SNS topics that receive failures: no queue, so
// not rows of the list.
func topicNotes(topics []inventory.DeadLetterTopic) []string {
	var notes []string
	for _, t := range topics {
		notes = append(notes, fmt.Sprintf("SNS topic %s receives the failures of %s (a topic, not a queue: nothing to browse)", t.Name, dlqSources(inventory.DLQ{Sources: t.Sources})))
	}
	return notes
}

// dlqCount is a queue's count, "?" when the queue could not be read.
func dlqCount(d inventory.DLQ, n int) string {
	if d.Failure != nil {
		return "?"
	}
	return fmt.Sprint(n)
}

var dlqListColumns = []column[dlqRow]{
	{"NAME", func(d dlqRow) string { return d.Queue.Name }},
	{"VISIBLE", func(d dlqRow) string { return dlqCount(d.DLQ, d.Queue.Visible) }},
	{"IN FLIGHT", func(d dlqRow) string { return dlqCount(d.DLQ, d.Queue.NotVisible) }},
	{"DEADLINE", dlqDeadlineCell},
	{"SOURCES", func(d dlqRow) string { return dlqSources(d.DLQ) }},
	{"ARCHIVE", func(d dlqRow) string { return d.Queue.Tags[inventory.ArchiveTag] }},
}

func dlqSources(d inventory.DLQ) string {
	if len(d.Sources) == 0 {
		return "-"
	}
	parts := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		parts[i] = string(s.Kind) + ":" + s.Name
	}
	return strings.Join(parts, ", ")
}

// --- peek ---

func newDLQPeekCmd() *cobra.Command {
	var f opsFlags
	var max int
	var visibility int32
	cmd := &cobra.Command{
		Use:   "peek QUEUE",
		Short: "Show a queue's messages, parsed, with their full bodies",
		Long: `Receive up to --max messages, then make every one visible again at once.
Each message is parsed: a Kinesis failure of a pipe or a Lambda function
(condition, consumer, shard, sequence range, batch size), or a payload from
an SQS source queue. The table is followed by each message's full body.

A peek raises each message's receive count by one; the warning on stderr
says what that means for this queue. With --readonly, a queue that has a
redrive policy of its own is not peeked at: its messages could move.`,
		Example: `  sluice dlq peek orders-dlq
  sluice dlq peek orders-dlq --max 50 -o jsonl | jq .failure.batch`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if max < 0 {
				return fmt.Errorf("--max %d: want 0 (all) or more", max)
			}
			ctx := cmd.Context()
			o, url, err := openDLQ(ctx, cmd, f, args[0])
			if err != nil {
				return err
			}
			defer o.close()
			p := newDLQPeekPrinter(ctx, o.session, o.out)
			res, err := dlq.BrowseEach(ctx, o.session, url, dlq.BrowseOptions{Max: max, VisibilityTimeout: visibility}, p.message)
			printDLQBrowseNotes(cmd.ErrOrStderr(), res)
			if err != nil {
				if p.n > 0 {
					// What was written stands, and stays valid JSON.
					_ = p.close(res)
				}
				return err
			}
			err = p.close(res)
			noteDeadlineFailures(cmd.ErrOrStderr(), p.deadlineFailures())
			return err
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().IntVar(&max, "max", dlq.DefaultPeek, fmt.Sprintf("how many messages to read; 0 for all (up to %d)", dlq.MaxBrowse))
	cmd.Flags().Int32Var(&visibility, "visibility", dlq.DefaultVisibility, "seconds the messages stay hidden should sluice fail to release them")
	return cmd
}

// printDLQBrowseNotes tells the operator on stderr what a browse did: the
// warning, messages left hidden, and messages not seen.
func printDLQBrowseNotes(w io.Writer, res dlq.BrowseResult) {
	if res.Warning != "" {
		fmt.Fprintln(w, "warning: "+inert.Line(res.Warning))
	}
	for _, f := range res.ReleaseFailures {
		fmt.Fprintln(w, "not released (hidden until its visibility timeout ends): "+inert.Line(f))
	}
	q := res.Queue
	if !res.Complete && q.URL != "" {
		fmt.Fprintf(w, "showing %d of about %d visible messages of %s", res.Read, q.Visible, inert.Line(q.Name))
		if q.InFlight > 0 {
			fmt.Fprintf(w, "; %d more are in flight with a consumer and were not seen", q.InFlight)
		}
		fmt.Fprintln(w)
	}
}

func dlqTimes(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// dlqPreviewWidth keeps a payload preview to a table cell.
const dlqPreviewWidth = 48

var dlqPeekColumns = []column[peekRow]{
	{"ID", func(m peekRow) string { return m.ID }},
	{"RECV", func(m peekRow) string { return fmt.Sprint(m.ReceiveCount) }},
	{"SENT", func(m peekRow) string { return dlqTime(m.SentAt) }},
	{"DEADLINE", peekDeadlineCell},
	{"CONDITION", func(m peekRow) string { return dlqCondition(m.Message) }},
	{"CONSUMER", func(m peekRow) string { return dlqConsumer(m.Message) }},
	{"SHARD", func(m peekRow) string {
		return dlqFailureField(m.Message, func(f *dlq.Failure) string { return f.Batch.ShardID })
	}},
	{"SEQUENCES", func(m peekRow) string { return dlqFailureField(m.Message, dlqSequenceRange) }},
	{"BATCH", func(m peekRow) string {
		return dlqFailureField(m.Message, func(f *dlq.Failure) string { return fmt.Sprint(f.Batch.BatchSize) })
	}},
	{"PAYLOAD", func(m peekRow) string { return dlqPayloadPreview(m.Message) }},
}

func dlqCondition(m dlq.Message) string {
	switch {
	case m.Failure != nil:
		return m.Failure.Condition
	case m.ParseError != "":
		return "malformed failure"
	}
	return "payload"
}

// dlqConsumer is the pipe or function that failed, or for a payload the
// queue SQS moved it from.
func dlqConsumer(m dlq.Message) string {
	if m.Failure != nil {
		return m.Failure.Source + ":" + m.Failure.Consumer
	}
	if src := m.SourceQueueARN(); src != "" {
		return "sqs:" + inventory.QueueName(src)
	}
	return ""
}

func dlqFailureField(m dlq.Message, field func(*dlq.Failure) string) string {
	if m.Failure == nil {
		return ""
	}
	return field(m.Failure)
}

// dlqSequenceRange shows a batch's sequence numbers by their last digits:
// within a shard they share a long prefix, and the full numbers are in the
// body below the table and in -o json.
func dlqSequenceRange(f *dlq.Failure) string {
	start, end := dlqShortSequence(f.Batch.StartSequenceNumber), dlqShortSequence(f.Batch.EndSequenceNumber)
	if f.Batch.StartSequenceNumber == f.Batch.EndSequenceNumber {
		return start
	}
	return start + ".." + end
}

func dlqShortSequence(s string) string {
	const keep = 12
	if len(s) <= keep+4 {
		return s
	}
	return "…" + s[len(s)-keep:]
}

func dlqPayloadPreview(m dlq.Message) string {
	if !m.IsPayload() {
		return ""
	}
	return decode.Decode([]byte(m.Body)).Preview(dlqPreviewWidth)
}

func dlqTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// --- delete ---

func newDLQDeleteCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "delete QUEUE ID...",
		Short: "Delete messages from a queue by id",
		Long: `Delete the named messages. sluice receives the queue's messages until it
has found every id, deletes those, and makes every other message visible
again at once. Ids it did not find are reported, and the command fails.`,
		Example: `  sluice dlq delete orders-dlq 0f3c5b0e-7c1a-4d5e-9a43-1f2b3c4d5e6f
  sluice dlq delete orders-dlq ID1 ID2 --yes -o json`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, url, err := openDLQ(ctx, cmd, f, args[0])
			if err != nil {
				return err
			}
			defer o.close()
			ids := args[1:]
			name := dlq.NameOfURL(url)
			if err := o.confirm(cmd, fmt.Sprintf("delete %d messages from queue %s (%s)", len(ids), inert.Line(name), inert.LineCut(strings.Join(ids, ", "), 400))); err != nil {
				return err
			}
			res, err := dlq.DeleteByID(ctx, o.session, url, ids)
			if perr := printRows(o.out, dlqDeleteRows(res), dlqDeleteColumns); perr != nil && err == nil {
				err = perr
			}
			for _, f := range res.ReleaseFailures {
				fmt.Fprintln(cmd.ErrOrStderr(), "not released (hidden until its visibility timeout ends): "+inert.Line(f))
			}
			if err != nil {
				return err
			}
			if left := len(res.NotFound) + len(res.Failed); left > 0 {
				return fmt.Errorf("delete from %s: %d of %d messages not deleted", name, left, len(ids))
			}
			return nil
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

// dlqDeleteRow is one message's outcome.
type dlqDeleteRow struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"` // deleted, not found, failed
	Error   string `json:"error,omitempty"`
}

func dlqDeleteRows(res dlq.DeleteResult) []dlqDeleteRow {
	var rows []dlqDeleteRow
	for _, id := range res.Deleted {
		rows = append(rows, dlqDeleteRow{ID: id, Outcome: "deleted"})
	}
	for _, id := range res.NotFound {
		rows = append(rows, dlqDeleteRow{ID: id, Outcome: "not found"})
	}
	for _, f := range res.Failed {
		rows = append(rows, dlqDeleteRow{ID: f.ID, Outcome: "failed", Error: f.Error})
	}
	return rows
}

var dlqDeleteColumns = []column[dlqDeleteRow]{
	{"ID", func(r dlqDeleteRow) string { return r.ID }},
	{"OUTCOME", func(r dlqDeleteRow) string { return r.Outcome }},
	{"ERROR", func(r dlqDeleteRow) string { return r.Error }},
}

// --- purge ---

func newDLQPurgeCmd() *cobra.Command {
	var f opsFlags
	cmd := &cobra.Command{
		Use:   "purge QUEUE",
		Short: "Delete every message of a queue (irreversible)",
		Long: `Delete every message of the queue with SQS PurgeQueue. It cannot be undone:
on a terminal sluice asks you to type the queue's name; elsewhere it needs
--yes. SQS allows one purge of a queue every 60 seconds.`,
		Example: `  sluice dlq purge orders-dlq
  sluice dlq purge orders-dlq --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, url, err := openDLQ(ctx, cmd, f, args[0])
			if err != nil {
				return err
			}
			defer o.close()
			q, err := dlq.Describe(ctx, o.session, url)
			if err != nil {
				return err
			}
			what := fmt.Sprintf("purge queue %s, deleting its %d visible and %d in-flight messages", inert.Line(q.Name), q.Visible, q.InFlight)
			if err := confirmTyped(cmd, o, what, q.Name); err != nil {
				return err
			}
			if err := dlq.Purge(ctx, o.session, url); err != nil {
				return err
			}
			return printOne(o.out, dlqPurgeResult{Queue: q.Name, URL: url, Visible: q.Visible, InFlight: q.InFlight}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "purged %s (%d visible and %d in-flight messages before the purge)\n", inert.Line(q.Name), q.Visible, q.InFlight)
				return err
			})
		},
	}
	addOpsFlags(cmd, &f)
	return cmd
}

type dlqPurgeResult struct {
	Queue    string `json:"queue"`
	URL      string `json:"url"`
	Visible  int    `json:"visibleBefore"`
	InFlight int    `json:"inFlightBefore"`
}

// confirmTyped is confirm for what cannot be undone: on a terminal the
// operator types the resource's name rather than "y".
func confirmTyped(cmd *cobra.Command, o *ops, what, name string) error {
	if err := o.session.Guard(what); err != nil {
		return err
	}
	if o.flags.yes {
		return nil
	}
	in := cmd.InOrStdin()
	if !isTerminal(in) {
		return fmt.Errorf("%s: not confirmed; pass --yes to confirm when not on a terminal", what)
	}
	return readTyped(in, cmd.ErrOrStderr(), fmt.Sprintf("%s on profile %s. This cannot be undone.", what, o.session.Profile.Name), what, name)
}

// readTyped asks for name to be typed and accepts nothing else.
func readTyped(in io.Reader, prompt io.Writer, question, what, name string) error {
	fmt.Fprintf(prompt, "%s\nType the queue name (%s) to confirm: ", question, inert.Line(name))
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: not confirmed: %w", what, err)
	}
	if strings.TrimSpace(answer) != name {
		return fmt.Errorf("%s: not confirmed (the name typed did not match)", what)
	}
	return nil
}

// --- redrive ---

type redriveFlags struct {
	ops    opsFlags
	to     string
	rate   int32
	wait   bool
	every  time.Duration
	status bool
	cancel bool
}

func newDLQRedriveCmd() *cobra.Command {
	var f redriveFlags
	cmd := &cobra.Command{
		Use:   "redrive QUEUE",
		Short: "Move a DLQ's messages back to their source queues (or --to another) with an SQS move task",
		Long: `Start an SQS message move task that moves every message of the DLQ back to
the queue it came from, or to --to. Only a DLQ fed by SQS queues can be
redriven; the failures of a Kinesis pipe or Lambda function hold no event,
so hydrate those instead (sluice dlq hydrate).

--wait follows the task until it ends, with progress on stderr; --status
lists the queue's recent move tasks; --cancel stops the running one.`,
		Example: `  sluice dlq redrive jobs-dlq --wait
  sluice dlq redrive jobs-dlq --to jobs-retry --rate 50 --yes
  sluice dlq redrive jobs-dlq --status`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return runRedrive(ctx, cmd, f, args[0])
		},
	}
	addOpsFlags(cmd, &f.ops)
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "destination queue (name, URL or ARN); default: each message's source queue")
	fl.Int32Var(&f.rate, "rate", 0, fmt.Sprintf("at most this many messages a second (1–%d); default SQS's pace", dlq.MaxRedriveRate))
	fl.BoolVar(&f.wait, "wait", false, "follow the task until it ends, with progress on stderr")
	fl.DurationVar(&f.every, "every", time.Second, "how often --wait checks the task")
	fl.BoolVar(&f.status, "status", false, "list the queue's recent move tasks instead of starting one")
	fl.BoolVar(&f.cancel, "cancel", false, "cancel the queue's running move task")
	cmd.MarkFlagsMutuallyExclusive("status", "cancel")
	return cmd
}

func runRedrive(ctx context.Context, cmd *cobra.Command, f redriveFlags, queue string) error {
	o, url, err := openDLQ(ctx, cmd, f.ops, queue)
	if err != nil {
		return err
	}
	defer o.close()
	q, err := dlq.Describe(ctx, o.session, url)
	if err != nil {
		return err
	}
	switch {
	case f.status:
		tasks, err := dlq.MoveTasks(ctx, o.session, q.ARN)
		if err != nil {
			return err
		}
		return printRows(o.out, tasks, moveTaskColumns)
	case f.cancel:
		return runCancelRedrive(ctx, cmd, o, q)
	}
	// Checked before asking: SQS would refuse the task after the yes.
	sources, err := dlq.CheckRedrive(ctx, o.session, q)
	if err != nil {
		return err
	}
	dest, destName := "", "their source queues ("+strings.Join(sources, ", ")+")"
	if f.to != "" {
		if dest, err = dlqQueueARN(ctx, o, f.to); err != nil {
			return err
		}
		destName = inventory.QueueName(dest)
	}
	if err := o.confirm(cmd, fmt.Sprintf("redrive the %d messages of %s to %s", q.Visible, inert.Line(q.Name), inert.Line(destName))); err != nil {
		return err
	}
	handle, err := dlq.StartRedrive(ctx, o.session, q.ARN, dest, f.rate)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	if !f.wait {
		fmt.Fprintf(stderr, "redrive of %s started; follow it with: sluice dlq redrive %s --status\n", inert.Line(q.Name), inert.Line(q.Name))
		return printOne(o.out, dlq.MoveTask{Handle: handle, Status: dlq.TaskRunning, Source: q.ARN, Destination: dest}, func(w io.Writer) error {
			_, err := fmt.Fprintln(w, handle)
			return err
		})
	}
	task, err := dlq.FollowRedrive(ctx, o.session, q.ARN, handle, f.every, func(t dlq.MoveTask) {
		fmt.Fprintf(stderr, "redrive %s: %s, %d of %d moved\n", inert.Line(q.Name), t.Status, t.Moved, t.ToMove)
	})
	if err != nil {
		return err
	}
	if perr := printRows(o.out, []dlq.MoveTask{task}, moveTaskColumns); perr != nil {
		return perr
	}
	if task.Status != dlq.TaskCompleted {
		return fmt.Errorf("redrive %s ended %s after moving %d of %d messages%s", q.Name, task.Status, task.Moved, task.ToMove, moveFailureSuffix(task))
	}
	return nil
}

func moveFailureSuffix(t dlq.MoveTask) string {
	if t.Failure == "" {
		return ""
	}
	return ": " + t.Failure
}

func runCancelRedrive(ctx context.Context, cmd *cobra.Command, o *ops, q dlq.Queue) error {
	tasks, err := dlq.MoveTasks(ctx, o.session, q.ARN)
	if err != nil {
		return err
	}
	var running *dlq.MoveTask
	for i := range tasks {
		if tasks[i].Status == dlq.TaskRunning && tasks[i].Handle != "" {
			running = &tasks[i]
			break
		}
	}
	if running == nil {
		return fmt.Errorf("cancel redrive of %s: no move task is running", q.Name)
	}
	if err := o.confirm(cmd, fmt.Sprintf("cancel the redrive of %s (%d of %d moved so far)", inert.Line(q.Name), running.Moved, running.ToMove)); err != nil {
		return err
	}
	moved, err := dlq.CancelRedrive(ctx, o.session, running.Handle)
	if err != nil {
		return err
	}
	running.Status, running.Moved = dlq.TaskCancelling, moved
	return printRows(o.out, []dlq.MoveTask{*running}, moveTaskColumns)
}

// dlqQueueARN reads the ARN of a queue given by name, URL or ARN.
func dlqQueueARN(ctx context.Context, o *ops, queue string) (string, error) {
	if strings.HasPrefix(queue, "arn:") {
		return queue, nil
	}
	url, err := dlq.ResolveQueue(ctx, o.session, queue)
	if err != nil {
		return "", err
	}
	q, err := dlq.Describe(ctx, o.session, url)
	if err != nil {
		return "", err
	}
	return q.ARN, nil
}

var moveTaskColumns = []column[dlq.MoveTask]{
	{"STATUS", func(t dlq.MoveTask) string { return t.Status }},
	{"MOVED", func(t dlq.MoveTask) string { return fmt.Sprint(t.Moved) }},
	{"TO MOVE", func(t dlq.MoveTask) string { return fmt.Sprint(t.ToMove) }},
	{"DESTINATION", func(t dlq.MoveTask) string {
		if t.Destination == "" {
			return "source queues"
		}
		return inventory.QueueName(t.Destination)
	}},
	{"STARTED", func(t dlq.MoveTask) string { return dlqTime(t.Started) }},
	{"FAILURE", func(t dlq.MoveTask) string { return t.Failure }},
}

// --- export ---

func newDLQExportCmd() *cobra.Command {
	var f opsFlags
	var file string
	var max int
	var visibility int32
	cmd := &cobra.Command{
		Use:   "export QUEUE",
		Short: "Write a queue's messages as JSON Lines, bodies kept exactly",
		Long: `Receive the queue's messages, make every one visible again at once, and write
each as one JSON line: id, body exactly as SQS holds it, receive count,
times, attributes, and the parsed failure. --file writes to a file, created
with owner-only permissions and put in place only once complete; without it
the lines go to stdout. Like a peek, an export raises receive counts by one,
and --readonly refuses it on a queue that has a redrive policy of its own.`,
		Example: `  sluice dlq export orders-dlq --file orders-dlq.jsonl
  sluice dlq export orders-dlq | jq -r .body`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if max < 0 {
				return fmt.Errorf("--max %d: want 0 (all) or more", max)
			}
			ctx := cmd.Context()
			o, url, err := openDLQ(ctx, cmd, f, args[0])
			if err != nil {
				return err
			}
			defer o.close()
			opts := dlq.BrowseOptions{Max: max, VisibilityTimeout: visibility}
			var res dlq.BrowseResult
			if file == "" {
				res, err = dlq.Export(ctx, o.session, url, jsonTextWriter{cmd.OutOrStdout()}, opts)
			} else {
				res, err = dlqExportToFile(ctx, o, url, file, opts)
			}
			stderr := cmd.ErrOrStderr()
			printDLQBrowseNotes(stderr, res)
			if err != nil {
				return err
			}
			dest := "stdout"
			if file != "" {
				dest = file
			}
			fmt.Fprintf(stderr, "exported %d messages of %s to %s\n", res.Read, inert.Line(dlq.NameOfURL(url)), inert.Line(dest))
			return nil
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().StringVarP(&file, "file", "f", "", "write to this file instead of stdout")
	cmd.Flags().IntVar(&max, "max", 0, fmt.Sprintf("how many messages to export; 0 for all (up to %d)", dlq.MaxBrowse))
	cmd.Flags().Int32Var(&visibility, "visibility", dlq.DefaultVisibility, "seconds the messages stay hidden should sluice fail to release them")
	return cmd
}

// dlqExportToFile writes the export beside path and renames it into place
// once complete, so that a failed export never leaves half a file under
// the name asked for.
func dlqExportToFile(ctx context.Context, o *ops, url, path string, opts dlq.BrowseOptions) (dlq.BrowseResult, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return dlq.BrowseResult{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	w := bufio.NewWriter(tmp)
	res, err := dlq.Export(ctx, o.session, url, w, opts)
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return res, fmt.Errorf("export to %s: %w", path, err)
	}
	return res, nil
}
