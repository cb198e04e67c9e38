package pipes_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
)

func seqLess(t testing.TB, a, b string) bool {
	t.Helper()
	x, ok1 := new(big.Int).SetString(a, 10)
	y, ok2 := new(big.Int).SetString(b, 10)
	if !ok1 || !ok2 {
		t.Fatalf("bad sequence numbers %q %q", a, b)
	}
	return x.Cmp(y) < 0
}

// checkShardOrder asserts that events of each shard came in increasing
// sequence order.
func checkShardOrder(t testing.TB, events []pipeEvent) {
	t.Helper()
	last := map[string]string{}
	for _, ev := range events {
		shard, _, _ := strings.Cut(ev.EventID, ":")
		if prev, ok := last[shard]; ok && !seqLess(t, prev, ev.SequenceNumber) {
			t.Fatalf("shard %s: %s came after %s", shard, ev.SequenceNumber, prev)
		}
		last[shard] = ev.SequenceNumber
	}
}

func TestSQSTargetInShardOrder(t *testing.T) {
	f := start(t)
	src := f.createStream("orders", 2)
	url := f.createQueue("out.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	const n = 300
	put := f.put("orders", keys(n, 7), "rec")
	f.createPipe("to-sqs", src, queueArn("out.fifo"),
		&ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(25)},
		&ptypes.PipeTargetParameters{SqsQueueParameters: &ptypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("all")}})

	bodies := f.drain(url, n, 30*time.Second)
	if len(bodies) != n {
		t.Fatalf("got %d messages, want %d", len(bodies), n)
	}
	var events []pipeEvent
	seen := map[string]bool{}
	for _, b := range bodies {
		ev := decodeEvent(t, b)
		events = append(events, ev)
		data := ev.data(t)
		want, ok := put[data]
		if !ok || seen[data] {
			t.Fatalf("unexpected or duplicate record %q", data)
		}
		seen[data] = true
		if ev.SequenceNumber != want.seq || ev.EventID != want.shard+":"+want.seq {
			t.Fatalf("record %q: event %+v, put %+v", data, ev, want)
		}
		if ev.EventSource != "aws:kinesis" || ev.EventVersion != "1.0" || ev.EventName != "aws:kinesis:record" ||
			ev.InvokeIdentityArn != roleArn || ev.AwsRegion != "us-east-1" || ev.EventSourceARN != src ||
			ev.KinesisSchemaVersion != "1.0" || !strings.HasPrefix(ev.PartitionKey, "key-") ||
			ev.ApproximateArrivalTimestamp < 1e9 {
			t.Fatalf("event fields: %+v", ev)
		}
	}
	checkShardOrder(t, events)
}

// TestKinesisTargetPartitionKeyFromData: a Kinesis stream target takes
// its partition key from a JSON path into the record's data.
func TestKinesisTargetPartitionKeyFromData(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 4)
	const n = 40
	for i := range n {
		f.putOne("src", "k", fmt.Sprintf(`{"customer":{"id":"c%d"},"i":%d}`, i%5, i))
	}
	f.createPipe("to-kinesis", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(7)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{
			PartitionKey: aws.String("$.data.customer.id")}})
	recs := f.waitStream("dst", n)
	perKey := map[string]int{}
	for _, r := range recs {
		ev := decodeEvent(t, string(r.Data))
		var body struct {
			Customer struct{ ID string } `json:"customer"`
			I        int                 `json:"i"`
		}
		if err := json.Unmarshal([]byte(ev.data(t)), &body); err != nil {
			t.Fatal(err)
		}
		if aws.ToString(r.PartitionKey) != body.Customer.ID {
			t.Fatalf("record %d has partition key %q, want %q", body.I, aws.ToString(r.PartitionKey), body.Customer.ID)
		}
		// Per key, the target's shard holds the records in source order.
		if body.I < perKey[body.Customer.ID] {
			t.Fatalf("key %s: record %d after %d", body.Customer.ID, body.I, perKey[body.Customer.ID])
		}
		perKey[body.Customer.ID] = body.I
	}
}

func (f *fixture) waitStream(name string, want int) []ktypes.Record {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs := f.readStream(name)
		if len(recs) >= want {
			if len(recs) > want {
				f.t.Fatalf("stream %s holds %d records, want %d", name, len(recs), want)
			}
			return recs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("stream %s holds %d records, want %d", name, len(recs), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestParallelizationKeepsKeyOrder: with ParallelizationFactor 4, batches
// of one shard go out concurrently, and each partition key's records stay
// in order.
func TestParallelizationKeepsKeyOrder(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 1)
	const n = 400
	f.put("src", keys(n, 9), "rec")
	f.createPipe("parallel", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(10), ParallelizationFactor: aws.Int32(4)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{
			PartitionKey: aws.String("$.partitionKey")}})
	recs := f.waitStream("dst", n)
	last := map[string]string{}
	seen := map[string]bool{}
	for _, r := range recs {
		ev := decodeEvent(t, string(r.Data))
		if seen[ev.SequenceNumber] {
			t.Fatalf("duplicate %s", ev.SequenceNumber)
		}
		seen[ev.SequenceNumber] = true
		if prev, ok := last[ev.PartitionKey]; ok && !seqLess(t, prev, ev.SequenceNumber) {
			t.Fatalf("key %s: %s after %s", ev.PartitionKey, ev.SequenceNumber, prev)
		}
		last[ev.PartitionKey] = ev.SequenceNumber
	}
}

// TestStopStartResumes: a stopped pipe delivers nothing; started again it
// resumes after its checkpoint, skipping and repeating nothing.
func TestStopStartResumes(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 2)
	f.createStream("dst", 1)
	f.put("src", keys(100, 10), "a")
	f.createPipe("resume", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(10)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")}})
	f.waitStream("dst", 100)
	if _, err := f.p.StopPipe(f.ctx, &pipes.StopPipeInput{Name: aws.String("resume")}); err != nil {
		t.Fatal(err)
	}
	f.waitState("resume", ptypes.PipeStateStopped)
	f.put("src", keys(50, 10), "b")
	time.Sleep(700 * time.Millisecond) // longer than a poll: a running pipe would deliver
	if got := len(f.readStream("dst")); got != 100 {
		t.Fatalf("a stopped pipe delivered: %d records", got)
	}
	if _, err := f.p.StartPipe(f.ctx, &pipes.StartPipeInput{Name: aws.String("resume")}); err != nil {
		t.Fatal(err)
	}
	recs := f.waitStream("dst", 150)
	time.Sleep(700 * time.Millisecond)
	recs = f.waitStream("dst", 150) // and no more
	seen := map[string]bool{}
	for _, r := range recs {
		d := decodeEvent(t, string(r.Data)).data(t)
		if seen[d] {
			t.Fatalf("%s delivered twice", d)
		}
		seen[d] = true
	}
}

// TestLatestStartsAtPipeCreation: a LATEST pipe delivers what arrives
// after it started, not what the stream held before.
func TestLatestStartsAtPipeCreation(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 1)
	f.put("src", keys(5, 1), "before")
	f.e.Clock.Advance(time.Second) // a clear cut between before and after
	f.createPipe("latest", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{
		StartingPosition: ptypes.KinesisStreamStartPositionLatest},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")}})
	f.put("src", keys(3, 1), "after")
	recs := f.waitStream("dst", 3)
	for _, r := range recs {
		if d := decodeEvent(t, string(r.Data)).data(t); !strings.HasPrefix(d, "after-") {
			t.Fatalf("delivered %s", d)
		}
	}
}

// TestBatchingWindow: with a batching window, records that trickle in go
// out together.
func TestBatchingWindow(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 1)
	f.createPipe("window", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(3)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")}})
	f.put("src", keys(2, 1), "first")
	time.Sleep(300 * time.Millisecond)
	if got := len(f.readStream("dst")); got != 0 {
		t.Fatalf("%d records went out before the window closed", got)
	}
	f.put("src", keys(2, 1), "second")
	f.waitStream("dst", 4)
}

// TestMetricsInCloudWatch: a pipe's work shows up in CloudWatch under
// AWS/EventBridge/Pipes with dimension PipeName.
func TestMetricsInCloudWatch(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 1)
	f.put("src", keys(12, 3), "m")
	f.createPipe("metered", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(5)}, kinesisTarget("k"))
	f.waitStream("dst", 12)
	cw := f.e.CloudWatch()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := cw.GetMetricStatistics(f.ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("AWS/EventBridge/Pipes"), MetricName: aws.String("EventCount"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("PipeName"), Value: aws.String("metered")}},
			StartTime:  aws.Time(f.e.Clock.Now().Add(-time.Hour)), EndTime: aws.Time(f.e.Clock.Now().Add(time.Minute)),
			Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount},
		})
		if err != nil {
			t.Fatalf("GetMetricStatistics: %v", err)
		}
		if len(out.Datapoints) == 1 && aws.ToFloat64(out.Datapoints[0].Sum) == 12 && aws.ToFloat64(out.Datapoints[0].SampleCount) == 3 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("EventCount datapoints: %+v", out.Datapoints)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSQSStandardQueueTarget: to a standard queue a batch's messages go
// out in concurrent calls; every record arrives exactly once.
func TestSQSStandardQueueTarget(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 2)
	url := f.createQueue("plain", nil)
	const n = 250
	f.put("src", keys(n, 11), "std")
	f.createPipe("to-plain", src, queueArn("plain"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(100)}, nil)
	bodies := f.drain(url, n, 30*time.Second)
	seen := map[string]bool{}
	for _, b := range bodies {
		d := decodeEvent(t, b).data(t)
		if seen[d] {
			t.Fatalf("%s twice", d)
		}
		seen[d] = true
	}
	if len(seen) != n {
		t.Fatalf("%d of %d records arrived", len(seen), n)
	}
	f.expectEmpty(url)
}
