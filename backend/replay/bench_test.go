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

	"github.com/sluicehq/sluice/backend/archive"
)

// BenchmarkBulkReplayHTTP replays 5,000 archived events to a local HTTP
// target that accepts everything, with 32 in flight and no rate cap: each
// event is read, POSTed and its copy written, and its original deleted in
// a batch. It also reports the CPU time the process (client, engine and
// target alike) spent per replayed event, and, as yardsticks at the same
// concurrency, the rate of the three calls no replay can do without —
// GetObject of the event, POST to the target, PutObject of its copy — made
// bare with the SDK: against the engine ("engine-floor"), and against a
// stub S3 that does no work at all ("sdk-floor", the most an SDK client
// can reach on this machine whatever the store).
func BenchmarkBulkReplayHTTP(b *testing.B) {
	const n, concurrency = 5000, 32
	s, _, loc := openArchive(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	stub := s3.NewFromConfig(s.Config(), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(newStubS3(b).URL), true
	})
	var replayed, engineFloor, sdkFloor, cpu time.Duration
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
		engineFloor += timeBareCalls(b, s.S3(), srv.URL, loc.Bucket, copies, concurrency)
		sdkFloor += timeBareCalls(b, stub, srv.URL, loc.Bucket, copies, concurrency)
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/replayed.Seconds(), "events/s")
	b.ReportMetric(float64(n*b.N)/engineFloor.Seconds(), "engine-floor-events/s")
	b.ReportMetric(float64(n*b.N)/sdkFloor.Seconds(), "sdk-floor-events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/event")
}

// timeBareCalls times, for each key, a GetObject of it, a POST of its body
// to target and a PutObject of the body under another key, with
// concurrency workers.
func timeBareCalls(b *testing.B, c *s3.Client, target, bucket string, keys []string, concurrency int) time.Duration {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	next := make(chan string)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range concurrency {
		wg.Go(func() {
			for k := range next {
				if err := bareCalls(b, c, hc, target, bucket, k); err != nil {
					b.Error(err)
				}
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

func bareCalls(b *testing.B, c *s3.Client, hc *http.Client, target, bucket, key string) error {
	out, err := c.GetObject(ctxT(b), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return err
	}
	body, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		return err
	}
	resp, err := hc.Post(target, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_, err = c.PutObject(ctxT(b), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("yardstick/" + key), Body: bytes.NewReader(body)})
	return err
}

// newStubS3 answers every GET with the same small JSON object and every
// PUT with success, doing nothing else.
func newStubS3(b *testing.B) *httptest.Server {
	object := bytes.Repeat([]byte("x"), 600)
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(object)
		}
	}))
	b.Cleanup(stub.Close)
	return stub
}
