package pipes_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// dlqBody is the DLQ message of Pipes for a Kinesis batch.
type dlqBody struct {
	Context struct {
		PartnerResourceArn string `json:"partnerResourceArn"`
		Condition          string `json:"condition"`
	} `json:"context"`
	Version          string `json:"version"`
	Timestamp        string `json:"timestamp"`
	KinesisBatchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamArn                       string `json:"streamArn"`
	} `json:"KinesisBatchInfo"`
}

var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func decodeDLQ(t testing.TB, body string) dlqBody {
	t.Helper()
	var d dlqBody
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("DLQ message %s: %v", body, err)
	}
	if d.Version != "1.0" || !isoMillis.MatchString(d.Timestamp) ||
		!isoMillis.MatchString(d.KinesisBatchInfo.ApproximateArrivalOfFirstRecord) ||
		!isoMillis.MatchString(d.KinesisBatchInfo.ApproximateArrivalOfLastRecord) {
		t.Fatalf("DLQ message shape: %s", body)
	}
	// The exact key order of AWS's message.
	want := regexp.MustCompile(`^\{"context":\{"partnerResourceArn":"[^"]+","condition":"[A-Za-z]+"\},"version":"1\.0","timestamp":"[^"]+","KinesisBatchInfo":\{"shardId":"[^"]+","startSequenceNumber":"\d+","endSequenceNumber":"\d+","approximateArrivalOfFirstRecord":"[^"]+","approximateArrivalOfLastRecord":"[^"]+","batchSize":\d+,"streamArn":"[^"]+"\}\}$`)
	if !want.MatchString(body) {
		t.Fatalf("DLQ message layout differs from AWS's: %s", body)
	}
	return d
}

func (f *fixture) putJSON(stream string, n, poison int) map[string]putResult {
	f.t.Helper()
	out := map[string]putResult{}
	for i := range n {
		data := fmt.Sprintf(`{"g":"grp","i":%d}`, i)
		if i == poison {
			data = "poison"
		}
		res := f.putOne(stream, "k", data)
		out[data] = res
	}
	return out
}

// TestBisectIsolatesPoisonRecord: with AUTOMATIC_BISECT, a record the
// target refuses ends up alone in the DLQ, and every other record is
// delivered, in order.
func TestBisectIsolatesPoisonRecord(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	out := f.createQueue("out.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	dlq := f.createQueue("dlq", nil)
	const n, poison = 40, 13
	put := f.putJSON("src", n, poison)
	// The group id is taken from the data, which the poison record lacks,
	// so the target refuses it, and only it.
	f.createPipe("bisect", src, queueArn("out.fifo"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(20), MaximumRetryAttempts: aws.Int32(2),
		OnPartialBatchItemFailure: ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect,
		DeadLetterConfig:          &ptypes.DeadLetterConfig{Arn: aws.String(queueArn("dlq"))},
	}, &ptypes.PipeTargetParameters{SqsQueueParameters: &ptypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("$.data.g")}})

	dead := f.drain(dlq, 1, 20*time.Second)
	if len(dead) != 1 {
		t.Fatalf("DLQ holds %d messages, want 1", len(dead))
	}
	d := decodeDLQ(t, dead[0])
	bi := d.KinesisBatchInfo
	if d.Context.Condition != "RetryAttemptsExhausted" || d.Context.PartnerResourceArn != pipeArnPrefix+"bisect" ||
		bi.StartSequenceNumber != put["poison"].seq || bi.EndSequenceNumber != put["poison"].seq ||
		bi.BatchSize != 1 || bi.ShardID != put["poison"].shard || bi.StreamArn != src ||
		bi.ApproximateArrivalOfFirstRecord != bi.ApproximateArrivalOfLastRecord {
		t.Fatalf("DLQ message %+v, poison %+v", d, put["poison"])
	}
	bodies := f.drain(out, n-1, 20*time.Second)
	if len(bodies) != n-1 {
		t.Fatalf("delivered %d, want %d", len(bodies), n-1)
	}
	want := 0
	for _, b := range bodies {
		if want == poison {
			want++
		}
		ev := decodeEvent(t, b)
		if got := ev.data(t); got != fmt.Sprintf(`{"g":"grp","i":%d}`, want) {
			t.Fatalf("delivered %s, want record %d", got, want)
		}
		want++
	}
	f.expectEmpty(dlq)
}

func (f *fixture) expectEmpty(url string) {
	f.t.Helper()
	out, err := f.q.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		f.t.Fatalf("unexpected message %s", aws.ToString(out.Messages[0].Body))
	}
}

// TestRetriesExhaustedWithoutBisect: the part of a batch from the failing
// record on goes to the DLQ as one batch; the part the target took stays
// delivered; the pipe moves on.
func TestRetriesExhaustedWithoutBisect(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	out := f.createQueue("out.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	dlq := f.createQueue("dlq", nil)
	const n, poison = 30, 13
	put := f.putJSON("src", n, poison)
	f.createPipe("nobisect", src, queueArn("out.fifo"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(20), MaximumRetryAttempts: aws.Int32(1),
		DeadLetterConfig: &ptypes.DeadLetterConfig{Arn: aws.String(queueArn("dlq"))},
	}, &ptypes.PipeTargetParameters{SqsQueueParameters: &ptypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("$.data.g")}})

	dead := f.drain(dlq, 1, 20*time.Second)
	if len(dead) != 1 {
		t.Fatalf("DLQ holds %d messages, want 1", len(dead))
	}
	bi := decodeDLQ(t, dead[0]).KinesisBatchInfo
	// Records 0–12 of the first batch were taken; the rest of it, from
	// the poison record (13) to the batch's end (19), failed together.
	if bi.StartSequenceNumber != put["poison"].seq || bi.EndSequenceNumber != put[`{"g":"grp","i":19}`].seq ||
		bi.BatchSize != 7 {
		t.Fatalf("DLQ batch %+v", bi)
	}
	bodies := f.drain(out, 23, 20*time.Second)
	if len(bodies) != 23 {
		t.Fatalf("delivered %d, want 23", len(bodies))
	}
	for i, b := range bodies {
		want := i
		if i >= poison {
			want = i + 7
		}
		if got := decodeEvent(t, b).data(t); got != fmt.Sprintf(`{"g":"grp","i":%d}`, want) {
			t.Fatalf("delivered %s, want record %d", got, want)
		}
	}
}

// TestRecordAgeExceeded: a batch older than MaximumRecordAgeInSeconds goes
// to the DLQ with RecordAgeExceeded, even with unlimited retries.
func TestRecordAgeExceeded(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	dlq := f.createQueue("dlq", nil)
	put := f.put("src", keys(3, 1), "old")
	// The target queue does not exist: every attempt fails.
	f.createPipe("aging", src, queueArn("missing"), &ptypes.PipeSourceKinesisStreamParameters{
		MaximumRecordAgeInSeconds: aws.Int32(60),
		DeadLetterConfig:          &ptypes.DeadLetterConfig{Arn: aws.String(queueArn("dlq"))},
	}, nil)
	// Let it fail and retry for a while; nothing is given up yet.
	time.Sleep(300 * time.Millisecond)
	f.expectEmpty(dlq)
	f.e.Clock.Advance(61 * time.Second)
	dead := f.drain(dlq, 1, 20*time.Second)
	if len(dead) != 1 {
		t.Fatalf("DLQ holds %d messages, want 1", len(dead))
	}
	d := decodeDLQ(t, dead[0])
	bi := d.KinesisBatchInfo
	if d.Context.Condition != "RecordAgeExceeded" || bi.BatchSize != 3 ||
		bi.StartSequenceNumber != put["old-0"].seq || bi.EndSequenceNumber != put["old-2"].seq {
		t.Fatalf("DLQ message %+v", d)
	}
	ts, err := time.Parse(time.RFC3339, d.Timestamp)
	if err != nil || ts.Before(time.Now().Add(50*time.Second)) {
		t.Fatalf("timestamp %s should come from the engine's clock", d.Timestamp)
	}
}

// TestNoDLQDropsAndMovesOn: without a DLQ an exhausted batch is dropped
// and the pipe carries on with the next records.
func TestNoDLQDropsAndMovesOn(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	out := f.createQueue("out.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	f.putJSON("src", 5, 2)
	f.createPipe("nodlq", src, queueArn("out.fifo"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(1), MaximumRetryAttempts: aws.Int32(0),
	}, &ptypes.PipeTargetParameters{SqsQueueParameters: &ptypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("$.data.g")}})
	bodies := f.drain(out, 4, 20*time.Second)
	if len(bodies) != 4 {
		t.Fatalf("delivered %d, want 4", len(bodies))
	}
}
