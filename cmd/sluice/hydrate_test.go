package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// hydrateScene is an engine holding a stream, a DLQ with Pipes failures
// of its records, and an archive bucket.
type hydrateScene struct {
	t        *testing.T
	e        *enginetest.Engine
	ctx      context.Context
	queueURL string
	ids      []string
}

// isolateHydrateEnv points every file the CLI reads or writes at temp dirs.
func isolateHydrateEnv(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(dir, strings.ToLower(v)))
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
}

// newHydrateScene sets up n failures of one record each; tag, when not
// empty, is the DLQ's sluice:archive tag.
func newHydrateScene(t *testing.T, n int, tag string) *hydrateScene {
	isolateHydrateEnv(t)
	e := enginetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	sc := &hydrateScene{t: t, e: e, ctx: ctx}
	k, q := e.Kinesis(), e.SQS()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	in := &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")}
	if tag != "" {
		in.Tags = map[string]string{"sluice:archive": tag}
	}
	out, err := q.CreateQueue(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	sc.queueURL = aws.ToString(out.QueueUrl)
	for i := range n {
		sc.ids = append(sc.ids, sc.fail(i))
	}
	return sc
}

// fail puts one record and sends its Pipes failure to the DLQ.
func (sc *hydrateScene) fail(i int) string {
	sc.t.Helper()
	put, err := sc.e.Kinesis().PutRecord(sc.ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String(fmt.Sprintf("customer-%d", i)), Data: fmt.Appendf(nil, `{"orderId":"o-%d"}`, i)})
	if err != nil {
		sc.t.Fatal(err)
	}
	seq := aws.ToString(put.SequenceNumber)
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":"2026-11-27T09:00:00.000Z","KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":"2026-11-27T08:59:00.000Z","approximateArrivalOfLastRecord":"2026-11-27T08:59:00.000Z","batchSize":1,
"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}}`, aws.ToString(put.ShardId), seq, seq)
	sent, err := sc.e.SQS().SendMessage(sc.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sc.queueURL), MessageBody: aws.String(body)})
	if err != nil {
		sc.t.Fatal(err)
	}
	return aws.ToString(sent.MessageId)
}

func (sc *hydrateScene) objects() []string {
	sc.t.Helper()
	out, err := sc.e.S3().ListObjectsV2(sc.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("archive")})
	if err != nil {
		sc.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func (sc *hydrateScene) queued() int {
	sc.t.Helper()
	out, err := sc.e.SQS().GetQueueAttributes(sc.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(sc.queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		sc.t.Fatal(err)
	}
	var n int
	for _, v := range out.Attributes {
		var c int
		fmt.Sscan(v, &c)
		n += c
	}
	return n
}

func (sc *hydrateScene) flags(extra ...string) []string {
	return append([]string{"--profile", "local", "--endpoint-url", sc.e.URL}, extra...)
}

// runHydrateCmd executes cmd with args and returns stdout, stderr and the error.
func runHydrateCmd(cmd *cobra.Command, args []string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// TestDLQHydrateByID: named messages are hydrated into the archive the
// queue's tag names, the others stay; -o json prints the results.
func TestDLQHydrateByID(t *testing.T) {
	sc := newHydrateScene(t, 3, "s3://archive/failed")
	stdout, stderr, err := runHydrateCmd(newDLQHydrateCmd(), append([]string{"orders-dlq", sc.ids[0], sc.ids[2]}, sc.flags("--yes", "-o", "json")...))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var results []hydrate.Result
	if err := json.Unmarshal([]byte(stdout), &results); err != nil {
		t.Fatalf("output is not a JSON array of results: %v\n%s", err, stdout)
	}
	if len(results) != 2 {
		t.Fatalf("results %+v", results)
	}
	for _, r := range results {
		if r.Outcome != hydrate.Hydrated || r.Events != 1 || len(r.Keys) != 1 || !strings.HasPrefix(r.Keys[0], "failed/orders-to-api/") {
			t.Fatalf("result %+v", r)
		}
	}
	if keys := sc.objects(); len(keys) != 2 {
		t.Fatalf("archive holds %q", keys)
	}
	if n := sc.queued(); n != 1 {
		t.Fatalf("DLQ holds %d messages, want the one not named", n)
	}
	if !strings.Contains(stderr, "hydrated 2 messages (2 events)") {
		t.Fatalf("stderr %q", stderr)
	}
}

// TestDLQHydrateAllWithArchiveFlag: with no tag, --archive says where;
// the table names each message and its key.
func TestDLQHydrateAllWithArchiveFlag(t *testing.T) {
	sc := newHydrateScene(t, 2, "")
	// Through the root, as `sluice dlq hydrate`.
	stdout, stderr, err := runHydrateCmd(newRootCmd(buildInfo{}), append([]string{"dlq", "hydrate", "orders-dlq", "--all", "--archive", "s3://archive/flagged/"}, sc.flags("--yes")...))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "MESSAGE") || !strings.Contains(lines[0], "KEYS OR REASON") {
		t.Fatalf("table:\n%s", stdout)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "hydrated") || !strings.Contains(l, "flagged/orders-to-api/") {
			t.Fatalf("row %q", l)
		}
	}
	if n := sc.queued(); n != 0 {
		t.Fatalf("DLQ holds %d messages", n)
	}
}

// TestDLQHydrateRefusals: no ids and no --all, no --yes off a terminal,
// --readonly, and no archive anywhere are refused with the fix, and the
// queue is untouched.
func TestDLQHydrateRefusals(t *testing.T) {
	sc := newHydrateScene(t, 1, "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{sc.flags("--yes"), "pass --all"},
		{append([]string{sc.ids[0], "--all"}, sc.flags("--yes")...), "not both"},
		{append([]string{"--all", "--archive", "s3://archive/x/"}, sc.flags()...), "pass --yes"},
		{append([]string{"--all", "--archive", "s3://archive/x/", "--readonly"}, sc.flags("--yes")...), "read-only"},
		{append([]string{"--all"}, sc.flags("--yes")...), "--archive"},
		{append([]string{"--all", "--archive", "bucket/x"}, sc.flags("--yes")...), "s3://"},
	} {
		_, _, err := runHydrateCmd(newDLQHydrateCmd(), append([]string{"orders-dlq"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	if n := sc.queued(); n != 1 || len(sc.objects()) != 0 {
		t.Fatalf("after refusals: %d messages, objects %q", n, sc.objects())
	}
	// Nothing was received either: the message's first receive is this one.
	out, err := sc.e.SQS().ReceiveMessage(sc.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.queueURL),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("receive after refusals: %+v %v", out, err)
	}
}

// TestHydrateWatchCommand: `sluice hydrate --watch` prints a JSON line per
// message that arrives, and stops cleanly when cancelled.
func TestHydrateWatchCommand(t *testing.T) {
	sc := newHydrateScene(t, 0, "s3://archive/w/")
	ctx, cancel := context.WithCancel(sc.ctx)
	defer cancel()
	root := newRootCmd(buildInfo{})
	out, errOut := &syncBuffer{}, &syncBuffer{}
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetIn(strings.NewReader(""))
	root.SetArgs(append([]string{"hydrate", "orders-dlq", "--watch", "-o", "jsonl"}, sc.flags("--yes")...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	ids := map[string]bool{sc.fail(1): true, sc.fail(2): true}
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "\n") < 2 {
		select {
		case err := <-done:
			t.Fatalf("watch ended: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no results; stdout %q stderr %q", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch returned %v after a cancel", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r hydrate.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Outcome != hydrate.Hydrated || !ids[r.MessageID] {
			t.Fatalf("line %q: %+v %v", line, r, err)
		}
	}
	if !strings.Contains(errOut.String(), "watching orders-dlq; archive s3://archive/w/ (from tag)") ||
		!strings.Contains(errOut.String(), "stopped: hydrated 2 messages (2 events)") {
		t.Fatalf("stderr %q", errOut.String())
	}
}

// TestDemoHydrateArchivesTheDLQ runs the demo scenario with the hydrate
// watch `sluice demo --hydrate` adds: the pipe's failures end up in the
// archive the DLQ's tag names, and the status line counts them.
func TestDemoHydrateArchivesTheDLQ(t *testing.T) {
	isolateHydrateEnv(t)
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.RetryBase, o.RetryCap = 5*time.Millisecond, 50*time.Millisecond
	}))
	if newDemoCmd().Flags().Lookup("hydrate") == nil {
		t.Fatal("demo has no --hydrate flag")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	h := &demoHydrate{endpoint: e.URL, out: out, done: make(chan error, 1)}
	done := make(chan error, 1)
	go func() {
		err := demo.Run(ctx, demo.Options{Endpoint: e.URL, Rate: 200, Seed: 7, Out: out, OnReady: h.start, Status: h.status}, nil)
		done <- errors.Join(err, h.wait())
	}()
	deadline := time.Now().Add(90 * time.Second)
	for h.hydrated.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing hydrated; output:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
	list, err := e.S3().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(demo.BucketName),
		Prefix: aws.String(demo.PipeName + "/")})
	if err != nil || len(list.Contents) == 0 {
		t.Fatalf("archive: %v, %d objects", err, len(list.Contents))
	}
	if !strings.Contains(out.String(), "hydrating orders-dlq into s3://orders-archive/ ") {
		t.Fatalf("output:\n%s", out.String())
	}
	if s := h.status(); !strings.HasPrefix(s, "hydrated ") || strings.HasPrefix(s, "hydrated 0 ") {
		t.Fatalf("status %q", s)
	}
}
