package archives

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// movable is a clock that stands still until the test advances it.
type movable struct{ at time.Time }

func (c *movable) now() time.Time          { return c.at }
func (c *movable) advance(d time.Duration) { c.at = c.at.Add(d) }

// archiveOne archives one more event of the consumer and returns its key.
func (sc *scene) archiveOne(i int) string {
	sc.t.Helper()
	// A later arrival than the events before, so that it sorts above them.
	time.Sleep(5 * time.Millisecond)
	sc.fail(i)
	sum, err := hydrate.Queue(sc.ctx, sc.s, sc.dlqURL, hydrate.Options{Archive: loc, DLQ: "orders-dlq"})
	if err != nil || sum.Hydrated != 1 {
		sc.t.Fatalf("hydrate: %+v %v", sum, err)
	}
	key := sum.Results[0].Keys[0]
	sc.keys = append(sc.keys, key)
	return key
}

// listObjects matches an S3 ListObjectsV2.
func listObjects(r faultproxy.Request) bool { return r.Query.Get("list-type") == "2" }

// liveEvents opens the events of the hour through d, on a clock the test
// moves.
func liveEvents(t *testing.T, s *backend.Session, sc *scene) (*Model, *viewtest.Driver, *movable) {
	t.Helper()
	clk := &movable{at: time.Now()}
	m := New(newCommon(s, sc.cfg, 160, 40, true), WithClock(clk.now))
	d := viewtest.NewDriver(t, m)
	d.Run(m.Init())
	d.Press("enter")
	d.Press("enter")
	d.Press("enter")
	if m.level != levelEvents || m.events.Len() == 0 {
		t.Fatalf("level %v, events %+v", m.level, m.events.Rows())
	}
	viewtest.Take[common.SucceededMsg](d)
	return m, d, clk
}

// TestAutoRefreshShowsAnEventArchivedSince: the hour's events are listed
// again when due, without ctrl+r, by one listing of the hour (and one of
// its manifests), and the header says how old the list is. Before, the
// list stayed as it was first read.
func TestAutoRefreshShowsAnEventArchivedSince(t *testing.T) {
	sc := newScene(t, 1)
	p := faultproxy.Start(t, sc.e.URL)
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	m, d, clk := liveEvents(t, s, sc)
	header := func() string { return ansi.Strip(m.header()) }
	clk.advance(12 * time.Second)
	d.Send(common.AutoRefreshMsg{})
	if h := header(); !strings.Contains(h, "updated 12s ago") {
		t.Fatalf("header %q", h)
	}
	newer := sc.archiveOne(1)
	gets := len(p.Seen(func(r faultproxy.Request) bool { return r.Service == "s3" && r.Method == "GET" && !listObjects(r) }))
	before := len(p.Seen(listObjects))
	clk.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	rows := m.events.Rows()
	if len(rows) != 2 || rows[0].ID != newer {
		t.Fatalf("after the refresh tick the events are %+v, want %s first", rows, newer)
	}
	if n := len(p.Seen(listObjects)) - before; n > 2 {
		t.Errorf("the refresh listed %d times, want the hour's events and its manifests", n)
	}
	if n := len(p.Seen(func(r faultproxy.Request) bool { return r.Service == "s3" && r.Method == "GET" && !listObjects(r) })) - gets; n != 0 {
		t.Errorf("the refresh read %d objects", n)
	}
	if len(viewtest.Take[common.SucceededMsg](d)) == 0 {
		t.Error("a good refresh sent no SucceededMsg")
	}
	clk.advance(5 * time.Second)
	d.Send(common.AutoRefreshMsg{})
	if h := header(); !strings.Contains(h, "updated 5s ago") {
		t.Fatalf("header %q", h)
	}

	// Hidden, the tab reads nothing; shown again when due, at once.
	d.Send(common.FocusMsg{Focused: false})
	before = len(p.Seen(listObjects))
	sc.archiveOne(2)
	clk.advance(common.RefreshEvery)
	if n := len(p.Seen(listObjects)) - before; n != 0 {
		t.Fatalf("hidden, the tab listed %d times", n)
	}
	d.Send(common.FocusMsg{Focused: true})
	if n := m.events.Len(); n != 3 {
		t.Fatalf("shown again: %d events, want 3", n)
	}
}

// TestDeniedRefreshKeepsTheEventsAndSaysWhy: S3 denies the listing on a
// refresh; the rows stay, the tab's header says the refresh failed and
// AWS's reason, the status bar hears nothing; the next good refresh
// clears it. Before, the error went to the status bar.
func TestDeniedRefreshKeepsTheEventsAndSaysWhy(t *testing.T) {
	sc := newScene(t, 2)
	p := faultproxy.Start(t, sc.e.URL)
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	m, d, clk := liveEvents(t, s, sc)
	want := m.events.Rows()
	p.Add(&faultproxy.Rule{Service: "s3", Match: listObjects, Fault: faultproxy.Fault{Status: 403, Code: "AccessDenied",
		Message: "User: arn:aws:iam::000000000000:user/test is not authorized to perform: s3:ListBucket\u009b2J\u202e"}})
	clk.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	clk.advance(3 * time.Second)
	d.Send(common.AutoRefreshMsg{})
	if got := m.events.Rows(); len(got) != len(want) || got[0].ID != want[0].ID {
		t.Fatalf("a denied refresh changed the events to %+v", got)
	}
	view := viewtest.CheckView(t, m.View(), 160, 40)
	flat := strings.Join(strings.Fields(view), " ") // the banner wraps
	if strings.ContainsAny(m.View(), "\u009b\u202e") {
		t.Error("AWS's message reaches the screen raw")
	}
	for _, s := range []string{"refresh failed 3s ago, showing what was read 33s ago", "AccessDenied", "not authorized to perform: s3:ListBucket"} {
		if !strings.Contains(flat, s) {
			t.Errorf("the tab does not say %q:\n%s", s, view)
		}
	}
	for _, st := range viewtest.Take[common.StatusMsg](d) {
		t.Errorf("status bar got %q: the list's failure belongs in the tab", st.Text)
	}
	if len(viewtest.Take[common.SucceededMsg](d)) != 0 {
		t.Error("a failed refresh sent SucceededMsg")
	}

	p.Clear()
	clk.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	view = viewtest.CheckView(t, m.View(), 160, 40)
	if strings.Contains(view, "failed") || !strings.Contains(view, "updated just now") {
		t.Fatalf("the good refresh did not clear the failure:\n%s", view)
	}
	if len(viewtest.Take[common.SucceededMsg](d)) == 0 {
		t.Error("a good refresh sent no SucceededMsg")
	}

	// The hours, shown again, are due; their refresh fails the same way.
	p.Add(&faultproxy.Rule{Service: "s3", Match: listObjects, Fault: faultproxy.Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied"}})
	d.Press("esc")
	hours := m.hours.Rows()
	d.Send(common.AutoRefreshMsg{})
	if got := m.hours.Rows(); m.level != levelHours || len(got) != len(hours) || len(got) == 0 {
		t.Fatalf("level %v, hours %+v after a denied refresh, had %+v", m.level, got, hours)
	}
	view = viewtest.CheckView(t, m.View(), 160, 40)
	if !strings.Contains(view, "refresh failed just now") || !strings.Contains(view, "✗ archive of orders-to-api") || !strings.Contains(view, "AccessDenied: Access Denied") {
		t.Errorf("the hours' failure is not said:\n%s", view)
	}
	for _, st := range viewtest.Take[common.StatusMsg](d) {
		t.Errorf("status bar got %q", st.Text)
	}
}

// TestRefreshKeepsTheCursorOnItsEvent: a refresh that lists a newer event
// above the one under the cursor leaves the cursor on that event.
func TestRefreshKeepsTheCursorOnItsEvent(t *testing.T) {
	sc := newScene(t, 2)
	m, d, clk := liveEvents(t, sc.s, sc)
	d.Press("g") // the newest
	r, ok := m.events.Selected()
	if !ok {
		t.Fatal("no event selected")
	}
	sc.archiveOne(2)
	clk.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	if n := m.events.Len(); n != 3 {
		t.Fatalf("after the refresh tick %d events, want 3", n)
	}
	if got, _ := m.events.Selected(); got.ID != r.ID {
		t.Fatalf("the cursor moved from %s to %s", r.ID, got.ID)
	}
}

// TestFailedDetailReadStaysInThePane: an event that cannot be read is
// said in the detail pane that asked for it, with AWS's answer, not in
// the status bar with the pane closed.
func TestFailedDetailReadStaysInThePane(t *testing.T) {
	sc := newScene(t, 1)
	p := faultproxy.Start(t, sc.e.URL)
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	m, d, _ := liveEvents(t, s, sc)
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool { return r.Method == "GET" && !listObjects(r) },
		Fault: faultproxy.Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied by a bucket policy"}})
	d.Press("enter")
	if !m.split.Open() {
		t.Fatal("the detail pane closed on a failed read")
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"event not read", "AccessDenied", "Access Denied by a bucket policy"} {
		if !strings.Contains(view, want) {
			t.Errorf("the pane lacks %q:\n%s", want, view)
		}
	}
	if st := viewtest.Take[common.StatusMsg](d); len(st) != 0 {
		t.Errorf("the failure went to the status bar: %+v", st)
	}
}
