package hydrate_test

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/hydrate"
)

// BenchmarkHydrate hydrates a DLQ of 1,000 Pipes failures, of batch size
// 1 and of batch size 10, from a 4-shard stream into the archive, against
// the in-process engine, with the default concurrency (4) and with 16.
// events/s counts the time to the last result; the run's closing empty
// receive (a 1 s long poll that proves the queue empty) is left out of it
// and shown in wall-s. cpu-µs/event is the process's CPU time (client and
// engine alike) over the same span. $SLUICE_HYDRATE_CPUPROFILE, when set,
// names a CPU profile of the hydrations alone (go test's -cpuprofile
// would be mostly the filling).
func BenchmarkHydrate(b *testing.B) {
	// As `sluice dlq hydrate` runs (GOGC=100 in the environment measures
	// Go's default instead).
	defer backend.UseBulkGC()()
	for _, tc := range []struct{ batch, concurrency int }{{1, 4}, {10, 4}, {1, 16}, {10, 16}, {1, 32}, {10, 32}} {
		batch := tc.batch
		b.Run(fmt.Sprintf("batch=%d/concurrency=%d", tc.batch, tc.concurrency), func(b *testing.B) {
			const messages = 1000
			f := start(b)
			arn := f.createStream("orders", 4)
			dlqURL := f.createQueue("orders-dlq")
			f.createBucket(bucket)
			var events int
			var busy, wall, cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f.fillDLQ(arn, dlqURL, i, messages, batch)
				stopProfile := profileHydrate(b, fmt.Sprintf("batch%d-c%d", tc.batch, tc.concurrency))
				b.StartTimer()
				began, cpu0 := time.Now(), backendtest.ProcessCPU(b)
				var cpuAtLast time.Duration
				var last time.Time
				o := f.options()
				o.Concurrency = tc.concurrency
				o.Progress = func(hydrate.Result) { last, cpuAtLast = time.Now(), backendtest.ProcessCPU(b) }
				sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, o)
				stopProfile()
				if err != nil || sum.Hydrated != messages || sum.Events != messages*batch {
					b.Fatalf("summary hydrated %d events %d failed %d: %v", sum.Hydrated, sum.Events, sum.Failed, err)
				}
				wall += time.Since(began)
				busy += last.Sub(began)
				cpu += cpuAtLast - cpu0
				events += sum.Events
			}
			b.ReportMetric(float64(events)/busy.Seconds(), "events/s")
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(events), "cpu-µs/event")
		})
	}
}

// fillDLQ puts messages×batch records, batch consecutive ones under one
// partition key, and sends one Pipes failure per batch.
func (f *fixture) fillDLQ(arn, dlqURL string, round, messages, batch int) {
	f.t.Helper()
	type put struct{ shard, seq string }
	var puts []put
	var recs []ktypes.PutRecordsRequestEntry
	flush := func() {
		if len(recs) == 0 {
			return
		}
		out, err := f.k.PutRecords(f.ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			f.t.Fatalf("PutRecords: %v", err)
		}
		for _, r := range out.Records {
			puts = append(puts, put{aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)})
		}
		recs = recs[:0]
	}
	for m := range messages {
		// A request keeps a shard's records in order, so a batch that
		// does not straddle two requests is contiguous in its shard.
		if len(recs)+batch > 500 {
			flush()
		}
		key := "customer-" + strconv.Itoa(round*messages+m)
		for i := range batch {
			recs = append(recs, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(key),
				Data: fmt.Appendf(nil, `{"orderId":"o-%d-%d-%d","amount":%d.50,"currency":"EUR"}`, round, m, i, i)})
		}
	}
	flush()
	now := time.Now()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for m := range messages {
		first, last := puts[m*batch], puts[m*batch+batch-1]
		body := pipesFailureOf(arn, first.shard, ktypes.Record{SequenceNumber: aws.String(first.seq), ApproximateArrivalTimestamp: &now},
			ktypes.Record{SequenceNumber: aws.String(last.seq), ApproximateArrivalTimestamp: &now}, batch, now)
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(len(entries))), MessageBody: aws.String(body)})
		if len(entries) == 10 || m == messages-1 {
			out, err := f.q.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(dlqURL), Entries: entries})
			if err != nil || len(out.Failed) > 0 {
				f.t.Fatalf("SendMessageBatch: %v", err)
			}
			entries = entries[:0]
		}
	}
}

// profileHydrate writes a CPU profile of one hydration to
// $SLUICE_HYDRATE_CPUPROFILE-name when that is set.
func profileHydrate(b *testing.B, name string) (stop func()) {
	path := os.Getenv("SLUICE_HYDRATE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "-" + name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
