package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// agedFailure puts a record into stream orders and sends, to the DLQ,
// Pipes' failure message for it saying its record arrived age ago: the
// data-loss countdown reads the arrival from the message.
func agedFailure(t *testing.T, e *enginetest.Engine, queueURL string, age time.Duration) {
	t.Helper()
	ctx := context.Background()
	put, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("c-1"), Data: []byte(`{"orderId":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	const layout = "2006-01-02T15:04:05.000Z"
	seq, arrival := aws.ToString(put.SequenceNumber), time.Now().UTC().Add(-age).Format(layout)
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":%q,"KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":%q,"approximateArrivalOfLastRecord":%q,"batchSize":1,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}}`,
		time.Now().UTC().Format(layout), aws.ToString(put.ShardId), seq, seq, arrival, arrival)
	if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

// TestDeadlineWarnsAndHydrateClearsIt: a DLQ whose records arrived 23 h
// ago on a 24 h stream, once browsed, shows a deadline under an hour; the
// status bar warns of it on another tab, naming the queue; its key opens
// the queue and the hydrate dialog, and after the hydration the warning
// and the deadline are gone.
func TestDeadlineWarnsAndHydrateClearsIt(t *testing.T) {
	e := engine(t)
	ctx := context.Background()
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq"),
		Tags: map[string]string{"sluice:archive": "s3://archive/failed/"}})
	if err != nil {
		t.Fatal(err)
	}
	agedFailure(t, e, aws.ToString(q.QueueUrl), 23*time.Hour)

	s := session(t, e, false)
	a := start(t, s, config.File{Deadline: config.Deadline{Warn: "6h", Critical: "1h"}}, 160, 48)
	a.waitText(shortWait, "Streams", "local")
	a.press("3")
	a.waitFor("orders-dlq listed", shortWait, func(s string) bool { _, ok := lineWith(s, "orders-dlq", "sluice:archive"); return ok })
	a.press("enter")
	a.waitFor("the message's deadline under an hour", shortWait, func(s string) bool {
		row, ok := lineWith(s, "RetryAttemptsExhausted")
		return ok && (strings.Contains(row, " 59m ") || strings.Contains(row, " 58m "))
	})
	a.press("esc", "1")
	a.waitFor("the warning on the Streams tab", shortWait, func(s string) bool {
		return strings.Contains(s, "orders-dlq: records lost in 5") && strings.Contains(s, "ctrl+g hydrate")
	})
	a.press("ctrl+g")
	a.waitText(shortWait, "Hydrate", "s3://archive/failed/")
	a.press("y")
	a.waitFor("the warning gone and the queue empty", longWait, func(s string) bool {
		return !strings.Contains(s, "records lost in") && strings.Contains(s, "hydrated 1 message")
	})
	if n := queueDepth(t, e, "orders-dlq"); n != 0 {
		t.Fatalf("%d messages left in orders-dlq", n)
	}
	a.quit()
}
