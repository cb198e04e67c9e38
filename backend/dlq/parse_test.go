package dlq_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func fastRetries(o *localengine.Options) {
	o.RetryBase, o.RetryCap = time.Millisecond, 20*time.Millisecond
}

// TestBrowseParsesRealPipesFailures runs a pipe into a target that does
// not exist and reads the failure it leaves in its DLQ.
func TestBrowseParsesRealPipesFailures(t *testing.T) {
	s, e := backendtest.Open(t, enginetest.WithOptions(fastRetries))
	ctx := testCtx(t)
	k := e.Kinesis()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("clicks")})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(sum.StreamDescriptionSummary.StreamARN)
	var seqs []string
	for i := range 3 {
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clicks"),
			PartitionKey: aws.String("user-1"), Data: []byte(`{"click":` + strconv.Itoa(i) + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	dlqURL, dlqARN := createQueue(t, e, "clicks-dlq", nil)
	if _, err := e.Pipes().CreatePipe(ctx, &pipes.CreatePipeInput{
		Name: aws.String("clicks-to-nowhere"), RoleArn: aws.String("arn:aws:iam::000000000000:role/pipe"),
		Source: aws.String(streamARN), Target: aws.String("arn:aws:sqs:us-east-1:000000000000:missing"),
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{
			StartingPosition: ptypes.KinesisStreamStartPositionTrimHorizon, BatchSize: aws.Int32(10),
			MaximumRetryAttempts: aws.Int32(1),
			DeadLetterConfig:     &ptypes.DeadLetterConfig{Arn: aws.String(dlqARN)},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a failure in clicks-dlq", time.Minute, func() bool { v, _ := count(t, e, dlqURL); return v > 0 })

	res, err := dlq.Browse(ctx, s, dlqURL, dlq.BrowseOptions{})
	if err != nil || len(res.Messages) != 1 {
		t.Fatalf("%v: %d messages", err, len(res.Messages))
	}
	m := res.Messages[0]
	f := m.Failure
	if f == nil || m.ParseError != "" || m.IsPayload() {
		t.Fatalf("not parsed as a failure: %+v", m)
	}
	if f.Source != "pipe" || f.Consumer != "clicks-to-nowhere" || f.Condition != "RetryAttemptsExhausted" || f.Timestamp.IsZero() {
		t.Errorf("failure %+v", f)
	}
	b := f.Batch
	if b.StreamARN != streamARN || b.Stream() != "clicks" || b.ShardID != "shardId-000000000000" || b.BatchSize != 3 ||
		b.StartSequenceNumber != seqs[0] || b.EndSequenceNumber != seqs[2] || b.FirstArrival.IsZero() {
		t.Errorf("batch %+v, sequence numbers %v", b, seqs)
	}
}

// TestBrowseParsesEachKind: a Pipes failure, a Lambda failure, a payload
// and a malformed failure side by side.
func TestBrowseParsesEachKind(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "mixed", nil)
	lambda := `{"requestContext":{"requestId":"r-1","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:billing",
	 "condition":"RecordAgeExceeded","approximateInvokeCount":4},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
	 "version":"1.0","timestamp":"2019-11-14T00:38:06.021Z",
	 "KinesisBatchInfo":{"shardId":"shardId-000000000001","startSequenceNumber":"1","endSequenceNumber":"9",
	 "approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z","approximateArrivalOfLastRecord":"2019-11-14T00:38:05.580Z",
	 "batchSize":5,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/payments"}}`
	pipe := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
	 "version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","KinesisBatchInfo":{"shardId":"shardId-000000000000",
	 "startSequenceNumber":"4959","endSequenceNumber":"4960","batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}}`
	payload := `{"orderId":"o-1","total":12.5}`
	malformed := `{"context":{},"KinesisBatchInfo":{"shardId":"s"}}`
	send(t, e, url, []string{lambda, pipe, payload, malformed})

	res, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil || len(res.Messages) != 4 {
		t.Fatalf("%v: %d messages", err, len(res.Messages))
	}
	byBody := map[string]dlq.Message{}
	for _, m := range res.Messages {
		byBody[m.Body] = m
	}
	if f := byBody[lambda].Failure; f == nil || f.Source != "lambda" || f.Consumer != "billing" || f.Batch.BatchSize != 5 || f.ApproximateInvokeCount != 4 {
		t.Errorf("lambda: %+v", byBody[lambda])
	}
	if f := byBody[pipe].Failure; f == nil || f.Source != "pipe" || f.Consumer != "orders-to-api" || f.Batch.Stream() != "orders" {
		t.Errorf("pipe: %+v", byBody[pipe])
	}
	if m := byBody[payload]; !m.IsPayload() {
		t.Errorf("payload: %+v", m)
	}
	if m := byBody[malformed]; m.Failure != nil || m.IsPayload() || !strings.Contains(m.ParseError, "KinesisBatchInfo") {
		t.Errorf("malformed: %+v", m)
	}
}

func TestParseRedrivePolicy(t *testing.T) {
	for _, in := range []string{
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":5}`,
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":"5"}`,
	} {
		p, err := dlq.ParseRedrivePolicy(in)
		if err != nil || p.MaxReceiveCount != 5 || p.DeadLetterQueue() != "d" {
			t.Errorf("%s: %+v %v", in, p, err)
		}
	}
	for _, in := range []string{``, `{}`, `{"deadLetterTargetArn":"a","maxReceiveCount":"x"}`, `{"maxReceiveCount":3}`} {
		if _, err := dlq.ParseRedrivePolicy(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func FuzzParseRedrivePolicy(f *testing.F) {
	f.Add(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":5}`)
	f.Add(`{"deadLetterTargetArn":"x","maxReceiveCount":"5"}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := dlq.ParseRedrivePolicy(s)
		if err == nil && (p == nil || p.DeadLetterTargetARN == "") {
			t.Fatalf("%q: accepted without a target: %+v", s, p)
		}
	})
}
