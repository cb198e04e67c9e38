package archives

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
	"github.com/sluicehq/sluice/views/viewtest"
)

// drillToEvents opens the consumer, its newest day and its newest hour.
func drillToEvents(t *testing.T, m *Model) {
	t.Helper()
	drive(t, m, m.Init())
	if r, ok := m.consumers.Selected(); !ok || r.ID != "orders-to-api" {
		t.Fatalf("consumers %+v", m.consumers.Rows())
	}
	press(t, m, "enter")
	if m.level != levelDays || m.days.Len() == 0 {
		t.Fatalf("days: level %v, %+v", m.level, m.days.Rows())
	}
	press(t, m, "enter")
	if m.level != levelHours || m.hours.Len() == 0 {
		t.Fatalf("hours: level %v, %+v", m.level, m.hours.Rows())
	}
	press(t, m, "enter")
	if m.level != levelEvents {
		t.Fatalf("level %v", m.level)
	}
}

func TestDrillDownFindsTheHydratedEvent(t *testing.T) {
	sc := newScene(t, 1)
	m := New(newCommon(sc.s, sc.cfg, 160, 40, true))
	drillToEvents(t, m)
	rows := m.events.Rows()
	if len(rows) != 1 || rows[0].ID != sc.keys[0] || rows[0].Cells[1] != "customer-0" {
		t.Fatalf("events %+v, keys %v", rows, sc.keys)
	}
	view := ansi.Strip(m.View())
	p, _, _ := archive.ParseKey(loc.Prefix, sc.keys[0])
	for _, want := range []string{"Archives › orders-to-api › " + p.Arrival.UTC().Format("2006-01-02") + " › " + p.Arrival.UTC().Format("15:00") + " UTC", "customer-0", "waiting"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// The detail holds the data and the failure context.
	press(t, m, "enter")
	view = ansi.Strip(m.View())
	for _, want := range []string{"event " + p.ID, `"orderId": "o-0"`, "condition RetryAttemptsExhausted", "dlq orders-dlq", "message id", "hydrated at", "consumer arn " + pipeARN} {
		if !strings.Contains(view, want) {
			t.Errorf("detail lacks %q:\n%s", want, view)
		}
	}
	out := press(t, m, "t")
	var tr common.TraceMsg
	for _, x := range out {
		if v, ok := x.(common.TraceMsg); ok {
			tr = v
		}
	}
	if tr.Request.EventID != p.ID || tr.Request.StreamARN != streamARN || tr.Request.SequenceNumber == "" || tr.Request.ShardID == "" {
		t.Fatalf("trace %+v", tr)
	}
	// esc climbs back up, one level at a time.
	for _, want := range []level{levelEvents, levelHours, levelDays, levelConsumers} {
		press(t, m, "esc")
		if m.level != want || m.split.Open() {
			t.Fatalf("esc: level %v, want %v", m.level, want)
		}
	}
	if got := m.Completions("archives"); len(got) != 1 || got[0] != "orders-to-api" {
		t.Errorf("completions %v", got)
	}
}

func TestReplayOneAsksWithTargetAndIdempotencyKeyThenMarks(t *testing.T) {
	sc := newScene(t, 1)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drillToEvents(t, m)
	p, _, _ := archive.ParseKey(loc.Prefix, sc.keys[0])
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "r"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	text := strings.Join(cs[0].Lines, "\n")
	if !strings.Contains(text, "Target:          "+replayARN) || !strings.Contains(text, "Idempotency key: "+p.ID) || cs[0].TypeToConfirm != "" {
		t.Fatalf("confirmation:\n%s", text)
	}
	if len(sc.replayed()) != 0 {
		t.Fatal("sent before yes")
	}
	out := drive(t, m, cs[0].OnYes)
	if st := viewtest.Of[common.StatusMsg](out); len(st) == 0 || st[0].Level != common.Success || !strings.Contains(st[0].Text, "accepted") || !strings.Contains(st[0].Text, "marked replayed") {
		t.Fatalf("statuses %+v", st)
	}
	got := sc.replayed()
	if got[p.ID] != `{"orderId":"o-0"}` {
		t.Fatalf("target received %v", got)
	}
	if len(m.events.Rows()) != 0 {
		t.Fatalf("the replayed event is still waiting: %+v", m.events.Rows())
	}
	// x shows the replayed copies with their result.
	press(t, m, "x")
	rows := m.events.Rows()
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Cells[4], "accepted · ") || rows[0].Tone != table.Good {
		t.Fatalf("replayed rows %+v", rows)
	}
	// Marked by the manifest of the replay's batch, not a copy of its own.
	if len(sc.objects("failed/_replayed/_manifests/")) != 1 || len(sc.objects("failed/_replayed/")) != 1 {
		t.Fatalf("replayed records %v, want one manifest", sc.objects("failed/_replayed/"))
	}
}

func TestReplayManyAtTheHourLevelShowsProgressThenASummary(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "enter")
	if m.level != levelHours {
		t.Fatal("not at the hours")
	}
	sel, _ := m.hours.Selected()
	h, _ := time.Parse(time.RFC3339, sel.ID)
	want := 0
	for _, k := range sc.keys {
		if p, _, _ := archive.ParseKey(loc.Prefix, k); p.Arrival.Truncate(time.Hour).Equal(h) {
			want++
		}
	}
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "R"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	text := strings.Join(cs[0].Lines, "\n")
	if !strings.Contains(text, replayARN) || !strings.Contains(text, "the hour "+h.Format("2006-01-02 15:00")+" UTC (") || cs[0].TypeToConfirm != "" {
		t.Fatalf("confirmation:\n%s", text)
	}
	started := cs[0].OnYes()
	_, wait := m.Update(started)
	if m.job == nil || !strings.Contains(ansi.Strip(m.View()), "replay → arn:aws:sqs") {
		t.Fatalf("no progress bar:\n%s", ansi.Strip(m.View()))
	}
	out := drive(t, m, wait)
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) == 0 || st[0].Level != common.Success || !strings.Contains(st[0].Text, "sent, 0 failed") {
		t.Fatalf("statuses %+v", st)
	}
	if got := sc.replayed(); len(got) != want {
		t.Fatalf("target received %d, want %d", len(got), want)
	}
}

func TestMarkAndDelete(t *testing.T) {
	sc := newScene(t, 2)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drillToEvents(t, m)
	n := len(m.events.Rows())
	first, _ := m.events.Selected()
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "m"))
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "1 events replayed") && !strings.Contains(cs[0].Title, "1 event") {
		t.Fatalf("%+v", cs)
	}
	drive(t, m, cs[0].OnYes)
	if len(m.events.Rows()) != n-1 {
		t.Fatalf("after mark: %d rows", len(m.events.Rows()))
	}
	copies := sc.objects("failed/_replayed/")
	if len(copies) != 1 {
		t.Fatalf("copies %v", copies)
	}
	e, err := archive.Get(sc.ctx, sc.s, "archive", copies[0])
	if err != nil || e.Replay == nil || e.Replay.Target != "manual" || e.Replay.Result != "marked by operator" || e.ID != first.Cells[2] && !strings.HasPrefix(e.ID, first.Cells[2]) {
		t.Fatalf("copy %+v %v", e.Replay, err)
	}
	if len(sc.replayed()) != 0 {
		t.Fatal("mark sent something")
	}
	if n-1 > 0 {
		cs = viewtest.Of[common.ConfirmRequest](press(t, m, "d"))
		if len(cs) != 1 || cs[0].TypeToConfirm != "" {
			t.Fatalf("%+v", cs)
		}
		drive(t, m, cs[0].OnYes)
		if len(m.events.Rows()) != n-2 {
			t.Fatalf("after delete: %d rows", len(m.events.Rows()))
		}
	}
}

func TestJQAndPartitionKeyFilters(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drillToEvents(t, m)
	all := len(m.events.Rows())
	press(t, m, "J")
	if !m.Capturing() {
		t.Fatal("the jq input does not capture")
	}
	typeText(t, m, `.orderId == "o-1" or .orderId == "o-2"`)
	press(t, m, "enter")
	keys := map[string]bool{}
	for _, r := range m.events.Rows() {
		keys[r.Cells[1]] = true
	}
	if keys["customer-0"] || (all == 3 && len(keys) != 2) {
		t.Fatalf("jq rows %+v", m.events.Rows())
	}
	if !strings.Contains(ansi.Strip(m.View()), `jq .orderId == "o-1"`) {
		t.Errorf("header lacks the filter:\n%s", ansi.Strip(m.View()))
	}
	press(t, m, "J")
	m.Update(viewtest.Key("ctrl+u"))
	press(t, m, "enter")
	if m.jq != nil || len(m.events.Rows()) != all {
		t.Fatalf("jq not cleared: %d rows", len(m.events.Rows()))
	}
	press(t, m, "K")
	typeText(t, m, "customer-2")
	press(t, m, "enter")
	rows := m.events.Rows()
	for _, r := range rows {
		if r.Cells[1] != "customer-2" {
			t.Fatalf("partition key rows %+v", rows)
		}
	}
	if m.pk != "customer-2" {
		t.Fatal("no partition key")
	}
}

func TestRangeCyclesAndOpenMsg(t *testing.T) {
	sc := newScene(t, 1)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drive(t, m, m.Init())
	if Ranges[m.rangeIdx].Name != "all" {
		t.Fatal("the default range is not all")
	}
	press(t, m, "T")
	if Ranges[m.rangeIdx].Name != "1h" {
		t.Fatal("T did not cycle")
	}
	_, cmd := m.Update(common.OpenMsg{Tab: common.ArchivesTab, Target: "orders-to-api"})
	drive(t, m, cmd)
	if m.level != levelDays || m.cur.Name != "orders-to-api" || m.days.Len() != 1 {
		t.Fatalf("open: level %v, %+v", m.level, m.days.Rows())
	}
	// Before the list is in, the consumer waits for it.
	m2 := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	init := m2.Init()
	m2.Update(common.OpenMsg{Tab: common.ArchivesTab, Target: "orders-to-api"})
	drive(t, m2, init)
	if m2.level != levelDays || m2.days.Len() != 1 {
		t.Fatalf("pending open: level %v", m2.level)
	}
}

func TestReadOnlyOffersNoWrite(t *testing.T) {
	sc := newScene(t, 2)
	ro := backendtest.OpenOn(t, sc.e, backend.Env{ReadOnly: true})
	m := New(newCommon(ro, sc.cfg, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "enter")
	if cs := viewtest.Of[common.ConfirmRequest](press(t, m, "R")); len(cs) != 0 {
		t.Fatalf("R asked %+v", cs)
	}
	press(t, m, "enter")
	if len(m.events.Rows()) == 0 {
		t.Fatal("read-only listing failed")
	}
	for _, k := range []string{"r", "R", "m", "d", "space"} {
		if cs := viewtest.Of[common.ConfirmRequest](press(t, m, k)); len(cs) != 0 {
			t.Errorf("%s asked %+v", k, cs)
		}
	}
	press(t, m, "enter")
	for _, k := range []string{"r", "m", "d"} {
		if cs := viewtest.Of[common.ConfirmRequest](press(t, m, k)); len(cs) != 0 {
			t.Errorf("detail %s asked %+v", k, cs)
		}
	}
	for _, b := range m.ShortHelp() {
		for _, k := range b.Keys() {
			switch k {
			case "r", "R", "m", "d", "space":
				t.Errorf("help offers %q under read-only", k)
			}
		}
	}
	if len(sc.replayed()) != 0 || len(sc.objects("failed/_replayed/")) != 0 || len(sc.objects("failed/")) != 2 {
		t.Fatal("something was written")
	}
}

func TestBulkOverAHundredNeedsTheConsumerTyped(t *testing.T) {
	m := New(newCommon(&backend.Session{}, configWithTarget(), 80, 24, true))
	m.cur = consumer{Name: "orders-to-api", Archive: loc, Target: backend.Target{Kind: backend.TargetSQS, ARN: replayARN}}
	_, cmd := m.Update(countMsg{Stamp: m.sessionStamp(), What: "the day 2026-11-27", Count: 101})
	c, ok := cmd().(common.ConfirmRequest)
	if !ok || c.TypeToConfirm != "orders-to-api" || !strings.Contains(strings.Join(c.Lines, "\n"), "(101)") {
		t.Fatalf("%+v", c)
	}
	_, cmd = m.Update(countMsg{Stamp: m.sessionStamp(), What: "the day", Count: 100})
	if c := cmd().(common.ConfirmRequest); c.TypeToConfirm != "" {
		t.Fatalf("typed for 100")
	}
}

// TestJQRunsOffTheUIGoroutine: applying a filter answers at once with the
// events pending ("jq…"); the matching runs in the command it returns, and
// the matches of a filter replaced meanwhile are dropped.
func TestJQRunsOffTheUIGoroutine(t *testing.T) {
	sc := newScene(t, 2)
	m := New(newCommon(sc.s, sc.cfg, 120, 30, true))
	drillToEvents(t, m)
	press(t, m, "J")
	typeText(t, m, `.orderId == "o-0"`)
	press(t, m, "enter") // bodies fetched and matched
	if rows := m.events.Rows(); len(rows) != 1 || rows[0].Cells[1] != "customer-0" {
		t.Fatalf("first filter: %+v", rows)
	}
	press(t, m, "J")
	m.Update(viewtest.Key("ctrl+u"))
	typeText(t, m, `.orderId == "o-1"`)
	_, cmd := m.Update(viewtest.Key("enter"))
	pending := func() bool {
		rows := m.events.Rows()
		for _, r := range rows {
			if !strings.Contains(strings.Join(r.Cells, " "), "jq…") {
				return false
			}
		}
		return len(rows) == 2
	}
	if !pending() {
		t.Fatalf("rows decided inside Update: %+v", m.events.Rows())
	}
	// An answer of the filter replaced is dropped.
	stale := map[string]bool{}
	for k := range m.bodies {
		stale[k] = true
	}
	replaced := m.req.matches.Current(m.env())
	replaced.Gen--
	m.Update(matchesMsg{Stamp: replaced, Matches: stale})
	if !pending() {
		t.Fatalf("an older filter's matches were applied: %+v", m.events.Rows())
	}
	drive(t, m, cmd)
	if rows := m.events.Rows(); len(rows) != 1 || rows[0].Cells[1] != "customer-1" {
		t.Fatalf("rows after matching %+v", rows)
	}
}
