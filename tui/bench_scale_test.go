package tui_test

// BenchmarkStartAtScale is the TUI's start on an account of 10,000
// streams and 1,000 queues, under AWS's budget (the default rates, not
// the local profile's generous ones):
//
//	go test -run XXX -bench BenchmarkStartAtScale -benchtime 1x ./tui/
//
// Creating the streams and queues takes about five minutes here before anything
// is measured.

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/tui"
)

const (
	scaleStreams = 10000
	scaleQueues  = 1000
	// scaleWindow is how long the start is watched.
	scaleWindow = 10 * time.Second
)

// awsBudgetSession opens the engine with AWS's default budget and a call
// log that keeps every call of the window.
func awsBudgetSession(b *testing.B, e *enginetest.Engine) (*backend.Session, *backend.CallLog, *backend.Budget) {
	budget, err := backend.NewBudget(config.Budget{LocalScale: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	calls := backend.NewCallLog(200000)
	return backendtest.OpenOn(b, e, backend.Env{Calls: calls, Budget: budget}), calls, budget
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func BenchmarkStartAtScale(b *testing.B) {
	e := enginetest.Start(b, inventorytest.ManyShards(10000))
	t0 := time.Now()
	inventorytest.Many(b, e, scaleStreams, scaleQueues)
	b.Logf("set-up: %d streams and %d queues in %v", scaleStreams, scaleQueues, time.Since(t0).Round(time.Millisecond))

	// The floor: the two name listings a first screen needs, made
	// straight through the SDK, and the heap before the UI exists.
	b.Run("floor", func(b *testing.B) {
		s, calls, _ := awsBudgetSession(b, e)
		for b.Loop() {
			ctx := context.Background()
			start := time.Now()
			ks, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(10000)})
			if err != nil || len(ks.StreamNames) != scaleStreams {
				b.Fatalf("ListStreams: %v", err)
			}
			qs, err := s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)})
			if err != nil || len(qs.QueueUrls) != scaleQueues {
				b.Fatalf("ListQueues: %v", err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-names")
		}
		b.ReportMetric(float64(calls.Total())/float64(b.N), "calls")
		b.ReportMetric(float64(heapInUse())/(1<<20), "MB-heap")
	})

	b.Run("tui", func(b *testing.B) {
		for b.Loop() {
			startAtScale(b, e)
		}
	})
}

// startAtScale starts the UI as sluice does (the five tabs, 160×48),
// waits for the first screen that lists streams and for its rows to be
// filled in, and counts the calls of the first scaleWindow per API
// against what the budget allows in that time.
func startAtScale(b *testing.B, e *enginetest.Engine) {
	s, calls, budget := awsBudgetSession(b, e)
	heapBefore := heapInUse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := benchOptions(s)
	opts.Context = ctx
	start := time.Now()
	m := tui.New(opts)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	msgs, stop := make(chan tea.Msg), make(chan struct{})
	go loop(m, msgs, stop)
	defer close(stop)
	screen := func() string {
		p := make(probe)
		msgs <- p
		return <-p
	}
	first, filled := inventorytest.ManyStreamName(0), ""
	var firstScreen, rowsFilled time.Duration
	callsAtFirst := 0
	for time.Since(start) < scaleWindow {
		sc := screen()
		if firstScreen == 0 && strings.Contains(sc, first) {
			firstScreen, callsAtFirst = time.Since(start), calls.Total()
		}
		if firstScreen != 0 && rowsFilled == 0 {
			for _, l := range strings.Split(sc, "\n") {
				if strings.Contains(l, first) && strings.Contains(l, "active") {
					rowsFilled, filled = time.Since(start), l
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if firstScreen == 0 {
		b.Fatalf("no stream listed in %v", scaleWindow)
	}
	if rowsFilled == 0 {
		b.Fatalf("the first row was not filled in within %v", scaleWindow)
	}
	heap := heapInUse()
	// Per API, the calls started in the window against what the budget
	// allows: a full bucket (one second's worth) and the rate after it.
	end := start.Add(scaleWindow)
	per := map[backend.APIKey]int{}
	total := 0
	for _, c := range calls.Calls() {
		if c.Time.Add(c.Wait).Before(end) { // sent, after its wait for the budget
			total++
			per[backend.APIKey{Service: c.Service, Operation: c.Operation}]++
		}
	}
	worst := 0.0
	for k, n := range per {
		limit := budget.Limit(k)
		allowed := limit*scaleWindow.Seconds() + max(limit, 1)
		if share := float64(n) / allowed; share > worst {
			worst = share
		}
		b.Logf("%s: %d calls in %v (budget %.4g/s allows %.0f)", k.API(), n, scaleWindow, limit, allowed)
	}
	b.Logf("first row filled: %q", strings.TrimSpace(filled))
	b.ReportMetric(float64(firstScreen.Microseconds())/1000, "ms-first-screen")
	b.ReportMetric(float64(callsAtFirst), "calls-before-first-screen")
	b.ReportMetric(float64(rowsFilled.Microseconds())/1000, "ms-screen-filled")
	b.ReportMetric(float64(total), "calls-10s")
	b.ReportMetric(worst*100, "%-of-budget-max")
	b.ReportMetric(float64(heap)/(1<<20), "MB-heap")
	b.ReportMetric(float64(heap-min(heap, heapBefore))/(1<<20), "MB-heap-growth")
}
