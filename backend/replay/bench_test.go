package replay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
)

// benchEvents is how many events one bulk replay of the benchmark sends.
const benchEvents = 20000

// BenchmarkBulkReplay replays 20,000 archived events with 32 in flight and
// no rate cap to each kind of target on this machine — a local HTTP
// endpoint that accepts everything, a Kinesis stream and an SQS queue of
// the bundled engine — and, in the same run, times the bare loop it is
// measured against: with the same concurrency, per event one GetObject,
// decode, and one target call (POST, PutRecord, SendMessage), marking
// nothing. Both read with the session's ReadObject, the cheapest GET it
// has. It reports both rates, the replay's share of the bare loop,
// the CPU time the process (client, engine and target alike) spent per
// event in each, and the connections the HTTP target accepted. Both run
// with the garbage collector's target that `sluice replay` sets.
func BenchmarkBulkReplay(b *testing.B) {
	for _, kind := range []string{"http", "kinesis", "sqs"} {
		b.Run("target="+kind, func(b *testing.B) { benchReplay(b, kind) })
	}
}

func benchReplay(b *testing.B, kind string) {
	const concurrency = 32
	// As `sluice replay` runs (GOGC=100 in the environment measures Go's
	// default instead).
	defer backend.UseBulkGC()()
	s, _, loc := openArchive(b)
	srv, conns := countingTarget(b)
	tgt, bare := benchTarget(b, s, kind, srv.URL)
	var replayed, bareTime, cpu, bareCPU time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		consumer, yardstick := fmt.Sprintf("bench-%d", i), fmt.Sprintf("bare-%d", i)
		archiveEvents(b, s, loc, consumer, start, benchEvents)
		events := archiveEvents(b, s, loc, yardstick, start, benchEvents)
		var keys []string
		for _, e := range events {
			keys = append(keys, archive.Key(loc.Prefix, e.KeyParts()))
		}
		c0 := backendtest.ProcessCPU(b)
		stopBare := profileReplay(b, "bare-"+kind)
		bareTime += timeBare(b, s, loc.Bucket, keys, concurrency, bare)
		stopBare()
		bareCPU += backendtest.ProcessCPU(b) - c0
		connsBefore := conns.accepted.Load()
		stopProfile := profileReplay(b, kind)
		b.StartTimer()
		t0, c0 := time.Now(), backendtest.ProcessCPU(b)
		sum, err := Bulk(ctxT(b), s, Plan{Archive: loc, Target: tgt, Query: archive.Query{Consumer: consumer}},
			Options{Concurrency: concurrency})
		replayed, cpu = replayed+time.Since(t0), cpu+backendtest.ProcessCPU(b)-c0
		stopProfile()
		if err != nil || sum.Sent != benchEvents {
			b.Fatalf("%+v %v", sum, err)
		}
		if kind == "http" {
			b.ReportMetric(float64(conns.accepted.Load()-connsBefore), "target-conns")
		}
	}
	rate, bareRate := float64(benchEvents*b.N)/replayed.Seconds(), float64(benchEvents*b.N)/bareTime.Seconds()
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(bareRate, "bare-events/s")
	b.ReportMetric(100*rate/bareRate, "%-of-bare")
	b.ReportMetric(float64(cpu.Microseconds())/float64(benchEvents*b.N), "cpu-µs/event")
	b.ReportMetric(float64(bareCPU.Microseconds())/float64(benchEvents*b.N), "bare-cpu-µs/event")
}

// benchTarget makes the target of kind on the engine, and the bare call
// that delivers one event's data to it.
func benchTarget(b *testing.B, s *backend.Session, kind, url string) (backend.Target, func(ctx context.Context, e archive.Event, data []byte) error) {
	ctx := ctxT(b)
	switch kind {
	case "kinesis":
		_, err := s.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(4)})
		must(b, err)
		sum, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("bench")})
		must(b, err)
		arn := aws.ToString(sum.StreamDescriptionSummary.StreamARN)
		return backend.Target{Kind: backend.TargetKinesis, ARN: arn}, func(ctx context.Context, e archive.Event, data []byte) error {
			_, err := s.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(arn), Data: data, PartitionKey: aws.String(e.Record.PartitionKey)})
			return err
		}
	case "sqs":
		q, err := s.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
		must(b, err)
		qurl := aws.ToString(q.QueueUrl)
		return backend.Target{Kind: backend.TargetSQS, URL: qurl}, func(ctx context.Context, e archive.Event, data []byte) error {
			_, err := s.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String(string(data))})
			return err
		}
	}
	hc := newHTTPClient(32)
	return httpTarget(url), func(ctx context.Context, e archive.Event, data []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", e.ID)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
}

// timeBare times the bare loop over keys: per key one GetObject, decode,
// and one call of send, with concurrency workers.
func timeBare(b *testing.B, s *backend.Session, bucket string, keys []string, concurrency int,
	send func(ctx context.Context, e archive.Event, data []byte) error) time.Duration {
	next := make(chan string)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range concurrency {
		wg.Go(func() {
			for k := range next {
				if err := bareCall(ctxT(b), s, bucket, k, send); err != nil {
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

func bareCall(ctx context.Context, s *backend.Session, bucket, key string, send func(ctx context.Context, e archive.Event, data []byte) error) error {
	body, err := s.ReadObject(ctx, bucket, key, 1<<20)
	if err != nil {
		return err
	}
	e, err := archive.Unmarshal(body)
	if err != nil {
		return err
	}
	data, err := e.Record.Bytes()
	if err != nil {
		return err
	}
	return send(ctx, e, data)
}

// profileReplay writes a CPU profile of the replay alone (not of the
// archiving before it) to $SLUICE_REPLAY_CPUPROFILE-<kind> when that is
// set, and of the bare loop to $SLUICE_REPLAY_CPUPROFILE-bare-<kind>: go
// test's -cpuprofile would be mostly the setup.
func profileReplay(b *testing.B, kind string) (stop func()) {
	path := os.Getenv("SLUICE_REPLAY_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "-" + kind)
	must(b, err)
	must(b, pprof.StartCPUProfile(f))
	return func() {
		pprof.StopCPUProfile()
		must(b, f.Close())
	}
}
