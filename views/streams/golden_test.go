package streams

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/viewtest"
)

// hour is a last hour of one-minute points shaped by f; f returning NaN
// leaves a gap.
func hour(f func(i int) float64) []chart.Point {
	var out []chart.Point
	for i := range 60 {
		v := f(i)
		if math.IsNaN(v) {
			continue
		}
		out = append(out, chart.Point{Time: t0.Add(-time.Hour + time.Duration(i)*time.Minute), Value: v})
	}
	return out
}

// fed is a tab with no session, fed the messages its commands would
// produce: fixed streams, metrics and DLQ depths.
func fed(t *testing.T, w, h int, dark bool) *Model {
	t.Helper()
	m := newTab(t, nil, w, h, dark)
	m.Init()
	stamp := m.stamp()
	names := []string{"audit", "clicks", "orders", "payments-events-with-a-rather-long-name-to-cut"}
	m.Update(pageMsg{Stamp: stamp, names: names})
	m.Update(describedMsg{Stamp: stamp, streams: []inventory.Stream{
		{Name: "audit", Mode: "PROVISIONED", Status: "CREATING", OpenShards: 1, RetentionHours: 24},
		{Name: "orders", Mode: "PROVISIONED", Status: "ACTIVE", OpenShards: 4, RetentionHours: 24},
		{Name: "payments-events-with-a-rather-long-name-to-cut", Mode: "ON_DEMAND", Status: "ACTIVE", OpenShards: 2, RetentionHours: 168},
	}, failed: map[string]error{"clicks": fmt.Errorf("describe stream clicks: AccessDeniedException")}})
	start, end := t0.Add(-time.Hour), t0
	m.Update(metricsMsg{Stamp: stamp, name: "orders", start: start, end: end,
		incoming: hour(func(i int) float64 { return math.Round(600 + 400*math.Sin(float64(i)/5)) }), iterAge: 1200, hasAge: true})
	m.Update(metricsMsg{Stamp: stamp, name: "payments-events-with-a-rather-long-name-to-cut", start: start, end: end,
		incoming: hour(func(i int) float64 {
			if i > 20 && i < 35 {
				return math.NaN()
			}
			return float64(i * 40)
		}), iterAge: 200000, hasAge: true})
	m.Update(metricsMsg{Stamp: stamp, name: "clicks", start: start, end: end, err: fmt.Errorf("throttled")})
	m.Update(dlqMsg{Stamp: stamp, depth: map[string]int{"orders": 3, "payments-events-with-a-rather-long-name-to-cut": 0}})
	return m
}

func TestGoldenStreams(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		viewtest.Golden(t, fed(t, w, h, true).View(), w, h)
	})
}

func TestGoldenCreateForm(t *testing.T) {
	m := fed(t, 80, 24, true)
	d := newDriver(t, m)
	// The form needs a writable session to open; pretend one through
	// the form directly, as the key would.
	m.openForm(m.createForm())
	d.Type("orders-replay")
	v := m.View()
	viewtest.Golden(t, v, 80, 24)
}

func TestViewFitsEverySize(t *testing.T) {
	m := fed(t, 80, 24, true)
	for w := 20; w <= 200; w += 13 {
		for h := 3; h <= 50; h += 7 {
			m.SetSize(w, h)
			viewtest.CheckView(t, m.View(), w, h)
		}
	}
}

func TestEscapesInDataStayInert(t *testing.T) {
	const evil = "\x1b]52;c;aGk=\x07"
	m := newTab(t, nil, 120, 20, true)
	stamp := m.stamp()
	m.Update(pageMsg{Stamp: stamp, names: []string{"evil" + evil, "ok"}})
	m.Update(describedMsg{Stamp: stamp, streams: []inventory.Stream{
		{Name: "evil" + evil, Mode: "PROVISIONED" + evil, Status: "ACTIVE\x1b[2J", OpenShards: 1, RetentionHours: 24},
	}})
	m.openForm(m.createForm())
	newDriver(t, m).Send(pasteMsg(evil))
	v := m.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\x1b[2J") {
		t.Fatalf("an escape from data reached the screen: %q", v)
	}
	for i := 0; i < len(v); i++ {
		if v[i] == 0x1b && (i+1 >= len(v) || v[i+1] != '[') {
			t.Fatalf("a bare ESC at %d: %q", i, v[i:min(i+12, len(v))])
		}
	}
	if !strings.Contains(ansi.Strip(v), `evil\x1b]52;c;aGk=\x07`) {
		t.Errorf("the name is not shown inert:\n%s", ansi.Strip(v))
	}
}

func TestAHugeOneLinePasteNeitherWrapsNorStalls(t *testing.T) {
	m := fed(t, 80, 24, true)
	m.openForm(m.createForm())
	newDriver(t, m).Send(pasteMsg(strings.Repeat("x", 1<<20)))
	v := m.View()
	viewtest.CheckView(t, v, 80, 24)
}
