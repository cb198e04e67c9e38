package dlq

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/backendtest"
)

// TestHolderKeepsOneCopyWithTheNewestHandle: a message delivered again
// (its visibility ran out during a long browse) is held once, with the
// handle of its latest delivery, which is the one that releases it.
func TestHolderKeepsOneCopyWithTheNewestHandle(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("redelivered")})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(q.QueueUrl)
	for i := range 5 {
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHolder(s, Queue{URL: url}, 1)
	if err := h.receive(ctx, 5, nil); err != nil || len(h.msgs) != 5 {
		t.Fatalf("first pass: %d held, %v", len(h.msgs), err)
	}
	first := map[string]string{}
	for _, m := range h.msgs {
		first[aws.ToString(m.MessageId)] = aws.ToString(m.ReceiptHandle)
	}
	e.Clock.Advance(2 * time.Second) // every message is visible again
	if err := h.receive(ctx, 10, nil); err != nil {
		t.Fatal(err)
	}
	if len(h.msgs) != 5 {
		t.Fatalf("held %d after redelivery, want 5", len(h.msgs))
	}
	for _, m := range h.msgs {
		if aws.ToString(m.ReceiptHandle) == first[aws.ToString(m.MessageId)] {
			t.Errorf("message %s kept its old handle", aws.ToString(m.MessageId))
		}
		if m.Attributes["ApproximateReceiveCount"] != "2" {
			t.Errorf("message %s receive count %s", aws.ToString(m.MessageId), m.Attributes["ApproximateReceiveCount"])
		}
	}
	released, failures := release(ctx, s, url, h.msgs)
	if released != 5 || len(failures) > 0 {
		t.Fatalf("released %d, failures %v", released, failures)
	}
}

// TestReleaseRunsAfterTheCallerGaveUp: a browse whose context ended still
// makes what it received visible again.
func TestReleaseRunsAfterTheCallerGaveUp(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cancelled")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	h := newHolder(s, Queue{URL: aws.ToString(q.QueueUrl)}, 60)
	if err := h.receive(ctx, 1, nil); err != nil || len(h.msgs) != 1 {
		t.Fatalf("%d held, %v", len(h.msgs), err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if released, failures := release(gone, s, aws.ToString(q.QueueUrl), h.msgs); released != 1 || len(failures) > 0 {
		t.Fatalf("released %d, failures %v", released, failures)
	}
}
