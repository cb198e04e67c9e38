//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// BenchmarkArchiveListMillion measures `sluice archive ls --consumer C
// --since 7d` over an archive of a million events (SLUICE_BENCH_OBJECTS
// to change the number) spread evenly over seven days: the time until
// the first line is on stdout and the peak RSS of the real binary, run
// as a subprocess against the engine in this process, beside a bare loop
// (ListObjectsV2 pages over the same objects, printing each key) run the
// same way in the same run.
//
// Populating a million objects takes minutes on two cores: with
// SLUICE_BENCH_DATA set to a directory, the engine's data is kept there
// and reused by the next run. SLUICE_BENCH_BEFORE, the path of a sluice
// built from an earlier commit, adds that binary's figures.
//
//	go test -run XXX -bench BenchmarkArchiveListMillion -benchtime 1x ./cmd/sluice/
func BenchmarkArchiveListMillion(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("SLUICE_BENCH_OBJECTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("SLUICE_BENCH_OBJECTS=%q: want a positive number", v)
		}
	}
	dir := os.Getenv("SLUICE_BENCH_DATA")
	if dir == "" {
		dir = b.TempDir()
	}
	e := enginetest.Start(b, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	anchor := populateArchive(b, e, dir, n)
	bins := buildBenchBinaries(b)
	sluice, bare := bins["sluice"], bins["bareloop"]
	env := benchEnv(b)

	since := anchor.Add(-7 * 24 * time.Hour).Format(time.RFC3339)
	ls := func(extra ...string) []string {
		return append([]string{"archive", "ls", "--consumer", "orders-to-api", "--archive", "s3://archive/failed/",
			"--profile", "local", "--endpoint-url", e.URL}, extra...)
	}
	type benchCase struct {
		name string
		bin  string
		args []string
	}
	cases := []benchCase{
		{"bare loop", bare, []string{e.URL, "archive", "failed/orders-to-api/"}},
		{"-o jsonl", sluice, ls("--since", since, "-o", "jsonl")},
		{"-o table", sluice, ls("--since", since)},
		{"-o table --limit 0", sluice, ls("--since", since, "--limit", "0")},
		{"-o json", sluice, ls("--since", since, "-o", "json")},
		// A tenth of the same archive: the memory must not follow.
		{"-o jsonl, the last 17 hours", sluice, ls("--since", anchor.Add(-17*time.Hour).Format(time.RFC3339), "-o", "jsonl")},
	}
	// SLUICE_BENCH_BEFORE names a sluice built from an earlier commit, to
	// be measured in the same run.
	if before := os.Getenv("SLUICE_BENCH_BEFORE"); before != "" {
		cases = append(cases, benchCase{"before: -o jsonl", before, ls("--since", since, "-o", "jsonl")},
			benchCase{"before: -o table", before, ls("--since", since)})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := runMeasured(b, bins["peakrss"], c.bin, c.args, env)
				b.ReportMetric(float64(r.first.Microseconds())/1000, "ms-first-line")
				b.ReportMetric(float64(r.maxRSS)/(1<<20), "MB-peak-RSS")
				b.ReportMetric(r.total.Seconds(), "s-total")
				b.ReportMetric(float64(r.lines), "lines")
			}
		})
	}
}

// populateArchive makes sure the engine holds n events of orders-to-api
// in s3://archive/failed/, spread evenly over the seven days before an
// anchor, and returns the anchor. A data directory populated by an
// earlier run with the same n is used as it is.
func populateArchive(b *testing.B, e *enginetest.Engine, dir string, n int) time.Time {
	b.Helper()
	marker := filepath.Join(dir, "bench-archive-populated")
	if raw, err := os.ReadFile(marker); err == nil {
		var have int
		var at string
		if _, err := fmt.Sscanf(string(raw), "%d %s", &have, &at); err == nil && have == n {
			anchor, err := time.Parse(time.RFC3339, at)
			if err == nil {
				b.Logf("using the %d events populated in %s at %s", n, dir, at)
				return anchor
			}
		}
	}
	anchor := time.Now().UTC().Truncate(time.Second)
	ctx := context.Background()
	c := e.S3()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		b.Fatal(err)
	}
	const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	step := 7 * 24 * time.Hour / time.Duration(n)
	start := time.Now()
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() != nil {
					return
				}
				seq := strconv.Itoa(i)
				ev := archive.Event{ID: archive.EventID(arn, "shardId-000000000000", seq), Consumer: "orders-to-api",
					Record: archive.Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: seq,
						PartitionKey: fmt.Sprintf("customer-%d", i%5000), ArrivalTime: anchor.Add(-7*24*time.Hour + time.Duration(i)*step + step/2)},
					Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", DLQ: "orders-dlq", FailedAt: anchor}}
				ev.Record.SetData([]byte(`{"order":` + seq + `,"status":"FAILED","total":129.5}`))
				body, err := ev.Marshal()
				if err == nil {
					_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("archive"),
						Key: aws.String(archive.Key("failed/", ev.KeyParts())), Body: bytes.NewReader(body)})
				}
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatalf("populate: %v", *err)
	}
	took := time.Since(start)
	b.Logf("populated %d events in %s (%.0f PutObject/s, 64 at once)", n, took.Round(time.Second), float64(n)/took.Seconds())
	if err := os.WriteFile(marker, []byte(fmt.Sprintf("%d %s\n", n, anchor.Format(time.RFC3339))), 0o600); err != nil {
		b.Fatal(err)
	}
	return anchor
}

// buildBenchBinaries builds sluice, the bare loop and peakrss, by name.
func buildBenchBinaries(b *testing.B) map[string]string {
	b.Helper()
	dir := b.TempDir()
	bins := map[string]string{}
	for name, pkg := range map[string]string{"sluice": ".", "bareloop": "./testdata/bareloop", "peakrss": "./testdata/peakrss"} {
		bins[name] = filepath.Join(dir, name)
		out, err := exec.Command("go", "build", "-o", bins[name], pkg).CombinedOutput()
		if err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return bins
}

// benchEnv is the environment of the subprocesses: sluice's folders in
// temporary ones, no AWS settings from the machine.
func benchEnv(b *testing.B) []string {
	b.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "SLUICE_") {
			env = append(env, kv)
		}
	}
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"} {
		env = append(env, v+"="+b.TempDir())
	}
	return env
}

type measured struct {
	first, total time.Duration
	lines        int
	maxRSS       int64 // bytes
}

// runMeasured runs bin to its end under peakrss, reading its stdout as a
// pipe: how long until the first whole line, how long in all, how many
// lines, and the peak resident memory the kernel saw.
func runMeasured(b *testing.B, peakrss, bin string, args, env []string) measured {
	b.Helper()
	cmd := exec.Command(peakrss, append([]string{bin}, args...)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var m measured
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReaderSize(stdout, 1<<20)
	if _, err := r.ReadString('\n'); err != nil {
		b.Fatalf("%s: no first line: %v\n%s", filepath.Base(bin), err, stderr.String())
	}
	m.first = time.Since(start)
	m.lines = 1
	buf := make([]byte, 1<<20)
	for {
		k, err := r.Read(buf)
		m.lines += bytes.Count(buf[:k], []byte("\n"))
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	m.total = time.Since(start)
	tail := stderr.String()[strings.LastIndex(strings.TrimSuffix(stderr.String(), "\n"), "\n")+1:]
	if _, err := fmt.Sscanf(tail, "peakrss: %d", &m.maxRSS); err != nil {
		b.Fatalf("no peak RSS in %q", stderr.String())
	}
	return m
}
