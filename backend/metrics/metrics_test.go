package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// window is the range the tests read: the last quarter hour, and a little
// of the future for an engine clock moved forward.
func window() (time.Time, time.Time) {
	now := time.Now()
	return now.Add(-15 * time.Minute), now.Add(10 * time.Minute)
}

func byName(t *testing.T, series []metrics.Series) map[string]metrics.Series {
	t.Helper()
	out := map[string]metrics.Series{}
	for _, s := range series {
		out[s.Name] = s
		for i := 1; i < len(s.Points); i++ {
			if !s.Points[i-1].Time.Before(s.Points[i].Time) {
				t.Errorf("%s: points out of order: %v", s.Name, s.Points)
			}
		}
		if s.Period != 60 {
			t.Errorf("%s: period %d for 25 minutes, want 60", s.Name, s.Period)
		}
	}
	return out
}

func putRecords(t *testing.T, e *enginetest.Engine, stream string, n int) {
	t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for i := range n {
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf(`{"n":%d}`, i)), PartitionKey: aws.String(fmt.Sprint(i))})
	}
	out, err := e.Kinesis().PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("put records: %v", err)
	}
}

func TestStreamMetricsCountWhatWasWrittenAndRead(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	inventorytest.Stream(t, e, "orders", 1)
	putRecords(t, e, "orders", 50)
	it, err := e.Kinesis().GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Fatal(err)
	}

	start, end := window()
	series, err := metrics.ForStream(ctx, s, "orders", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 7 {
		t.Fatalf("%d series, want the 7 stream metrics", len(series))
	}
	got := byName(t, series)
	if v := got["IncomingRecords"].Sum(); v != 50 {
		t.Errorf("IncomingRecords sum %v, want 50", v)
	}
	if v := got["GetRecords.Records"].Sum(); v != 50 {
		t.Errorf("GetRecords.Records sum %v, want 50", v)
	}
	if v := got["IncomingBytes"].Sum(); v <= 0 {
		t.Errorf("IncomingBytes sum %v, want more than 0", v)
	}
	if st := got["GetRecords.IteratorAgeMilliseconds"]; st.Stat != "Maximum" || st.Unit != "Milliseconds" || len(st.Points) == 0 {
		t.Errorf("iterator age: %+v", st)
	}
	if last, ok := got["IncomingRecords"].Last(); !ok || last.Value != 50 || got["IncomingRecords"].Max() != 50 {
		t.Errorf("last %+v %v, max %v", last, ok, got["IncomingRecords"].Max())
	}

	// Another stream's metrics are not mixed in, and a stream without
	// traffic has empty series: no invented zeros.
	inventorytest.Stream(t, e, "quiet", 1)
	quiet, err := metrics.ForStream(ctx, s, "quiet", start, end)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range quiet {
		if len(q.Points) != 0 {
			t.Errorf("quiet stream: %s has %v", q.Name, q.Points)
		}
	}
	if _, err := metrics.ForStream(ctx, s, "orders", end, start); err == nil {
		t.Error("a range ending before it starts was accepted")
	}
}

func TestQueueMetricsCountSendsReceivesAndDepth(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	url, _ := inventorytest.Queue(t, e, "jobs", nil)
	for i := range 5 {
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 2})
	if err != nil || len(out.Messages) != 2 {
		t.Fatalf("receive: %v", err)
	}
	if _, err := e.SQS().DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	start, end := window()
	// The depth gauges are sampled every few seconds: wait for one.
	deadline := time.Now().Add(30 * time.Second)
	for {
		series, err := metrics.ForQueue(ctx, s, "jobs", start, end)
		if err != nil {
			t.Fatal(err)
		}
		got := byName(t, series)
		if got["ApproximateNumberOfMessagesVisible"].Max() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no depth sampled: %+v", got["ApproximateNumberOfMessagesVisible"])
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for name, want := range map[string]float64{"NumberOfMessagesSent": 5, "NumberOfMessagesReceived": 2, "NumberOfMessagesDeleted": 1} {
			if v := got[name].Sum(); v != want {
				t.Errorf("%s sum %v, want %v", name, v, want)
			}
		}
		if v := got["ApproximateNumberOfMessagesVisible"].Max(); v != 3 {
			t.Errorf("visible max %v, want 3", v)
		}
		if st := got["ApproximateAgeOfOldestMessage"]; st.Stat != "Maximum" || st.Unit != "Seconds" {
			t.Errorf("age of oldest: %+v", st)
		}
		return
	}
}

func TestPipeMetricsCountInvocationsAndEvents(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	arn := inventorytest.Stream(t, e, "orders", 1)
	_, sinkARN := inventorytest.Queue(t, e, "sink", nil)
	inventorytest.Pipe(t, e, "to-sink", arn, sinkARN, "", nil)
	putRecords(t, e, "orders", 3)

	start, end := window()
	deadline := time.Now().Add(30 * time.Second)
	for {
		series, err := metrics.ForPipe(ctx, s, "to-sink", start, end)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != 8 {
			t.Fatalf("%d series, want the 8 pipe metrics", len(series))
		}
		got := byName(t, series)
		if got["EventCount"].Sum() < 3 {
			if time.Now().After(deadline) {
				t.Fatalf("the pipe delivered no events: %+v", got["EventCount"])
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if got["Invocations"].Sum() == 0 || got["ExecutionFailed"].Sum() != 0 {
			t.Errorf("invocations %v, failures %v", got["Invocations"].Sum(), got["ExecutionFailed"].Sum())
		}
		if st := got["Duration"]; st.Stat != "Average" || len(st.Points) == 0 {
			t.Errorf("duration: %+v", st)
		}
		return
	}
}

// TestShardMetricsArePublishedPerShard: the engine publishes the
// shard-level metrics AWS does under enhanced monitoring, by ShardId.
func TestShardMetricsArePublishedPerShard(t *testing.T) {
	s, e := backendtest.Open(t)
	inventorytest.Stream(t, e, "orders", 1)
	putRecords(t, e, "orders", 5)
	start, end := window()
	series, err := metrics.ForShard(context.Background(), s, "orders", "shardId-000000000000", start, end)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(t, series)
	if got["IncomingRecords"].Sum() != 5 || got["IncomingBytes"].Sum() == 0 {
		t.Errorf("incoming %v records, %v bytes; want 5 records", got["IncomingRecords"].Sum(), got["IncomingBytes"].Sum())
	}
	other, err := metrics.ForShard(context.Background(), s, "orders", "shardId-000000000001", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if n := byName(t, other)["IncomingRecords"].Sum(); n != 0 {
		t.Errorf("a shard the stream does not have has %v records", n)
	}
}
