package archives

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/views/viewtest"
)

// countScene is the tab over 5 archived events with counts listed 2 keys
// a call, its driver holding back each page's answer until the test
// hands it over.
type countScene struct {
	t    *testing.T
	m    *Model
	d    *viewtest.Driver
	held []hourCountMsg
}

func newCountScene(t *testing.T) *countScene {
	sc := newScene(t, 5)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true), WithCountPage(2))
	cs := &countScene{t: t, m: m}
	cs.d = viewtest.NewDriver(t, m)
	cs.d.Update = func(msg tea.Msg) tea.Cmd {
		if hc, ok := msg.(hourCountMsg); ok {
			cs.held = append(cs.held, hc)
			return nil
		}
		_, cmd := m.Update(msg)
		return cmd
	}
	cs.d.Run(m.Init())
	return cs
}

// release hands over the page answers held, in order.
func (cs *countScene) release() {
	cs.t.Helper()
	held := cs.held
	cs.held = nil
	if len(held) != 1 {
		cs.t.Fatalf("%d pages in flight, want one at a time", len(held))
	}
	_, cmd := cs.m.Update(held[0])
	cs.d.Run(cmd)
}

func (cs *countScene) dayCount() string {
	rows := cs.m.days.Rows()
	if len(rows) != 1 {
		cs.t.Fatalf("days %+v", rows)
	}
	return rows[0].Cells[2]
}

// TestCountsArePartialThenCompleteAndStopOffScreen: the day on screen
// is counted a page at a time: "≥ 2…", "≥ 4…", then 5; its hour reuses
// the count without a call. A count whose level leaves the screen stops,
// and starts again when it is back.
func TestCountsArePartialThenCompleteAndStopOffScreen(t *testing.T) {
	cs := newCountScene(t)
	cs.d.Press("enter") // the consumer's days
	if got := cs.dayCount(); got != "-" || len(cs.held) != 1 {
		t.Fatalf("before the first page: %q, %d pages asked", got, len(cs.held))
	}
	// Leave before the page answers: its answer is dropped.
	cs.d.Press("esc")
	stale := cs.held
	cs.held = nil
	_, cmd := cs.m.Update(stale[0])
	cs.d.Run(cmd)
	if len(cs.held) != 0 || len(cs.m.counts.byHour) != 0 {
		t.Fatalf("off screen: %d pages asked, counts %+v", len(cs.held), cs.m.counts.byHour)
	}
	cs.d.Press("enter")
	for _, want := range []string{"≥ 2…", "≥ 4…", "5"} {
		cs.release()
		if got := cs.dayCount(); got != want {
			t.Fatalf("day count %q, want %q", got, want)
		}
	}
	if len(cs.held) != 0 {
		t.Fatal("a complete count asked for more")
	}
	if v := ansi.Strip(cs.m.View()); !strings.Contains(v, "EVENTS") {
		t.Errorf("no EVENTS column:\n%s", v)
	}
	cs.d.Press("enter") // the day's hours
	if rows := cs.m.hours.Rows(); len(rows) != 1 || rows[0].Cells[1] != "5" || len(cs.held) != 0 {
		t.Fatalf("hours %+v, %d pages asked", rows, len(cs.held))
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 12345: "12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("%d: %q", n, got)
		}
	}
}
