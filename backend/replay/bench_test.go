package replay

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// BenchmarkBulkReplayHTTP replays 5,000 archived events to a local HTTP
// target that accepts everything, with 32 in flight and no rate cap: each
// event is read, POSTed, its copy written and read back, and its original
// deleted in a batch. As a yardstick it also reports, in the same run and
// at the same concurrency, the rate of the bare S3 calls every replayed
// event needs — GetObject of the event, PutObject of its copy, GetObject of
// the copy — with nothing else; and the CPU time the process (client,
// engine and target alike) spent per replayed event.
func BenchmarkBulkReplayHTTP(b *testing.B) {
	const n, concurrency = 5000, 32
	s, _, loc := openArchive(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	var replayed, bare, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		consumer := fmt.Sprintf("bench-%d", i)
		events := archiveEvents(b, s, loc, consumer, start, n)
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime(b)
		sum, err := Bulk(ctxT(b), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: consumer}},
			Options{Concurrency: concurrency})
		replayed, cpu = replayed+time.Since(t0), cpu+cpuTime(b)-c0
		if err != nil || sum.Sent != n {
			b.Fatalf("%+v %v", sum, err)
		}
		b.StopTimer()
		var copies []string
		for _, e := range events {
			copies = append(copies, archive.ReplayedKey(loc.Prefix, archive.Key(loc.Prefix, e.KeyParts())))
		}
		bare += timeBareCalls(b, s, loc.Bucket, copies, concurrency)
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/replayed.Seconds(), "events/s")
	b.ReportMetric(float64(n*b.N)/bare.Seconds(), "bare-s3-events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/event")
}

// timeBareCalls times, for each key, a GetObject of it, a PutObject of
// its body under another key and a GetObject of that, with concurrency
// workers.
func timeBareCalls(b *testing.B, s *backend.Session, bucket string, keys []string, concurrency int) time.Duration {
	get := func(key string) []byte {
		out, err := s.S3().GetObject(ctxT(b), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			b.Error(err)
			return nil
		}
		defer out.Body.Close()
		body, _ := io.ReadAll(out.Body)
		return body
	}
	next := make(chan string)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range concurrency {
		wg.Go(func() {
			for k := range next {
				body := get(k)
				_, err := s.S3().PutObject(ctxT(b), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("yardstick/" + k), Body: bytes.NewReader(body)})
				if err != nil {
					b.Error(err)
				}
				get("yardstick/" + k)
			}
		})
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()
	return time.Since(t0)
}
