package replay

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend/archive"
)

// BenchmarkBulkReplayHTTP replays 5,000 archived events to a local HTTP
// target that accepts everything, with 32 in flight and no rate cap: each
// event is read, POSTed, its copy written and read back, and its original
// deleted in a batch. As a yardstick it also reports, in the same run,
// the rate of bare PutObject calls of a copy's size at the same
// concurrency: the one write every replayed event needs; and the CPU time
// the process (client, engine and target alike) spent per replayed event,
// which, unlike the rates, does not depend on what else the machine runs.
func BenchmarkBulkReplayHTTP(b *testing.B) {
	const n, concurrency = 5000, 32
	s, _, loc := openArchive(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	var replayed, puts, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		consumer := fmt.Sprintf("bench-%d", i)
		archiveEvents(b, s, loc, consumer, start, n)
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime(b)
		sum, err := Bulk(ctxT(b), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: consumer}},
			Options{Concurrency: concurrency})
		replayed, cpu = replayed+time.Since(t0), cpu+cpuTime(b)-c0
		if err != nil || sum.Sent != n {
			b.Fatalf("%+v %v", sum, err)
		}
		b.StopTimer()
		puts += timePuts(b, loc.Bucket, fmt.Sprintf("yardstick-%d/", i), n, concurrency, func(key string, body []byte) error {
			_, err := s.S3().PutObject(ctxT(b), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
			return err
		})
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/replayed.Seconds(), "events/s")
	b.ReportMetric(float64(n*b.N)/puts.Seconds(), "bare-puts/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/event")
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timePuts times n puts of 700-byte bodies (a replayed copy's size) with
// concurrency writers.
func timePuts(b *testing.B, bucket, prefix string, n, concurrency int, put func(key string, body []byte) error) time.Duration {
	body := bytes.Repeat([]byte("x"), 700)
	next := make(chan int)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				if err := put(fmt.Sprintf("%s%d", prefix, i), body); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return time.Since(t0)
}
