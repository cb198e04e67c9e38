package dlq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// createQueue makes a queue through the engine's own client and returns
// its URL and ARN.
func createQueue(t testing.TB, e *enginetest.Engine, name string, attrs map[string]string) (string, string) {
	t.Helper()
	c := e.SQS()
	out, err := c.CreateQueue(testCtx(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	a, err := c.GetQueueAttributes(testCtx(t), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("queue %s ARN: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

func redrivePolicy(dlqARN string, maxReceives int) map[string]string {
	return map[string]string{"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, dlqARN, maxReceives)}
}

// send puts bodies on the queue in batches and returns their message ids
// in order.
func send(t testing.TB, e *enginetest.Engine, url string, bodies []string) []string {
	t.Helper()
	c := e.SQS()
	var ids []string
	for start := 0; start < len(bodies); start += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for i, b := range bodies[start:min(start+10, len(bodies))] {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b),
				MessageAttributes: map[string]types.MessageAttributeValue{
					"n":   {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(start + i))},
					"bin": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 0xff}},
				}})
		}
		out, err := c.SendMessageBatch(testCtx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil || len(out.Failed) > 0 {
			t.Fatalf("send: %v %+v", err, out)
		}
		byEntry := map[string]string{}
		for _, ok := range out.Successful {
			byEntry[aws.ToString(ok.Id)] = aws.ToString(ok.MessageId)
		}
		for i := range entries {
			ids = append(ids, byEntry[strconv.Itoa(i)])
		}
	}
	return ids
}

func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"order":%d}`, i)
	}
	return out
}

// receiveAll receives every visible message with the engine's client,
// hiding each for a minute, and returns each one's receive count by id.
func receiveAll(t testing.TB, e *enginetest.Engine, url string) map[string]int {
	t.Helper()
	c := e.SQS()
	counts := map[string]int{}
	for empty := 0; empty < 3; {
		out, err := c.ReceiveMessage(testCtx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			VisibilityTimeout: 60, MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			counts[aws.ToString(m.MessageId)] = n
		}
	}
	return counts
}

// count reads the queue's visible and in-flight message counts.
func count(t testing.TB, e *enginetest.Engine, url string) (visible, inFlight int) {
	t.Helper()
	out, err := e.SQS().GetQueueAttributes(testCtx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	visible, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	inFlight, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return visible, inFlight
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
