package metrics

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	bm "github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// hourOf is an hour of one-minute points ending at t0, shaped by f; NaN
// leaves a gap.
func hourOf(name, stat, unit string, f func(i int) float64) bm.Series {
	s := bm.Series{Name: name, Stat: stat, Unit: unit, Period: 60, Points: []bm.Point{}}
	for i := range 60 {
		v := f(i)
		if math.IsNaN(v) {
			continue
		}
		s.Points = append(s.Points, bm.Point{Time: t0.Add(-time.Hour + time.Duration(i)*time.Minute), Value: v})
	}
	return s
}

func wave(base, amp, div float64) func(int) float64 {
	return func(i int) float64 { return math.Round(base + amp*math.Sin(float64(i)/div)) }
}

func streamSeries() []bm.Series {
	return []bm.Series{
		hourOf("IncomingRecords", "Sum", "Count", wave(6000, 4000, 6)),
		hourOf("IncomingBytes", "Sum", "Bytes", wave(3e6, 2e6, 6)),
		hourOf("GetRecords.IteratorAgeMilliseconds", "Maximum", "Milliseconds", func(i int) float64 {
			if i >= 40 {
				return float64((i - 39) * 15000)
			}
			return 200
		}),
		hourOf("ReadProvisionedThroughputExceeded", "Sum", "Count", func(i int) float64 {
			if i%17 == 0 {
				return 4
			}
			return 0
		}),
		hourOf("WriteProvisionedThroughputExceeded", "Sum", "Count", func(i int) float64 {
			if i%17 == 0 {
				return 3
			}
			return math.NaN()
		}),
	}
}

func queueSeries() []bm.Series {
	return []bm.Series{
		hourOf("ApproximateNumberOfMessagesVisible", "Maximum", "Count", func(i int) float64 { return float64(i / 4) }),
		hourOf("ApproximateAgeOfOldestMessage", "Maximum", "Seconds", func(i int) float64 { return float64(i * 60) }),
	}
}

func pipeSeries() []bm.Series {
	return []bm.Series{
		hourOf("Invocations", "Sum", "Count", wave(120, 60, 4)),
		hourOf("ExecutionFailed", "Sum", "Count", func(i int) float64 { return float64(i % 7 / 5) }),
		hourOf("TargetStageFailed", "Sum", "Count", func(i int) float64 {
			if i > 30 && i < 36 {
				return 6
			}
			return 0
		}),
		hourOf("TargetStageDuration", "Average", "Milliseconds", wave(180, 120, 9)),
	}
}

// fed is a tab with no session, fed the messages its commands would
// produce.
func fed(t *testing.T, w, h int, dark bool) *driver {
	t.Helper()
	d := newDriver(t, nil, w, h, dark)
	d.Run(d.m.Init())
	stamp := d.m.stamp()
	d.Send(listMsg{Stamp: stamp, kind: KindStream, names: []string{"orders", "payments"}})
	d.Send(listMsg{Stamp: stamp, kind: KindQueue, names: []string{"orders-dlq"}})
	d.Send(listMsg{Stamp: stamp, kind: KindPipe, names: []string{"orders-to-api"}})
	feed(d, "stream/orders", streamSeries(), nil)
	feed(d, "queue/orders-dlq", queueSeries(), nil)
	feed(d, "pipe/orders-to-api", pipeSeries(), nil)
	return d
}

// feed answers a read of id as its command would.
func feed(d *driver, id string, series []bm.Series, err error) {
	fetch := common.Stamp{Tab: common.MetricsTab, Session: 1, Gen: 1000}
	d.m.data[id] = &data{rng: d.m.rng, fetch: fetch, loading: true}
	d.Send(seriesMsg{Stamp: fetch, id: id, rng: d.m.rng, start: t0.Add(-time.Hour), end: t0, series: series, err: err})
}

func TestGoldenMetrics(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		viewtest.Golden(t, fed(t, w, h, true).m.View(), w, h)
	})
}

func TestGoldenMetricsQueueAndPipe(t *testing.T) {
	for _, c := range []struct {
		name, target string
		w, h         int
	}{{"queue_80x24", "queue/orders-dlq", 80, 24}, {"pipe_160x48", "orders-to-api", 160, 48}, {"pipe_120x30", "pipe/orders-to-api", 120, 30}} {
		t.Run(c.name, func(t *testing.T) {
			d := fed(t, c.w, c.h, true)
			d.Send(openMsg(c.target))
			viewtest.Golden(t, d.m.View(), c.w, c.h)
		})
	}
}

func TestViewFitsEverySize(t *testing.T) {
	d := fed(t, 80, 24, true)
	for _, target := range []string{"stream/orders", "queue/orders-dlq", "pipe/orders-to-api", "stream/payments"} {
		d.Send(openMsg(target))
		for w := 20; w <= 200; w += 11 {
			for h := 1; h <= 50; h += 6 {
				d.m.SetSize(w, h)
				viewtest.CheckView(t, d.m.View(), w, h)
			}
		}
	}
}

func TestEscapesInDataStayInert(t *testing.T) {
	const evil = "\x1b]52;c;aGk=\x07"
	d := fed(t, 160, 40, true)
	d.Send(listMsg{Stamp: d.m.stamp(), kind: KindQueue, names: []string{"orders-dlq", "q" + evil}})
	d.Send(openMsg("queue/q" + evil))
	feed(d, "queue/q"+evil, nil, fmt.Errorf("AccessDenied: %s\x1b[2J", evil))
	views := []string{d.m.View()}
	// A series label is no data today, but the chart makes it inert too.
	d.Send(openMsg("stream/orders"))
	series := streamSeries()
	feed(d, "stream/orders", series, nil)
	views = append(views, d.m.View())
	for _, v := range views {
		if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\x1b[2J") {
			t.Fatalf("an escape from data reached the screen: %q", v)
		}
		for i := 0; i < len(v); i++ {
			if v[i] == 0x1b && (i+1 >= len(v) || v[i+1] != '[') {
				t.Fatalf("a bare ESC at %d", i)
			}
		}
	}
	if s := ansi.Strip(views[0]); !strings.Contains(s, `AccessDenied: \x1b]52;c;aGk=\x07`) {
		t.Errorf("the error is not shown inert:\n%s", s)
	}
}
