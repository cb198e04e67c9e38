package dlq

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
	"github.com/sluicehq/sluice/views/viewtest"
)

// lastDeadline is the latest nearest deadline the tab told the root.
func lastDeadline(t *testing.T, out []any) common.DeadlineMsg {
	t.Helper()
	var got []common.DeadlineMsg
	for _, msg := range out {
		if d, ok := msg.(common.DeadlineMsg); ok {
			got = append(got, d)
		}
	}
	if len(got) == 0 {
		t.Fatalf("the tab told the root no deadline: %+v", out)
	}
	return got[len(got)-1]
}

// A DLQ whose records arrived 23 h ago on a 24 h stream: browsed, it
// shows a deadline under an hour, the row turns red, and the root is told
// to warn; once hydrated, the deadline is gone and the warning with it.
func TestDeadlineUnderAnHourThenHydrated(t *testing.T) {
	sc := newScene(t, 0)
	sc.age = 23 * time.Hour
	sc.fail(0)
	m := New(newCommon(sc.s, 160, 30, true))
	drive(t, m, m.Init())

	d := viewtest.NewDriver(t, m)
	d.Press("enter")
	out := make([]any, len(d.Out))
	for i, msg := range d.Out {
		out[i] = msg
	}
	warn := lastDeadline(t, out)
	now := time.Now()
	if !warn.Found || warn.Queue.Queue != "orders-dlq" || !warn.Queue.Exact || warn.Queue.Left(now) >= time.Hour || warn.Queue.Left(now) < 50*time.Minute {
		t.Fatalf("deadline told the root %+v: want orders-dlq, exact, under an hour", warn)
	}
	if text, ok := common.DeadlineWarning(warn.Queue, m.env().Thresholds(), now); !ok || !strings.Contains(text, "orders-dlq: records lost in 5") {
		t.Errorf("warning %q %v", text, ok)
	}
	rows := m.msgs.Rows()
	if len(rows) != 1 || rows[0].Tone != table.Bad || !strings.HasSuffix(rows[0].Cells[3], "m") || !strings.HasPrefix(rows[0].Cells[3], "5") {
		t.Fatalf("message rows %+v: want the deadline (5xm) in red", rows)
	}
	press(t, m, "esc")
	if r := m.list.Rows(); len(r) != 1 || r[0].Tone != table.Bad || !strings.HasPrefix(r[0].Cells[4], "5") {
		t.Fatalf("list rows %+v", r)
	}
	if view := ansi.Strip(m.View()); !strings.Contains(view, "DEADLINE") {
		t.Errorf("view:\n%s", view)
	}

	d = viewtest.NewDriver(t, m)
	d.Press("H")
	cs := viewtest.Of[common.ConfirmRequest](d.Out)
	if len(cs) != 1 {
		t.Fatalf("no hydrate confirmation: %+v", d.Out)
	}
	d = viewtest.NewDriver(t, m)
	d.Run(cs[0].OnYes)
	out = out[:0]
	for _, msg := range d.Out {
		out = append(out, msg)
	}
	if after := lastDeadline(t, out); after.Found {
		t.Fatalf("after hydrate the root is still told %+v", after)
	}
	if got := m.deadlines["orders-dlq"]; got.Known() || got.Text(time.Now()) != "-" {
		t.Errorf("after hydrate: %+v", got)
	}
	if v, h := sc.counts(sc.queueURL); v != 0 || h != 0 {
		t.Errorf("queue after hydrate: %d visible, %d hidden", v, h)
	}
}

// The status bar's hydrate key opens the queue warned of and, its browse
// kept, asks to hydrate it.
func TestHydrateNearestOpensAndAsks(t *testing.T) {
	sc := newScene(t, 0)
	sc.age = 23 * time.Hour
	sc.fail(0)
	m := New(newCommon(sc.s, 160, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "esc")
	d := viewtest.NewDriver(t, m)
	d.Send(common.OpenMsg{Tab: common.DLQTab, Target: sc.queueURL, Extra: common.HydrateNearest{}})
	if m.level != levelBrowse || m.cur.name != "orders-dlq" {
		t.Fatalf("level %v, queue %q", m.level, m.cur.name)
	}
	cs := viewtest.Of[common.ConfirmRequest](d.Out)
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "orders-dlq") {
		t.Fatalf("confirmations %+v", d.Out)
	}
}

// Read-only: the hydrate key still opens the queue but refuses the
// hydration, asking nothing and leaving the message.
func TestHydrateNearestRefusedReadOnly(t *testing.T) {
	sc := newScene(t, 0)
	sc.age = 23 * time.Hour
	sc.fail(0)
	ro := backendtest.OpenOn(t, sc.e, backend.Env{ReadOnly: true})
	m := New(newCommon(ro, 160, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "esc")
	d := viewtest.NewDriver(t, m)
	d.Send(common.OpenMsg{Tab: common.DLQTab, Target: sc.queueURL, Extra: common.HydrateNearest{}})
	if cs := viewtest.Of[common.ConfirmRequest](d.Out); len(cs) != 0 {
		t.Fatalf("read-only asked to hydrate: %+v", cs)
	}
	st := viewtest.Of[common.StatusMsg](d.Out)
	if len(st) != 1 || !strings.Contains(st[0].Text, "refused") {
		t.Fatalf("statuses %+v: want the refusal", st)
	}
	if v, h := sc.counts(sc.queueURL); v != 1 || h != 0 {
		t.Errorf("queue: %d visible, %d hidden", v, h)
	}
}
