package main

// BenchmarkStreamsAtScale is `sluice streams` on an account of 10,000
// streams and 1,000 queues, under AWS's budget (the default rates, not
// the local profile's generous ones), watched for 10 seconds:
//
//	go test -run XXX -bench BenchmarkStreamsAtScale -benchtime 1x ./cmd/sluice/

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// firstLine is an output that notes when its first byte came.
type firstLine struct {
	mu    sync.Mutex
	start time.Time
	first time.Duration
	buf   bytes.Buffer
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.first == 0 && len(p) > 0 {
		f.first = time.Since(f.start)
	}
	return f.buf.Write(p)
}

func BenchmarkStreamsAtScale(b *testing.B) {
	home := b.TempDir()
	b.Setenv("HOME", home)
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		b.Setenv(v, b.TempDir())
	}
	b.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "none"))
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "none"))
	e := enginetest.Start(b, inventorytest.ManyShards(10000))
	t0 := time.Now()
	inventorytest.Many(b, e, 10000, 1000)
	b.Logf("set-up: 10,000 streams and 1,000 queues in %v", time.Since(t0).Round(time.Millisecond))
	cfg := filepath.Join(b.TempDir(), "config.yaml")
	// AWS's rates: the local profile's generous scale off.
	if err := os.WriteFile(cfg, []byte("budget:\n  local_scale: 1\n"), 0o600); err != nil {
		b.Fatal(err)
	}

	b.Run("floor", func(b *testing.B) {
		// One ListStreams for every name, straight through the SDK.
		for b.Loop() {
			start := time.Now()
			out, err := e.Kinesis().ListStreams(context.Background(), &kinesis.ListStreamsInput{Limit: aws.Int32(10000)})
			if err != nil || len(out.StreamNames) != 10000 {
				b.Fatalf("ListStreams: %v", err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-names")
		}
	})
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"streams", []string{"streams", "-o", "jsonl"}},
		{"streams-table", []string{"streams"}},
		{"names", []string{"streams", "--names", "-o", "jsonl"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				runStreamsAtScale(b, e, cfg, tc.args)
			}
		})
	}
}

func runStreamsAtScale(b *testing.B, e *enginetest.Engine, cfg string, args []string) {
	log := filepath.Join(b.TempDir(), "calls.jsonl")
	root := newRootCmd(buildInfo{Version: "bench"})
	out := &firstLine{}
	var errOut bytes.Buffer
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", e.URL, "--config", cfg, "--log-calls", log))
	root.SetIn(strings.NewReader(""))
	root.SetOut(out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out.start = time.Now()
	err := root.ExecuteContext(ctx)
	took := time.Since(out.start)
	if err != nil && ctx.Err() == nil {
		b.Fatalf("sluice %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f, ferr := os.Open(log)
	if ferr != nil {
		b.Fatal(ferr)
	}
	defer f.Close()
	calls, rerr := backend.ReadCalls(f)
	if rerr != nil {
		b.Fatal(rerr)
	}
	beforeFirst := 0
	for _, c := range calls {
		if c.Time.Add(c.Wait).Sub(out.start) < out.first {
			beforeFirst++
		}
	}
	for _, st := range backend.BudgetOf(calls) {
		b.Logf("%s.%s: %d calls, %d waited %v, limit %.4g/s", st.Service, st.Operation, st.Calls, st.Waits, st.Waited.Round(time.Millisecond), st.Limit)
	}
	lines := strings.Count(out.buf.String(), "\n")
	b.ReportMetric(float64(out.first.Microseconds())/1000, "ms-first-line")
	b.ReportMetric(float64(beforeFirst), "calls-before-first-line")
	b.ReportMetric(float64(len(calls)), "calls-10s")
	b.ReportMetric(float64(lines), "lines")
	b.ReportMetric(float64(took.Milliseconds()), "ms-run")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
}
