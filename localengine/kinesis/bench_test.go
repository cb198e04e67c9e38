package kinesis_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

const (
	benchBatch   = 500
	benchRecord  = 200
	benchWriters = 8
)

func benchEntries(seed int) []types.PutRecordsRequestEntry {
	data := make([]byte, benchRecord)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	entries := make([]types.PutRecordsRequestEntry, benchBatch)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("pk-%d-%d", seed, i)), Data: data}
	}
	return entries
}

// writeRecords writes n records (a multiple of the batch) with 8
// concurrent writers.
func writeRecords(b *testing.B, c *kinesis.Client, stream string, n int) {
	var next atomic.Int64
	batches := int64(n / benchBatch)
	var wg sync.WaitGroup
	for w := range benchWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entries := benchEntries(w)
			for next.Add(1) <= batches {
				out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
				if err != nil {
					b.Error(err)
					return
				}
				if aws.ToInt32(out.FailedRecordCount) != 0 {
					b.Errorf("%d records failed", aws.ToInt32(out.FailedRecordCount))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkPutRecords: batches of 500 records of 200 bytes from 8
// concurrent clients into 4 shards, each answered only once durable.
func BenchmarkPutRecords(b *testing.B) {
	e, c := start(b)
	createStream(b, c, "bench", 4)
	_ = e
	b.ResetTimer()
	start := time.Now()
	writeRecords(b, c, "bench", b.N*benchBatch)
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N*benchBatch)/elapsed.Seconds(), "records/s")
}

// BenchmarkGetRecords reads records back 10,000 at a time.
func BenchmarkGetRecords(b *testing.B) {
	_, c := start(b)
	createStream(b, c, "bench", 4)
	writeRecords(b, c, "bench", 100_000)
	ctx := context.Background()
	shards := shardIDs(b, c, "bench")
	its := make([]string, len(shards))
	for i, id := range shards {
		its[i] = iter(b, c, "bench", id, types.ShardIteratorTypeTrimHorizon)
	}
	b.ResetTimer()
	read := 0
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s := i % len(shards)
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(its[s]), Limit: aws.Int32(10000)})
		if err != nil {
			b.Fatal(err)
		}
		read += len(out.Records)
		if len(out.Records) == 0 {
			its[s] = iter(b, c, "bench", shards[s], types.ShardIteratorTypeTrimHorizon)
		} else {
			its[s] = *out.NextShardIterator
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(read)/elapsed.Seconds(), "records/s")
}

func heapInuseMB() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// rssMB is the process's resident set: the heap plus the store's pages that
// the kernel keeps mapped (bbolt reads through mmap), which it may drop.
func rssMB(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0 // not Linux: report the heap alone
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				b.Fatalf("parse VmRSS %q: %v", v, err)
			}
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkHeapFlat writes 100,000 then 1,000,000 records and reports the
// heap in use after each: records live on disk, so it stays flat. Run it
// with -benchtime=1x.
func BenchmarkHeapFlat(b *testing.B) {
	for range b.N {
		_, c := start(b)
		createStream(b, c, "heap", 4)
		writeRecords(b, c, "heap", 100_000)
		at100k := heapInuseMB()
		writeRecords(b, c, "heap", 900_000)
		at1M := heapInuseMB()
		b.ReportMetric(at100k, "heap-MB@100k")
		b.ReportMetric(at1M, "heap-MB@1M")
		b.ReportMetric(rssMB(b), "rss-MB@1M")
	}
}
