package archives

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

const (
	account   = "000000000000"
	streamARN = "arn:aws:kinesis:us-east-1:" + account + ":stream/orders"
	pipeARN   = "arn:aws:pipes:us-east-1:" + account + ":pipe/orders-to-api"
	replayARN = "arn:aws:sqs:us-east-1:" + account + ":orders-replay"
)

var loc = backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}

// scene is an engine whose archive holds n hydrated events of the
// consumer orders-to-api, with an SQS queue as the pipeline's replay
// target.
type scene struct {
	t         *testing.T
	s         *backend.Session
	e         *enginetest.Engine
	ctx       context.Context
	dlqURL    string
	replayURL string
	keys      []string
	cfg       config.File
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
	sc.dlqURL = aws.ToString(out.QueueUrl)
	rep, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-replay")})
	if err != nil {
		t.Fatal(err)
	}
	sc.replayURL = aws.ToString(rep.QueueUrl)
	for i := range n {
		sc.fail(i)
	}
	sum, err := hydrate.Queue(ctx, s, sc.dlqURL, hydrate.Options{Archive: loc, DLQ: "orders-dlq"})
	if err != nil || sum.Hydrated != n {
		t.Fatalf("hydrate: %+v %v", sum, err)
	}
	for _, r := range sum.Results {
		sc.keys = append(sc.keys, r.Keys...)
	}
	sc.cfg = config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq",
		Archive: "s3://archive/failed/", ReplayTarget: replayARN}}}
	return sc
}

// fail puts one record and sends its Pipes failure to the DLQ.
func (sc *scene) fail(i int) {
	sc.t.Helper()
	put, err := sc.e.Kinesis().PutRecord(sc.ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String(fmt.Sprintf("customer-%d", i)), Data: fmt.Appendf(nil, `{"orderId":"o-%d"}`, i)})
	if err != nil {
		sc.t.Fatal(err)
	}
	seq, shard := aws.ToString(put.SequenceNumber), aws.ToString(put.ShardId)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":%q,"condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":%q,"KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":%q,"approximateArrivalOfLastRecord":%q,"batchSize":1,"streamArn":%q}}`,
		pipeARN, now, shard, seq, seq, now, now, streamARN)
	if _, err := sc.e.SQS().SendMessage(sc.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sc.dlqURL), MessageBody: aws.String(body)}); err != nil {
		sc.t.Fatal(err)
	}
}

// replayed receives what reached the replay target: event id → body.
func (sc *scene) replayed() map[string]string {
	sc.t.Helper()
	got := map[string]string{}
	for {
		out, err := sc.e.SQS().ReceiveMessage(sc.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.replayURL), MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, VisibilityTimeout: 300})
		if err != nil {
			sc.t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			var id string
			if a, ok := m.MessageAttributes["sluice-event-id"]; ok {
				id = aws.ToString(a.StringValue)
			}
			got[id] = aws.ToString(m.Body)
		}
	}
}

func (sc *scene) objects(prefix string) []string {
	sc.t.Helper()
	out, err := sc.e.S3().ListObjectsV2(sc.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("archive"), Prefix: aws.String(prefix)})
	if err != nil {
		sc.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func newCommon(s *backend.Session, cfg config.File, width, height int, dark bool) *common.Common {
	return viewtest.NewCommon(&common.Env{Session: s, Config: cfg}, width, height, dark)
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

// typeText types text into whatever takes it.
func typeText(t *testing.T, m *Model, text string) {
	t.Helper()
	viewtest.NewDriver(t, m).Type(text)
}

func configWithTarget() config.File {
	return config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Archive: "s3://archive/failed/", ReplayTarget: replayARN}}}
}
