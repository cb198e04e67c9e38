package cloudwatch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// total sums a metric's datapoints over the last hour (1-minute periods).
func total(t *testing.T, e *enginetest.Engine, ns, name, st string, d ...types.Dimension) (sum float64, n int) {
	t.Helper()
	now := e.Clock.Now()
	out, err := e.CloudWatch().GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{stat("m", ns, name, st, 60, d...)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.MetricDataResults[0].Values {
		sum += v
		n++
	}
	return sum, n
}

func TestKinesisActivityShowsInMetrics(t *testing.T) {
	e := enginetest.Start(t)
	kc := e.Kinesis()
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	const n = 37
	entries := make([]ktypes.PutRecordsRequestEntry, n)
	bytes := 0
	for i := range entries {
		data := []byte(fmt.Sprintf(`{"order":%d}`, i))
		pk := fmt.Sprintf("pk-%d", i)
		entries[i] = ktypes.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(pk)}
		bytes += len(data) + len(pk)
	}
	if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), Data: []byte("x"), PartitionKey: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	bytes += 2

	// Read every shard to its end, a second after the writes.
	e.Clock.Advance(1500 * time.Millisecond)
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
			ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		read += len(out.Records)
		if _, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator}); err != nil {
			t.Fatal(err)
		}
	}
	if read != n+1 {
		t.Fatalf("read %d records", read)
	}

	stream := dims("StreamName", "orders")
	if s, _ := total(t, e, "AWS/Kinesis", "IncomingRecords", "Sum", stream...); s != n+1 {
		t.Errorf("IncomingRecords = %v, want %d", s, n+1)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "IncomingBytes", "Sum", stream...); s != float64(bytes) {
		t.Errorf("IncomingBytes = %v, want %d", s, bytes)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "PutRecords.TotalRecords", "Sum", stream...); s != n {
		t.Errorf("PutRecords.TotalRecords = %v", s)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "PutRecords.SuccessfulRecords", "Sum", stream...); s != n {
		t.Errorf("PutRecords.SuccessfulRecords = %v", s)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "PutRecord.Success", "SampleCount", stream...); s != 1 {
		t.Errorf("PutRecord.Success count = %v", s)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "WriteProvisionedThroughputExceeded", "Sum", stream...); s != 0 {
		t.Errorf("WriteProvisionedThroughputExceeded = %v", s)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "GetRecords.Records", "Sum", stream...); s != n+1 {
		t.Errorf("GetRecords.Records = %v", s)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "GetRecords.Success", "Sum", stream...); s != 4 {
		t.Errorf("GetRecords.Success = %v", s)
	}
	// The reads came 1.5 s after the writes; the reads at the tip are 0.
	if m, _ := total(t, e, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum", stream...); m < 1500 || m > 60000 {
		t.Errorf("IteratorAgeMilliseconds max = %v", m)
	}
	if m, _ := total(t, e, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Minimum", stream...); m != 0 {
		t.Errorf("IteratorAgeMilliseconds min = %v", m)
	}
	if _, n := total(t, e, "AWS/Kinesis", "GetRecords.Latency", "Average", stream...); n == 0 {
		t.Error("no GetRecords.Latency")
	}
	lm, err := e.CloudWatch().ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Kinesis"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("StreamName"), Value: aws.String("orders")}}})
	if err != nil || len(lm.Metrics) < 10 {
		t.Errorf("ListMetrics AWS/Kinesis: %d %v", len(lm.Metrics), err)
	}
}

func TestKinesisThrottlingShowsInMetrics(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.EnforceLimits = true }))
	kc := e.Kinesis()
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("hot"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	// 3,000 records at once: a shard takes 1,000 a second.
	const sent = 3000
	throttled := 0
	for range sent / 500 {
		entries := make([]ktypes.PutRecordsRequestEntry, 500)
		for i := range entries {
			entries[i] = ktypes.PutRecordsRequestEntry{Data: []byte("x"), PartitionKey: aws.String("k")}
		}
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("hot"), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		throttled += int(aws.ToInt32(out.FailedRecordCount))
	}
	if throttled == 0 {
		t.Fatal("nothing was throttled")
	}
	stream := dims("StreamName", "hot")
	if s, _ := total(t, e, "AWS/Kinesis", "WriteProvisionedThroughputExceeded", "Sum", stream...); s != float64(throttled) {
		t.Errorf("WriteProvisionedThroughputExceeded = %v, want %d", s, throttled)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "PutRecords.ThrottledRecords", "Sum", stream...); s != float64(throttled) {
		t.Errorf("PutRecords.ThrottledRecords = %v, want %d", s, throttled)
	}
	if s, _ := total(t, e, "AWS/Kinesis", "IncomingRecords", "Sum", stream...); s != float64(sent-throttled) {
		t.Errorf("IncomingRecords = %v, want %d", s, sent-throttled)
	}
}

func TestSQSActivityShowsInMetrics(t *testing.T) {
	e := enginetest.Start(t)
	qc := e.SQS()
	ctx := ctxT(t)
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(fmt.Sprintf("job %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	recv, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 3})
	if err != nil || len(recv.Messages) == 0 {
		t.Fatalf("receive: %v", err)
	}
	received := len(recv.Messages)
	if _, err := qc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: recv.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	empty, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("idle")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: empty.QueueUrl}); err != nil {
		t.Fatal(err)
	}

	queue := dims("QueueName", "jobs")
	if s, _ := total(t, e, "AWS/SQS", "NumberOfMessagesSent", "Sum", queue...); s != 5 {
		t.Errorf("NumberOfMessagesSent = %v", s)
	}
	if s, _ := total(t, e, "AWS/SQS", "SentMessageSize", "Maximum", queue...); s != 5 {
		t.Errorf("SentMessageSize max = %v", s)
	}
	if s, _ := total(t, e, "AWS/SQS", "NumberOfMessagesReceived", "Sum", queue...); s != float64(received) {
		t.Errorf("NumberOfMessagesReceived = %v, want %d", s, received)
	}
	if s, _ := total(t, e, "AWS/SQS", "NumberOfMessagesDeleted", "Sum", queue...); s != 1 {
		t.Errorf("NumberOfMessagesDeleted = %v", s)
	}
	if s, _ := total(t, e, "AWS/SQS", "NumberOfEmptyReceives", "Sum", dims("QueueName", "idle")...); s != 1 {
		t.Errorf("NumberOfEmptyReceives = %v", s)
	}

	// The depth gauges are sampled every few seconds: 4 messages left,
	// received-1 of them in flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		vis, n := total(t, e, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", queue...)
		inflight, _ := total(t, e, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "Maximum", queue...)
		if n > 0 {
			if vis != float64(5-received) || inflight != float64(received-1) {
				t.Errorf("visible %v, in flight %v; want %d, %d", vis, inflight, 5-received, received-1)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no queue depth sample")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, n := total(t, e, "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", queue...); n == 0 {
		t.Error("no ApproximateAgeOfOldestMessage")
	}
}
