package pipes_test

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	benchShards  = 4
	benchRecords = 40000
	benchBatch   = 1000
)

// prefill writes benchRecords records of about 90 bytes over
// benchShards shards.
func (f *fixture) prefill(stream string) {
	f.t.Helper()
	f.createStream(stream, benchShards)
	ks := make([]string, benchRecords)
	for i := range ks {
		ks[i] = "k" + strconv.Itoa(i%1000)
	}
	// The data is "<prefix>-<i>": about 100 bytes with this prefix.
	f.put(stream, ks, `{"customerId":"c-0000","amount":1234,"currency":"EUR","note":"padding......"}`)
}

// BenchmarkPipeToSQS measures a pipe draining a pre-filled 4-shard stream
// into an SQS queue (batches of 1000 records, ten messages a
// SendMessageBatch), until every record is in the queue.
func BenchmarkPipeToSQS(b *testing.B) {
	f := start(b)
	var total int
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		stream, queue, pipe := fmt.Sprintf("bench-%d", i), fmt.Sprintf("bench-%d", i), fmt.Sprintf("bench-%d", i)
		b.StopTimer()
		f.prefill(stream)
		url := f.createQueue(queue, nil)
		b.StartTimer()
		t0 := time.Now()
		f.createPipe(pipe, streamArn(stream), queueArn(queue), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(benchBatch)}, nil)
		for f.queueDepth(url) < benchRecords {
			time.Sleep(20 * time.Millisecond)
		}
		elapsed += time.Since(t0)
		total += benchRecords
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "records/s")
}

func (f *fixture) queueDepth(url string) int {
	f.t.Helper()
	out, err := f.q.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		f.t.Fatalf("GetQueueAttributes: %v", err)
	}
	n, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	return n
}

// BenchmarkPipeToAPIDestination measures a pipe draining a pre-filled
// 4-shard stream to an HTTP endpoint that always succeeds (an API
// destination to an httptest server), one call per batch of 1000
// records, until the endpoint has seen every record.
func BenchmarkPipeToAPIDestination(b *testing.B) {
	f := start(b)
	var seen atomic.Int64
	ep := newEndpoint(b, func(_ int, body []byte) int {
		seen.Add(int64(bytes.Count(body, []byte(`"eventID":`))))
		return 200
	})
	dest := f.apiDestination("bench", ep.URL)
	var total int
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		stream, pipe := fmt.Sprintf("bench-%d", i), fmt.Sprintf("bench-%d", i)
		b.StopTimer()
		f.prefill(stream)
		seen.Store(0)
		b.StartTimer()
		t0 := time.Now()
		f.createPipe(pipe, streamArn(stream), dest, &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(benchBatch)}, nil)
		for seen.Load() < benchRecords {
			time.Sleep(5 * time.Millisecond)
		}
		elapsed += time.Since(t0)
		total += benchRecords
		b.StopTimer()
		if _, err := f.p.DeletePipe(f.ctx, &pipes.DeletePipeInput{Name: aws.String(pipe)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "records/s")
}
