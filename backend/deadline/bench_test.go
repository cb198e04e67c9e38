package deadline_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// browsed10000 is a kept browse of 10,000 Pipes failures over 4 streams,
// parsed as a browse parses them, and those streams' retentions.
func browsed10000(b *testing.B) (dlq.BrowseResult, *deadline.Streams) {
	now := time.Now()
	res := dlq.BrowseResult{Queue: dlq.Queue{Name: "orders-dlq", URL: "http://127.0.0.1/000000000000/orders-dlq", RetentionSeconds: 4 * 24 * 3600}, At: now}
	st := deadline.NewStreams(nil)
	for i := range 4 {
		st.Seed("arn:aws:kinesis:us-east-1:000000000000:stream/s"+strconv.Itoa(i), 24)
	}
	for i := range 10_000 {
		arrival := now.Add(-time.Duration(i) * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
		body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/p","condition":"RetryAttemptsExhausted"},"version":"1.0","timestamp":%q,"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"%d","endSequenceNumber":"%d","approximateArrivalOfFirstRecord":%q,"approximateArrivalOfLastRecord":%q,"batchSize":1,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s%d"}}`,
			arrival, i+1, i+1, arrival, arrival, i%4)
		f, err := dlq.ParseFailure(body)
		if err != nil || f == nil {
			b.Fatalf("%v", err)
		}
		res.Messages = append(res.Messages, dlq.Message{ID: strconv.Itoa(i), Body: body, SentAt: now.Add(-time.Minute), Failure: f})
	}
	return res, st
}

// BenchmarkExact10000 computes the deadlines of a browsed DLQ of 10,000
// messages: each message's, and the queue's nearest.
func BenchmarkExact10000(b *testing.B) {
	res, st := browsed10000(b)
	now := time.Now()
	for b.Loop() {
		q := deadline.Exact(res, st, now)
		if q.Messages != 10_000 || len(q.Each) != 10_000 {
			b.Fatalf("%d messages", q.Messages)
		}
	}
}

// BenchmarkExact10000BareLoop is the floor: one pass over the same
// messages adding each first arrival to a fixed retention and keeping the
// minimum, with no retention lookup, no per-message result and no
// queue-retention side.
func BenchmarkExact10000BareLoop(b *testing.B) {
	res, _ := browsed10000(b)
	for b.Loop() {
		var nearest time.Time
		for _, m := range res.Messages {
			at := m.Failure.Batch.FirstArrival.Add(24 * time.Hour)
			if nearest.IsZero() || at.Before(nearest) {
				nearest = at
			}
		}
		if nearest.IsZero() {
			b.Fatal("no deadline")
		}
	}
}

// dlqs100 makes 100 DLQs of pipes over 10 streams on the engine, each
// with a message, as the inventory lists them (the queue's attributes,
// the pipe's stream and maximum record age).
func dlqs100(b *testing.B) (*backend.Session, []inventory.DLQ, []string) {
	s, e := backendtest.Open(b)
	ctx := context.Background()
	var streams []string
	for i := range 10 {
		streams = append(streams, inventorytest.Stream(b, e, "s"+strconv.Itoa(i), 1))
	}
	var dlqs []inventory.DLQ
	for i := range 100 {
		url, _ := inventorytest.Queue(b, e, "dlq-"+strconv.Itoa(i), nil)
		send(b, e, url, `{"note":"the countdown reads no message"}`)
		q, err := inventory.DescribeQueue(ctx, s, url)
		if err != nil {
			b.Fatal(err)
		}
		dlqs = append(dlqs, inventory.DLQ{Queue: q, Sources: []inventory.Source{{Kind: inventory.SourcePipe, Name: "p" + strconv.Itoa(i),
			Stream: streams[i%10], MaxRecordAgeSeconds: 600}}})
	}
	return s, dlqs, streams
}

// opsSince counts the session's calls by operation from the n-th on.
func opsSince(s *backend.Session, n int) map[string]int {
	out := map[string]int{}
	for _, c := range s.Calls.Calls()[n:] {
		out[c.Operation]++
	}
	return out
}

// BenchmarkBound100DLQs computes the bound of 100 DLQs never browsed, on
// 10 streams, reading the ages of their oldest messages from CloudWatch.
// It reports the AWS calls one computation makes, by operation.
func BenchmarkBound100DLQs(b *testing.B) {
	s, dlqs, _ := dlqs100(b)
	ctx := context.Background()
	check := func() {
		qs, fs := deadline.ForDLQs(ctx, s, dlqs, deadline.Options{ReadAges: true})
		if len(fs) > 0 {
			b.Fatal(fs)
		}
		for _, q := range qs {
			if !q.Known() || q.Exact {
				b.Fatalf("%+v: want a bound", q)
			}
		}
	}
	n := len(s.Calls.Calls())
	check()
	ops := opsSince(s, n)
	if ops["ReceiveMessage"] != 0 {
		b.Fatalf("the countdown received: %v", ops)
	}
	for b.Loop() {
		check()
	}
	total := 0
	for op, c := range ops {
		total += c
		b.ReportMetric(float64(c), op+"/op")
	}
	b.ReportMetric(float64(total), "calls/op")
}

// BenchmarkBound100DLQsBareCalls is the floor: the same calls (one
// DescribeStreamSummary per stream, one GetMetricData for the 100 ages)
// made straight with the SDK, one after the other, with nothing computed.
func BenchmarkBound100DLQsBareCalls(b *testing.B) {
	s, dlqs, streams := dlqs100(b)
	ctx := context.Background()
	queries := make([]cwtypes.MetricDataQuery, len(dlqs))
	for i, d := range dlqs {
		queries[i] = cwtypes.MetricDataQuery{Id: aws.String("q" + strconv.Itoa(i)), ReturnData: aws.Bool(true),
			MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Maximum"), Metric: &cwtypes.Metric{
				Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateAgeOfOldestMessage"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(d.Queue.Name)}}}}}
	}
	for b.Loop() {
		for _, arn := range streams {
			if _, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)}); err != nil {
				b.Fatal(err)
			}
		}
		now := time.Now()
		if _, err := s.CloudWatch().GetMetricData(ctx, &cloudwatch.GetMetricDataInput{MetricDataQueries: queries,
			StartTime: aws.Time(now.Add(-15 * time.Minute)), EndTime: aws.Time(now)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(streams)+1), "calls/op")
}
