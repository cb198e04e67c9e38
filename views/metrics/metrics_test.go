package metrics

import (
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/common"
)

// world is two streams, a pipe reading alpha with a DLQ, and a queue that
// is no DLQ.
func world(t *testing.T) *backend.Session {
	t.Helper()
	s, e := backendtest.Open(t)
	alpha := inventorytest.Stream(t, e, "alpha", 1)
	inventorytest.Stream(t, e, "beta", 1)
	_, dlqARN := inventorytest.Queue(t, e, "alpha-dlq", nil)
	_, targetARN := inventorytest.Queue(t, e, "plain", nil)
	inventorytest.Pipe(t, e, "alpha-pipe", alpha, targetARN, dlqARN, nil)
	return s
}

func loaded(t *testing.T, s *backend.Session) *driver {
	t.Helper()
	d := newDriver(t, s, 120, 40, true)
	d.Run(d.m.Init())
	return d
}

func TestListsStreamsDLQsAndPipesAndChartsTheSelected(t *testing.T) {
	d := loaded(t, world(t))
	want := []string{"stream/alpha", "stream/beta", "queue/alpha-dlq", "pipe/alpha-pipe"}
	if got := d.ids(); !slices.Equal(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	if f := d.failures(); len(f) > 0 {
		t.Fatalf("failures: %v", f)
	}
	dd := d.m.data["stream/alpha"]
	if dd == nil || dd.loading || dd.err != "" || len(dd.series) == 0 {
		t.Fatalf("alpha's metrics: %+v", dd)
	}
	if got := dd.end.Sub(dd.start); got != time.Hour || !dd.end.Equal(t0) {
		t.Errorf("range %v ending %v", got, dd.end)
	}
	// Moving reads the next one's.
	d.Press("j", "j")
	if dd := d.m.data["queue/alpha-dlq"]; dd == nil || dd.loading || dd.err != "" {
		t.Fatalf("the DLQ's metrics: %+v", dd)
	}
}

func TestSelectionSurvivesRefresh(t *testing.T) {
	d := loaded(t, world(t))
	d.Press("j", "j", "j")
	if d.selected() != "pipe/alpha-pipe" {
		t.Fatalf("selected %s", d.selected())
	}
	d.Send(common.RefreshMsg{})
	if d.selected() != "pipe/alpha-pipe" {
		t.Fatalf("after refresh %s", d.selected())
	}
}

func TestOpenSelectsByKindOrBareName(t *testing.T) {
	d := newDriver(t, world(t), 120, 40, true)
	d.Send(common.OpenMsg{Tab: common.MetricsTab, Target: "queue/alpha-dlq"})
	d.Run(d.m.Init())
	if d.selected() != "queue/alpha-dlq" {
		t.Fatalf("selected %s", d.selected())
	}
	d.Send(common.OpenMsg{Tab: common.MetricsTab, Target: "alpha-pipe"})
	if d.selected() != "pipe/alpha-pipe" {
		t.Fatalf("bare name: selected %s", d.selected())
	}
	d.Send(common.OpenMsg{Tab: common.MetricsTab, Target: "beta"})
	if d.selected() != "stream/beta" {
		t.Fatalf("bare stream: selected %s", d.selected())
	}
	// A queue no list holds is added: its metrics can still be read.
	d.Send(common.OpenMsg{Tab: common.MetricsTab, Target: "queue/plain"})
	if d.selected() != "queue/plain" || !slices.Contains(d.ids(), "queue/plain") {
		t.Fatalf("extra queue: selected %s of %v", d.selected(), d.ids())
	}
	d.Send(common.OpenMsg{Tab: common.MetricsTab, Target: "nothing-by-this-name"})
	if d.selected() != "queue/plain" {
		t.Fatalf("an unknown name moved the cursor to %s", d.selected())
	}
}

func TestSessionSwitchResets(t *testing.T) {
	d := loaded(t, world(t))
	stale := d.m.fetch("stream/alpha") // in flight when the session changes

	s2, e2 := backendtest.Open(t)
	inventorytest.Stream(t, e2, "other", 1)
	d.m.c.Env = &common.Env{Session: s2, Gen: 2} // as the root does
	_, cmd := d.m.Update(common.SessionMsg{})
	if len(d.ids()) != 0 || len(d.m.data) != 0 {
		t.Fatalf("kept across sessions: %v %v", d.ids(), d.m.data)
	}
	d.Run(cmd)
	d.Run(stale)
	if got := d.ids(); !slices.Equal(got, []string{"stream/other"}) {
		t.Fatalf("rows = %v", got)
	}
	if _, ok := d.m.data["stream/alpha"]; ok {
		t.Fatal("a stale reply was kept")
	}
}

func TestRangeCyclesAndRefetches(t *testing.T) {
	d := loaded(t, world(t))
	want := []string{"3h", "12h", "1d", "7d", "15m", "1h"}
	for _, w := range want {
		d.Press("T")
		if got := d.m.Range().Label; got != w {
			t.Fatalf("range %s, want %s", got, w)
		}
		dd := d.m.data["stream/alpha"]
		if dd == nil || dd.rng != d.m.rng || dd.end.Sub(dd.start) != d.m.Range().Dur {
			t.Fatalf("%s: data %+v", w, dd)
		}
	}
}

func TestAutoRefreshTicksAndStaleTicksDie(t *testing.T) {
	d := loaded(t, world(t))
	if len(d.ticks) != 1 || d.ticks[0].after != time.Minute {
		t.Fatalf("ticks after init = %+v", d.ticks)
	}
	first := d.ticks[0].msg
	fetch := d.m.data["stream/alpha"].fetch
	// The tick refetches the selected resource and schedules the next.
	d.Send(first)
	if got := d.m.data["stream/alpha"].fetch; got == fetch {
		t.Fatal("the tick did not refetch")
	}
	if len(d.ticks) != 2 {
		t.Fatalf("ticks = %d", len(d.ticks))
	}
	// 15 minutes ticks every 15 s; the older schedule's tick dies.
	for d.m.Range().Label != "15m" {
		d.Press("T")
	}
	last := d.ticks[len(d.ticks)-1]
	if last.after != 15*time.Second {
		t.Fatalf("15m ticks every %v", last.after)
	}
	fetch = d.m.data["stream/alpha"].fetch
	n := len(d.ticks)
	d.Send(d.ticks[1].msg) // from the 1h schedule
	if d.m.data["stream/alpha"].fetch != fetch || len(d.ticks) != n {
		t.Fatal("a stale tick was obeyed")
	}
	// A turns it off: no tick is scheduled, the pending one dies.
	d.Press("A")
	if d.m.Auto() || len(d.ticks) != n {
		t.Fatalf("auto %v, ticks %d", d.m.Auto(), len(d.ticks))
	}
	d.Send(last.msg)
	if d.m.data["stream/alpha"].fetch != fetch {
		t.Fatal("a tick refreshed with auto-refresh off")
	}
	d.Press("A")
	if !d.m.Auto() || len(d.ticks) != n+1 {
		t.Fatalf("auto back on: %v, ticks %d", d.m.Auto(), len(d.ticks))
	}
}

func TestCompletionsOfferQueuesAndPipes(t *testing.T) {
	d := loaded(t, world(t))
	if got := d.m.Completions("metrics"); !slices.Equal(got, []string{"pipe/alpha-pipe", "queue/alpha-dlq"}) {
		t.Fatalf("completions = %v", got)
	}
	if d.m.Completions("tail") != nil {
		t.Fatal("completes tail")
	}
}

func TestAHiddenTabReadsNothingUntilShown(t *testing.T) {
	d := loaded(t, world(t))
	d.Send(common.FocusMsg{Focused: false})
	fetch := d.m.data["stream/alpha"].fetch
	d.Send(d.ticks[len(d.ticks)-1].msg)
	if d.m.data["stream/alpha"].fetch != fetch {
		t.Fatal("a hidden tab read CloudWatch on its tick")
	}
	d.Send(common.FocusMsg{Focused: true})
	if d.m.data["stream/alpha"].fetch == fetch {
		t.Fatal("shown again, the stale series was not read")
	}
}
