package consumers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// fixture is an engine with a stream "orders", its DLQ, and a pipe
// "orders-to-out" from the stream to queue "out", plus a control pipe
// from the same stream to queue "control" that is never stopped: what
// it delivers shows how far a running pipe gets.
type fixture struct {
	t                  *testing.T
	ctx                context.Context
	e                  *enginetest.Engine
	s                  *backend.Session
	streamARN          string
	dlqURL, dlqARN     string
	outURL, controlURL string
	outARN, controlARN string
}

func newFixture(t *testing.T, opts ...enginetest.Option) *fixture {
	t.Helper()
	s, e := backendtest.Open(t, opts...)
	f := &fixture{t: t, ctx: context.Background(), e: e, s: s}
	f.streamARN = inventorytest.Stream(t, e, "orders", 1)
	f.dlqURL, f.dlqARN = inventorytest.Queue(t, e, "orders-dlq", nil)
	f.outURL, f.outARN = inventorytest.Queue(t, e, "out", nil)
	f.controlURL, f.controlARN = inventorytest.Queue(t, e, "control", nil)
	inventorytest.Pipe(t, e, "orders-to-out", f.streamARN, f.outARN, f.dlqARN, nil)
	inventorytest.Pipe(t, e, "orders-control", f.streamARN, f.controlARN, "", nil)
	return f
}

// put writes records whose data are prefix-0 … prefix-(n-1).
func (f *fixture) put(prefix string, n int) []string {
	f.t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	var want []string
	for i := range n {
		d := fmt.Sprintf("%s-%d", prefix, i)
		want = append(want, d)
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String("k")})
	}
	out, err := f.e.Kinesis().PutRecords(f.ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(f.streamARN), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		f.t.Fatalf("put records: %v", err)
	}
	return want
}

// drain receives from queue until it has n records' data (or fails after
// a generous bound: the pipe never delivered), deleting what it reads,
// and returns their data in the order received.
func (f *fixture) drain(url string, n int) []string {
	f.t.Helper()
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("queue %s: %d of %d records arrived: %v", url, len(got), n, got)
		}
		out, err := f.e.SQS().ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			f.t.Fatalf("receive: %v", err)
		}
		for _, m := range out.Messages {
			got = append(got, recordData(f.t, aws.ToString(m.Body)))
			if _, err := f.e.SQS().DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				f.t.Fatalf("delete: %v", err)
			}
		}
	}
	return got
}

// queued is how many messages queue holds, visible or not.
func (f *fixture) queued(url string) int {
	f.t.Helper()
	out, err := f.e.SQS().GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"},
	})
	if err != nil {
		f.t.Fatalf("queue attributes: %v", err)
	}
	var n int
	for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"} {
		var v int
		fmt.Sscan(out.Attributes[k], &v)
		n += v
	}
	return n
}

// recordData is the record data of a pipe's Kinesis event.
func recordData(t *testing.T, body string) string {
	t.Helper()
	var ev struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("event %q: %v", body, err)
	}
	d, err := base64.StdEncoding.DecodeString(ev.Data)
	if err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	return string(d)
}
