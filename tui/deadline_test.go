package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/views/common"
)

func nearDeadline(m *Model, left time.Duration, exact bool) common.DeadlineMsg {
	return common.DeadlineMsg{Gen: m.Env().Gen, Found: true, Queue: deadline.Queue{
		Queue: "orders-dlq", URL: "http://127.0.0.1:4577/000000000000/orders-dlq", Exact: exact, At: time.Now().Add(left)}}
}

// The nearest deadline under the warning threshold is said in the status
// bar on every tab, naming the queue and the key that hydrates it; the
// key opens the DLQs tab on that queue with the hydrate intent.
func TestDeadlineWarningOnAnyTab(t *testing.T) {
	m, probes := newApp(t, false)
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	m.Update(nearDeadline(m, 45*time.Minute+30*time.Second, true))
	for _, tab := range []string{"1", "4", "5"} {
		press(m, tab)
		bar := ansi.Strip(m.statusBar())
		if !strings.Contains(bar, "orders-dlq: records lost in 45m · ctrl+g hydrate") {
			t.Fatalf("tab %s: status bar %q", tab, bar)
		}
	}
	cmd := m.handleKey(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl})
	if cmd == nil {
		t.Fatal("ctrl+g did nothing")
	}
	open, ok := cmd().(common.OpenMsg)
	if !ok || open.Tab != common.DLQTab || !strings.HasSuffix(open.Target, "/orders-dlq") {
		t.Fatalf("ctrl+g sent %+v", open)
	}
	if _, ok := open.Extra.(common.HydrateNearest); !ok {
		t.Fatalf("ctrl+g without the hydrate intent: %+v", open)
	}
	m.Update(open)
	if m.Active().ID() != common.DLQTab {
		t.Fatalf("active tab %v", m.Active().ID())
	}
	dlqTab := probes[common.DLQTab-common.StreamsTab]
	if got := dlqTab.got[len(dlqTab.got)-1]; got != tea.Msg(open) {
		t.Errorf("the DLQs tab got %+v", got)
	}

	// A fresh failure outranks the warning until the next key.
	m.Update(common.StatusMsg{Text: "list streams: denied", Level: common.Failure})
	if bar := ansi.Strip(m.statusBar()); strings.Contains(bar, "orders-dlq") {
		t.Errorf("the warning hid a failure: %q", bar)
	}
	// Hydrated: the tab says there is none, and the warning goes.
	m.Update(common.DeadlineMsg{Gen: m.Env().Gen})
	m.Update(common.StatusMsg{})
	if bar := ansi.Strip(m.statusBar()); strings.Contains(bar, "orders-dlq") {
		t.Errorf("the warning stayed: %q", bar)
	}
	if cmd := m.handleKey(tea.KeyPressMsg{Code: 'g', Mod: tea.ModCtrl}); cmd == nil {
		t.Error("ctrl+g with nothing near says nothing")
	} else if st, ok := cmd().(common.StatusMsg); !ok || !strings.Contains(st.Text, "no DLQ deadline is near") {
		t.Errorf("ctrl+g with nothing near: %+v", st)
	}
}

// Far deadlines, bounds already past (nothing known) and deadlines of an
// older session raise no warning.
func TestNoDeadlineWarning(t *testing.T) {
	m, _ := newApp(t, false)
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	for name, msg := range map[string]common.DeadlineMsg{
		"far":          nearDeadline(m, 7*time.Hour, true),
		"bound passed": nearDeadline(m, -time.Minute, false),
		"old session":  {Gen: m.Env().Gen - 1, Found: true, Queue: nearDeadline(m, time.Minute, true).Queue},
	} {
		m.deadline = common.DeadlineMsg{}
		m.Update(msg)
		if bar := ansi.Strip(m.statusBar()); strings.Contains(bar, "orders-dlq") {
			t.Errorf("%s: %q", name, bar)
		}
	}
	m.Update(nearDeadline(m, 3*time.Hour, false))
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "orders-dlq: records may be lost in 2h59m (a bound: browse to know)") {
		t.Errorf("bound under the warning threshold: %q", bar)
	}
}

// At 80 columns, read-only, on an engine with its endpoint shown, the
// warning still names the queue, the time left and the key: the
// endpoint yields to it, and the warning takes its short form.
func TestDeadlineWarningAt80Columns(t *testing.T) {
	m, _ := newApp(t, true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(nearDeadline(m, 5*time.Hour+10*time.Minute, false))
	bar := ansi.Strip(m.statusBar())
	for _, want := range []string{"READ-ONLY", "orders-dlq", "≥5h", "ctrl+g"} {
		if !strings.Contains(bar, want) {
			t.Errorf("status bar %q lacks %q", bar, want)
		}
	}
	if w := ansi.StringWidth(bar); w > 80 {
		t.Errorf("status bar %d cells wide", w)
	}
}
