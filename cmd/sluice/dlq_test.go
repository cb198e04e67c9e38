package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// dlqEngine starts an engine and points every path sluice writes to at
// temporary folders.
func dlqEngine(t *testing.T) *enginetest.Engine {
	t.Helper()
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"} {
		t.Setenv(v, t.TempDir())
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
	return enginetest.Start(t)
}

// runSluice runs the command line args against the engine with stdin
// that is not a terminal.
func runSluice(t *testing.T, e *enginetest.Engine, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", e.URL))
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func dlqQueue(t *testing.T, e *enginetest.Engine, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	ctx := context.Background()
	out, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

func dlqSend(t *testing.T, e *enginetest.Engine, url string, bodies ...string) []string {
	t.Helper()
	var ids []string
	for _, b := range bodies {
		out, err := e.SQS().SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	return ids
}

// dlqVisible is the queue's count of visible messages.
func dlqVisible(t *testing.T, e *enginetest.Engine, url string) int {
	t.Helper()
	out, err := e.SQS().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	return n
}

func redrivenTo(dlqARN string, max int) map[string]string {
	return map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, dlqARN, max),
		// Received messages come back at once, so that a second receive
		// moves them to the DLQ.
		"VisibilityTimeout": "0",
	}
}

// dlqFill sends n messages to src and receives them until SQS has moved
// every one into the DLQ.
func dlqFill(t *testing.T, e *enginetest.Engine, srcURL, dlqURL string, n int) {
	t.Helper()
	for i := range n {
		dlqSend(t, e, srcURL, fmt.Sprintf(`{"job":%d}`, i))
	}
	deadline := time.Now().Add(time.Minute)
	for dlqVisible(t, e, dlqURL) < n {
		if time.Now().After(deadline) {
			t.Fatalf("messages did not reach the DLQ")
		}
		if _, err := e.SQS().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(srcURL), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
	}
}

const dlqPipesFailure = `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
 "version":"1.0","timestamp":"2023-06-19T15:03:51.498Z",
 "KinesisBatchInfo":{"shardId":"shardId-000000000000",
   "startSequenceNumber":"49590338271490256608559692538361571095921575989136588898",
   "endSequenceNumber":"49590338271490256608559692540925702759324208523137515618",
   "approximateArrivalOfFirstRecord":"2023-06-19T15:03:46.620Z","approximateArrivalOfLastRecord":"2023-06-19T15:03:46.620Z",
   "batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}}`

func TestDLQList(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "jobs-dlq", nil)
	dlqQueue(t, e, "jobs", redrivenTo(dlqARN, 3))
	tagged, _ := dlqQueue(t, e, "tagged", nil)
	if _, err := e.SQS().TagQueue(context.Background(), &sqs.TagQueueInput{QueueUrl: aws.String(tagged),
		Tags: map[string]string{"sluice:archive": "s3://archive/tagged/"}}); err != nil {
		t.Fatal(err)
	}
	dlqQueue(t, e, "plain", nil)
	dlqSend(t, e, dlqURL, "a", "b")

	out, _, err := runSluice(t, e, "", "dlq", "ls")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "jobs-dlq") || !strings.Contains(out, "sqs:jobs") || !strings.Contains(out, "s3://archive/tagged/") ||
		strings.Contains(out, "plain") {
		t.Fatalf("table:\n%s", out)
	}
	out, _, err = runSluice(t, e, "", "dlq", "ls", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var dlqs []inventory.DLQ
	if err := json.Unmarshal([]byte(out), &dlqs); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(dlqs) != 2 || dlqs[0].Queue.Name != "jobs-dlq" || dlqs[0].Queue.Visible != 2 || dlqs[1].Queue.Name != "tagged" {
		t.Fatalf("%+v", dlqs)
	}
}

func TestDLQPeek(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "orders-dlq", nil)
	dlqSend(t, e, url, dlqPipesFailure, `{"orderId":"o-1","note":"`+"\u009b31mred\u202e"+`"}`)

	out, errOut, err := runSluice(t, e, "", "dlq", "peek", "orders-dlq")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RetryAttemptsExhausted", "pipe:orders-to-api", "shardId-000000000000", "…989136588898..…523137515618",
		"payload", `{"orderId":"o-1"`, "49590338271490256608559692538361571095921575989136588898"} {
		if !strings.Contains(out, want) {
			t.Errorf("peek lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\u009b") || strings.Contains(out, "\u202e") {
		t.Errorf("peek printed a control character:\n%q", out)
	}
	if !strings.Contains(errOut, "warning: This browse raised the receive count of each of the 2 messages") {
		t.Errorf("stderr: %s", errOut)
	}
	if n := dlqVisible(t, e, url); n != 2 {
		t.Fatalf("%d messages visible after the peek, want 2", n)
	}

	out, _, err = runSluice(t, e, "", "dlq", "peek", url, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res dlq.BrowseResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(res.Messages) != 2 || res.Messages[0].ReceiveCount != 2 || !res.Complete || res.Warning == "" {
		t.Fatalf("%+v", res)
	}
}

func TestDLQPeekWarnsOfTheQueuesOwnDLQ(t *testing.T) {
	e := dlqEngine(t)
	_, dlqARN := dlqQueue(t, e, "work-dlq", nil)
	url, _ := dlqQueue(t, e, "work", map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":1}`, dlqARN)})
	dlqSend(t, e, url, "one", "two")
	_, errOut, err := runSluice(t, e, "", "dlq", "peek", "work", "--max", "0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "work has a redrive policy") || !strings.Contains(errOut, "2 of the messages read now have a receive count ≥ 1") ||
		!strings.Contains(errOut, "moves them into work-dlq") {
		t.Fatalf("stderr: %s", errOut)
	}
}

func TestDLQDelete(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "del-dlq", nil)
	ids := dlqSend(t, e, url, "a", "b", "c", "d")

	_, _, err := runSluice(t, e, "", "dlq", "delete", "del-dlq", ids[0])
	if err == nil || !strings.Contains(err.Error(), "pass --yes") {
		t.Fatalf("without --yes off a terminal: %v", err)
	}
	if n := dlqVisible(t, e, url); n != 4 {
		t.Fatalf("%d messages left after a refused delete", n)
	}

	out, _, err := runSluice(t, e, "", "dlq", "delete", "del-dlq", ids[0], ids[1], "--yes")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "deleted") != 2 {
		t.Fatalf("output:\n%s", out)
	}
	out, _, err = runSluice(t, e, "", "dlq", "delete", "del-dlq", ids[2], "no-such-id", "--yes", "-o", "jsonl")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 messages not deleted") {
		t.Fatalf("missing id: %v", err)
	}
	if !strings.Contains(out, `{"id":"no-such-id","outcome":"not found"}`) || !strings.Contains(out, `"outcome":"deleted"`) {
		t.Fatalf("output:\n%s", out)
	}
	if n := dlqVisible(t, e, url); n != 1 {
		t.Fatalf("%d messages left, want 1", n)
	}
}

func TestDLQPurge(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "purge-dlq", nil)
	dlqSend(t, e, url, "a", "b", "c")
	if _, _, err := runSluice(t, e, "purge-dlq\n", "dlq", "purge", "purge-dlq"); err == nil || !strings.Contains(err.Error(), "pass --yes") {
		t.Fatalf("without --yes off a terminal: %v", err)
	}
	if n := dlqVisible(t, e, url); n != 3 {
		t.Fatalf("%d messages left after a refused purge", n)
	}
	out, _, err := runSluice(t, e, "", "dlq", "purge", "purge-dlq", "--yes")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "purged purge-dlq (3 visible") {
		t.Fatalf("output: %s", out)
	}
	if n := dlqVisible(t, e, url); n != 0 {
		t.Fatalf("%d messages left after purge", n)
	}
}

// TestDLQReadOnlyRefusesWrites: --readonly refuses delete, purge and
// redrive, --yes or not, and leaves every message in place.
func TestDLQReadOnlyRefusesWrites(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "ro-dlq", nil)
	srcURL, _ := dlqQueue(t, e, "ro", redrivenTo(dlqARN, 1))
	dlqFill(t, e, srcURL, dlqURL, 3)
	ids := dlqSend(t, e, dlqURL, "extra")
	for _, args := range [][]string{
		{"dlq", "delete", "ro-dlq", ids[0]},
		{"dlq", "purge", "ro-dlq"},
		{"dlq", "redrive", "ro-dlq"},
	} {
		_, _, err := runSluice(t, e, "", append(args, "--readonly", "--yes")...)
		if !errors.Is(err, backend.ErrReadOnly) || !strings.Contains(err.Error(), "drop --readonly") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if n := dlqVisible(t, e, dlqURL); n != 4 {
		t.Fatalf("%d messages left, want 4", n)
	}
	// Reading is still allowed.
	if _, _, err := runSluice(t, e, "", "dlq", "peek", "ro-dlq", "--readonly"); err != nil {
		t.Fatal(err)
	}
}

func TestDLQRedrive(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "jobs-dlq", nil)
	srcURL, _ := dlqQueue(t, e, "jobs", redrivenTo(dlqARN, 1))
	dlqFill(t, e, srcURL, dlqURL, 5)

	out, errOut, err := runSluice(t, e, "", "dlq", "redrive", "jobs-dlq", "--wait", "--every", "10ms", "--yes")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(out, "COMPLETED") || !strings.Contains(out, "source queues") || !strings.Contains(errOut, "COMPLETED, 5 of 5 moved") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if n := dlqVisible(t, e, srcURL); n != 5 {
		t.Fatalf("%d messages back in jobs, want 5", n)
	}
	out, _, err = runSluice(t, e, "", "dlq", "redrive", "jobs-dlq", "--status", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var tasks []dlq.MoveTask
	if err := json.Unmarshal([]byte(out), &tasks); err != nil || len(tasks) != 1 || tasks[0].Moved != 5 || tasks[0].Status != dlq.TaskCompleted {
		t.Fatalf("%v %+v\n%s", err, tasks, out)
	}
}

func TestDLQRedriveToAnotherQueue(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "mail-dlq", nil)
	srcURL, _ := dlqQueue(t, e, "mail", redrivenTo(dlqARN, 1))
	retryURL, _ := dlqQueue(t, e, "mail-retry", nil)
	dlqFill(t, e, srcURL, dlqURL, 3)
	if _, errOut, err := runSluice(t, e, "", "dlq", "redrive", "mail-dlq", "--to", "mail-retry", "--rate", "100", "--wait", "--every", "10ms", "--yes"); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if n := dlqVisible(t, e, retryURL); n != 3 {
		t.Fatalf("%d messages in mail-retry, want 3", n)
	}
}

func TestDLQRedriveOfAKinesisDLQPointsToHydrate(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "orders-dlq", nil)
	dlqSend(t, e, url, dlqPipesFailure)
	_, _, err := runSluice(t, e, "", "dlq", "redrive", "orders-dlq", "--yes")
	if err == nil || !strings.Contains(err.Error(), "sluice dlq hydrate orders-dlq") {
		t.Fatalf("err %v", err)
	}
	if n := dlqVisible(t, e, url); n != 1 {
		t.Fatalf("%d messages left, want 1", n)
	}
}

func TestDLQExport(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "export-dlq", nil)
	bodies := []string{dlqPipesFailure, `{"x":"<&>"}`, "line\r\n\ttab \u009b[2J \\u001b", "🦫"}
	ids := dlqSend(t, e, url, bodies...)

	file := filepath.Join(t.TempDir(), "out.jsonl")
	_, errOut, err := runSluice(t, e, "", "dlq", "export", "export-dlq", "--file", file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "exported 4 messages of export-dlq to "+file) {
		t.Fatalf("stderr: %s", errOut)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want owner-only", st.Mode().Perm())
	}
	msgs, err := dlq.ReadExport(f)
	if err != nil || len(msgs) != 4 {
		t.Fatalf("%v: %d messages", err, len(msgs))
	}
	byID := map[string]string{}
	for _, m := range msgs {
		byID[m.ID] = m.Body
	}
	for i, id := range ids {
		if byID[id] != bodies[i] {
			t.Errorf("body %d: got %q, want %q", i, byID[id], bodies[i])
		}
	}

	out, _, err := runSluice(t, e, "", "dlq", "export", "export-dlq")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dlq.ReadExport(strings.NewReader(out)); err != nil || len(got) != 4 {
		t.Fatalf("stdout export: %v, %d messages", err, len(got))
	}
	if n := dlqVisible(t, e, url); n != 4 {
		t.Fatalf("%d messages visible after the exports, want 4", n)
	}
}

func TestReadTyped(t *testing.T) {
	var prompt bytes.Buffer
	if err := readTyped(strings.NewReader("orders-dlq\n"), &prompt, "purge?", "purge orders-dlq", "orders-dlq"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prompt.String(), "Type the queue name (orders-dlq) to confirm") {
		t.Errorf("prompt %q", prompt.String())
	}
	for _, in := range []string{"y\n", "orders\n", "", "ORDERS-DLQ\n"} {
		if err := readTyped(strings.NewReader(in), &prompt, "purge?", "purge orders-dlq", "orders-dlq"); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestDLQRedriveCancel(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "slow-dlq", nil)
	srcURL, _ := dlqQueue(t, e, "slow", redrivenTo(dlqARN, 1))
	dlqFill(t, e, srcURL, dlqURL, 30)
	// One message a second: the task is still running when cancelled.
	out, errOut, err := runSluice(t, e, "", "dlq", "redrive", "slow-dlq", "--rate", "1", "--yes")
	if err != nil || strings.TrimSpace(out) == "" || !strings.Contains(errOut, "sluice dlq redrive slow-dlq --status") {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if _, _, err := runSluice(t, e, "", "dlq", "redrive", "slow-dlq", "--cancel"); err == nil || !strings.Contains(err.Error(), "pass --yes") {
		t.Fatalf("cancel without --yes: %v", err)
	}
	out, _, err = runSluice(t, e, "", "dlq", "redrive", "slow-dlq", "--cancel", "--yes")
	if err != nil || !strings.Contains(out, "CANCELLING") {
		t.Fatalf("%v\n%s", err, out)
	}
	var tasks []dlq.MoveTask
	deadline := time.Now().Add(time.Minute)
	for len(tasks) == 0 || !tasks[0].Done() {
		if time.Now().After(deadline) {
			t.Fatalf("the task did not end: %+v", tasks)
		}
		out, _, err = runSluice(t, e, "", "dlq", "redrive", "slow-dlq", "--status", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &tasks); err != nil {
			t.Fatal(err)
		}
	}
	if tasks[0].Status != dlq.TaskCancelled || tasks[0].Moved >= 30 {
		t.Fatalf("%+v", tasks[0])
	}
	if _, _, err := runSluice(t, e, "", "dlq", "redrive", "slow-dlq", "--cancel", "--yes"); err == nil || !strings.Contains(err.Error(), "no move task is running") {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestDLQWithoutASubcommandShowsHelp(t *testing.T) {
	var buf bytes.Buffer
	root := newRootCmd(buildInfo{})
	root.SetArgs([]string{"dlq"})
	root.SetOut(&buf)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"ls", "peek", "delete", "purge", "redrive", "export", "hydrate"} {
		if !strings.Contains(buf.String(), "  "+sub+" ") {
			t.Errorf("help lacks %s:\n%s", sub, buf.String())
		}
	}
}

// TestDLQReadOnlyPeekOfAQueueWithARedrivePolicy: two read-only peeks and
// an export of a queue whose redrive policy moves messages after one
// receive are refused with the reason, and its messages stay where they
// were (before, they all ended in its DLQ).
func TestDLQReadOnlyPeekOfAQueueWithARedrivePolicy(t *testing.T) {
	e := dlqEngine(t)
	dlqURL, dlqARN := dlqQueue(t, e, "work-dlq", nil)
	url, _ := dlqQueue(t, e, "work", redrivenTo(dlqARN, 1))
	dlqSend(t, e, url, "one", "two", "three")
	for _, args := range [][]string{
		{"dlq", "peek", "work"}, {"dlq", "peek", "work"}, {"dlq", "export", "work"},
	} {
		_, _, err := runSluice(t, e, "", append(args, "--readonly")...)
		if !errors.Is(err, backend.ErrReadOnly) || !strings.Contains(err.Error(), "redrive policy of its own") || !strings.Contains(err.Error(), "work-dlq") {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if n := dlqVisible(t, e, url); n != 3 {
		t.Fatalf("%d messages left in work, want 3", n)
	}
	if n := dlqVisible(t, e, dlqURL); n != 0 {
		t.Fatalf("%d messages moved into work-dlq", n)
	}
}

// TestDLQRedriveOfAPipesDLQIsRefusedBeforeAsking: a DLQ no SQS queue
// feeds cannot be redriven; that is said before the confirmation (here,
// off a terminal and without --yes, the confirmation would fail), with
// hydrate as the way out. Before, sluice asked, then SQS refused.
func TestDLQRedriveOfAPipesDLQIsRefusedBeforeAsking(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "orders-dlq", nil)
	dlqSend(t, e, url, dlqPipesFailure)
	_, _, err := runSluice(t, e, "", "dlq", "redrive", "orders-dlq")
	if err == nil || strings.Contains(err.Error(), "pass --yes") || !strings.Contains(err.Error(), "sluice dlq hydrate orders-dlq --all") {
		t.Fatalf("err %v", err)
	}
	if n := dlqVisible(t, e, url); n != 1 {
		t.Fatalf("%d messages left, want 1", n)
	}
}
