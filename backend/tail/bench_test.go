package tail_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// benchRecords is how many records the benchmarks put in the stream:
// SLUICE_BENCH_RECORDS, else 100,000 (the 1 million figures in
// BENCHMARKS.md set it).
func benchRecords(b *testing.B) int {
	n := 100_000
	if s := os.Getenv("SLUICE_BENCH_RECORDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("SLUICE_BENCH_RECORDS=%q: want a number of records ≥ 1000", s)
		}
		n = v
	}
	return n
}

// benchStream starts an engine in a child process (so that this process
// holds only the client), creates a 4-shard stream and fills it with n
// records of about 200 bytes of JSON, 500 to a PutRecords, 8 at a time.
func benchStream(b *testing.B, n int) (*backend.Session, int) {
	b.Helper()
	child, url := enginetest.StartChild(b, b.TempDir())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	env := backend.Env{
		Local:      func(context.Context) (string, error) { return url, nil },
		HTTPClient: &http.Client{Transport: readOnlyBodies{tr}},
	}
	s, err := backend.Open(context.Background(), backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal, Region: "us-east-1"}, env)
	if err != nil {
		b.Fatal(err)
	}
	c := s.Kinesis()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(4)}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	batches := int64((n + 499) / 500)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			entries := make([]types.PutRecordsRequestEntry, 500)
			for i := next.Add(1); i <= batches; i = next.Add(1) {
				for j := range entries {
					id := (i-1)*500 + int64(j)
					entries[j] = types.PutRecordsRequestEntry{
						PartitionKey: aws.String(fmt.Sprintf("customer-%d", rng.IntN(10_000))),
						Data: fmt.Appendf(nil, `{"orderId":"ord-%012d","customer":"customer-%d","amount":%d.%02d,"currency":"EUR","status":"CREATED","items":[{"sku":"sku-%d","qty":%d}],"at":"2024-05-01T12:00:00Z"}`,
							id, rng.IntN(10_000), rng.IntN(500), rng.IntN(100), rng.IntN(1000), 1+rng.IntN(5)),
					}
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: entries})
				if err == nil && aws.ToInt32(out.FailedRecordCount) > 0 {
					err = fmt.Errorf("%d records failed", aws.ToInt32(out.FailedRecordCount))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return s, child.Process.Pid
}

// bareRead reads every shard of the stream to its tip with a bare SDK
// GetRecords loop, one goroutine a shard, and counts the records. It asks
// for as many records a read as the tail does (benchLimit).
func bareRead(b *testing.B, s *backend.Session) int {
	c := s.Kinesis()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	for _, sh := range shards.Shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
				StreamName: aws.String("bench"), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
			})
			if err != nil {
				b.Error(err)
				return
			}
			iterator := it.ShardIterator
			for {
				out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator, Limit: aws.Int32(benchLimit())})
				if err != nil {
					b.Error(err)
					return
				}
				total.Add(int64(len(out.Records)))
				if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
					return
				}
				iterator = out.NextShardIterator
			}
		}()
	}
	wg.Wait()
	return int(total.Load())
}

// benchLimit is the GetRecords Limit of both the tail and the bare loop:
// SLUICE_BENCH_LIMIT, else what an unpaced tail asks for by default.
func benchLimit() int32 {
	if l, _ := strconv.Atoi(os.Getenv("SLUICE_BENCH_LIMIT")); l > 0 {
		return int32(l)
	}
	return tail.UnpacedLimit
}

// tailJSONL is what `sluice tail bench --from trim-horizon --follow=false
// --rate 0 -o jsonl` does, writing to w: every record as a JSON line
// through a buffered writer flushed after each batch. observe, when set,
// is called after each batch with the records written so far.
// The GetRecords Limit is the tail's default unless SLUICE_BENCH_LIMIT
// sets it.
func tailJSONL(b *testing.B, s *backend.Session, w io.Writer, buffer int, observe func(int)) int {
	o := tail.NewOptions("bench")
	o.From = tail.Position{Kind: tail.TrimHorizon}
	o.Unpaced = true
	o.UntilCaughtUp = true
	o.Buffer = buffer
	if l, _ := strconv.Atoi(os.Getenv("SLUICE_BENCH_LIMIT")); l > 0 {
		o.Limit = int32(l)
	}
	t, err := tail.Start(context.Background(), s, o)
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	n := 0
	for batch := range t.Records() {
		for _, r := range batch.Records {
			line = append(tail.AppendJSON(line[:0], r), '\n')
			bw.Write(line)
		}
		if err := bw.Flush(); err != nil {
			b.Fatal(err)
		}
		n += len(batch.Records)
		if observe != nil {
			observe(n)
		}
	}
	if err := t.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkTailJSONL compares the tail, printing JSON Lines to
// io.Discard, with a bare SDK GetRecords loop over the same 4 shards, in
// the same run. Each iteration reads the whole stream both ways, in turns
// (bare first on odd iterations, tail first on even ones) so that neither
// always gets the warmer engine. Besides records/s, it reports the CPU
// time spent per record each way by this process (the client) and by the
// engine's: a loaded machine disturbs these much less than the rates.
func BenchmarkTailJSONL(b *testing.B) {
	n := benchRecords(b)
	s, engine := benchStream(b, n)
	var bareTime, tailTime, bareCPU, tailCPU, bareEngine, tailEngine time.Duration
	bare := func() {
		began, cpu, eng := time.Now(), cpuTime(), processCPU(engine)
		if got := bareRead(b, s); got != n {
			b.Fatalf("bare loop read %d of %d records", got, n)
		}
		bareTime += time.Since(began)
		bareCPU += cpuTime() - cpu
		bareEngine += processCPU(engine) - eng
	}
	tailed := func() {
		began, cpu, eng := time.Now(), cpuTime(), processCPU(engine)
		if got := tailJSONL(b, s, io.Discard, -1, nil); got != n {
			b.Fatalf("tail read %d of %d records", got, n)
		}
		tailTime += time.Since(began)
		tailCPU += cpuTime() - cpu
		tailEngine += processCPU(engine) - eng
	}
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			bare()
			tailed()
		} else {
			tailed()
			bare()
		}
	}
	records := float64(n * b.N)
	perRecord := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / records }
	bareRate := records / bareTime.Seconds()
	tailRate := records / tailTime.Seconds()
	b.ReportMetric(bareRate, "bare-records/s")
	b.ReportMetric(tailRate, "tail-records/s")
	b.ReportMetric(100*tailRate/bareRate, "%-of-bare")
	b.ReportMetric(perRecord(bareCPU), "bare-client-µs/record")
	b.ReportMetric(perRecord(tailCPU), "tail-client-µs/record")
	b.ReportMetric(perRecord(bareEngine), "bare-engine-µs/record")
	b.ReportMetric(perRecord(tailEngine), "tail-engine-µs/record")
}

// BenchmarkTailMemory tails the stream with the ring at its default
// 10,000 records, printing JSON Lines to io.Discard, and reports this
// process's memory (the engine runs in another): the live heap after a GC
// at 100,000 records, at the last 100,000 mark before the end, and the
// largest at any 100,000 mark (flat: it does not grow with the records
// read); the highest heap in use seen after any batch, garbage included;
// and the highest resident set seen after any batch, once what filling
// the stream left is returned to the system. For scale, it also reports
// the largest live heap of the bare GetRecords loop over the same stream
// (sampled every 100 ms): most of a tail's memory is the SDK's, reading 4
// answers at once, each buffered whole before it is decoded.
func BenchmarkTailMemory(b *testing.B) {
	n := benchRecords(b)
	s, _ := benchStream(b, n)
	b.ResetTimer()
	for range b.N {
		// What filling the stream left behind goes back to the system, so
		// that the resident set measured is the tail's.
		debug.FreeOSMemory()
		var first, last, most, peak, rss float64
		mark := 100_000
		got := tailJSONL(b, s, io.Discard, 0, func(read int) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, float64(ms.HeapInuse)/(1<<20))
			rss = max(rss, rssMB())
			if read >= mark && read < n {
				live := liveHeapMB()
				if first == 0 {
					first = live
				}
				last, most = live, max(most, live)
				for mark <= read {
					mark += 100_000
				}
			}
		})
		if got != n {
			b.Fatalf("tail read %d of %d records", got, n)
		}
		b.ReportMetric(first, "live-MB@100k")
		b.ReportMetric(last, "live-MB@last-mark")
		b.ReportMetric(most, "live-MB-max")
		b.ReportMetric(peak, "peak-heap-MB")
		b.ReportMetric(rss, "rss-MB-max")

		stop := make(chan struct{})
		sampled := make(chan float64)
		go func() {
			most := 0.0
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					most = max(most, liveHeapMB())
				case <-stop:
					sampled <- most
					return
				}
			}
		}()
		bareRead(b, s)
		close(stop)
		b.ReportMetric(<-sampled, "bare-live-MB-max")
	}
}

func liveHeapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// rssMB is this process's resident set (Linux), 0 elsewhere.
func rssMB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkAppendJSON is the per-record cost of a JSON line, for a
// 200-byte JSON payload like the one above.
func BenchmarkAppendJSON(b *testing.B) {
	r := tail.Record{
		ShardID: "shardId-000000000001", SequenceNumber: "49000000000000000000010000000001000000000000000000010733", SubSequence: -1,
		PartitionKey: "customer-4711", Arrival: time.Now(),
		Data: []byte(`{"orderId":"ord-000000004711","customer":"customer-4711","amount":123.45,"currency":"EUR","status":"CREATED","items":[{"sku":"sku-17","qty":2}],"at":"2024-05-01T12:00:00Z"}`),
	}
	r.Size = len(r.Data)
	var line []byte
	b.ReportAllocs()
	for b.Loop() {
		line = tail.AppendJSON(line[:0], r)
	}
	b.SetBytes(int64(len(line)))
}
