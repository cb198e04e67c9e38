package dlq

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

const (
	account   = "000000000000"
	streamARN = "arn:aws:kinesis:us-east-1:" + account + ":stream/orders"
	pipeARN   = "arn:aws:pipes:us-east-1:" + account + ":pipe/orders-to-api"
)

// scene is an engine with a stream, a DLQ of Pipes failures for records
// put into it, and an archive bucket the DLQ's tag names.
type scene struct {
	t        *testing.T
	s        *backend.Session
	e        *enginetest.Engine
	ctx      context.Context
	queueURL string
	shard    string
	seqs     []string
	ids      []string
	// age is how long ago the records of the next failures are said to
	// have arrived (approximateArrivalOfFirstRecord).
	age time.Duration
}

func newScene(t *testing.T, n int) *scene {
	t.Helper()
	s, e := backendtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	sc := &scene{t: t, s: s, e: e, ctx: ctx}
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq"),
		Tags: map[string]string{"sluice:archive": "s3://archive/failed/"}})
	if err != nil {
		t.Fatal(err)
	}
	sc.queueURL = aws.ToString(out.QueueUrl)
	for i := range n {
		sc.fail(i)
	}
	return sc
}

// fail puts one record and sends its Pipes failure, in the documented
// format, to the DLQ.
func (sc *scene) fail(i int) {
	sc.t.Helper()
	put, err := sc.e.Kinesis().PutRecord(sc.ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String(fmt.Sprintf("customer-%d", i)), Data: fmt.Appendf(nil, `{"orderId":"o-%d"}`, i)})
	if err != nil {
		sc.t.Fatal(err)
	}
	seq := aws.ToString(put.SequenceNumber)
	sc.shard = aws.ToString(put.ShardId)
	sc.seqs = append(sc.seqs, seq)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	arrival := time.Now().UTC().Add(-sc.age).Format("2006-01-02T15:04:05.000Z")
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":%q,"condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":%q,"KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":%q,"approximateArrivalOfLastRecord":%q,"batchSize":1,"streamArn":%q}}`,
		pipeARN, now, sc.shard, seq, seq, arrival, arrival, streamARN)
	sent, err := sc.e.SQS().SendMessage(sc.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sc.queueURL), MessageBody: aws.String(body)})
	if err != nil {
		sc.t.Fatal(err)
	}
	sc.ids = append(sc.ids, aws.ToString(sent.MessageId))
}

// counts is the queue's visible and in-flight messages.
func (sc *scene) counts(url string) (int, int) {
	sc.t.Helper()
	out, err := sc.e.SQS().GetQueueAttributes(sc.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		sc.t.Fatal(err)
	}
	v, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	h, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return v, h
}

func (sc *scene) objects() []string {
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

func newCommon(s *backend.Session, width, height int, dark bool) *common.Common {
	return viewtest.NewCommon(&common.Env{Session: s}, width, height, dark)
}

// drive runs cmd as the program would and returns what the tab sent the
// root.
func drive(t *testing.T, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	d := viewtest.NewDriver(t, m)
	d.Run(cmd)
	return d.Out
}

// press presses keys and returns what the tab sent the root.
func press(t *testing.T, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	d := viewtest.NewDriver(t, m)
	d.Press(keys...)
	return d.Out
}

// receives counts the session's ReceiveMessage calls.
func receives(s *backend.Session) int {
	n := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ReceiveMessage" {
			n++
		}
	}
	return n
}
