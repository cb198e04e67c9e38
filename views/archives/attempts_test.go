package archives

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
	"github.com/sluicehq/sluice/views/viewtest"
)

// TestFailedReplaysShowOnTheEventAfterARestart is the bug "a failed
// replay leaves no trace on the event": replays (one, then bulk) to a
// target answering 503 are seen by a new session in the row's LAST
// ATTEMPT and in the detail's history; a later accepted replay keeps them
// in the history of the replayed copy.
func TestFailedReplaysShowOnTheEventAfterARestart(t *testing.T) {
	sc := newScene(t, 2)
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", int(status.Load()))
	}))
	t.Cleanup(srv.Close)
	cfg := config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Archive: "s3://archive/failed/", ReplayTarget: srv.URL}}}

	m := New(newCommon(sc.s, cfg, 200, 40, true))
	drillToEvents(t, m)
	single, _ := m.selectedKey()
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "r"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	if st := viewtest.Of[common.StatusMsg](drive(t, m, cs[0].OnYes)); len(st) == 0 || st[0].Level != common.Failure {
		t.Fatalf("statuses %+v", st)
	}
	// Then both events, in bulk.
	cs = viewtest.Of[common.ConfirmRequest](press(t, m, "R"))
	if len(cs) != 1 {
		t.Fatal("no bulk confirmation")
	}
	_, wait := m.Update(cs[0].OnYes())
	if st := viewtest.Of[common.StatusMsg](drive(t, m, wait)); len(st) == 0 || !strings.Contains(st[0].Text, "0 sent, 2 failed") {
		t.Fatalf("bulk statuses %+v", st)
	}

	// A restart: a new session, a new tab.
	s2 := backendtest.OpenOn(t, sc.e, backend.Env{})
	m2 := New(newCommon(s2, cfg, 200, 40, true))
	drillToEvents(t, m2)
	rows := m2.events.Rows()
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		if r.Cells[4] != "waiting" || !strings.HasPrefix(r.Cells[5], "failed 503 · ") || r.Tone != table.Warn {
			t.Errorf("row %+v: want waiting, last attempt failed 503, in warning", r)
		}
	}
	if v := ansi.Strip(m2.View()); !strings.Contains(v, "LAST ATTEMPT") || !strings.Contains(v, "failed 503 · now") {
		t.Errorf("the list does not show the last attempt:\n%s", v)
	}
	// The first event (the one replayed alone too) has two attempts.
	m2.events.SetCursor(indexOf(m2.events.Rows(), single))
	press(t, m2, "enter")
	v := ansi.Strip(m2.View())
	for _, want := range []string{"attempt 1", "attempt 2", "failed 503 to " + srv.URL, "(4 tries)"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}

	// The target is back: the accepted replay marks it, and the replayed
	// copy's detail holds the failed attempts and the accepted replay.
	status.Store(http.StatusOK)
	cs = viewtest.Of[common.ConfirmRequest](press(t, m2, "r"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	if st := viewtest.Of[common.StatusMsg](drive(t, m2, cs[0].OnYes)); len(st) == 0 || st[0].Level != common.Success {
		t.Fatalf("statuses %+v", st)
	}
	press(t, m2, "x")
	rows = m2.events.Rows()
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Cells[4], "accepted · ") {
		t.Fatalf("replayed rows %+v", rows)
	}
	press(t, m2, "enter")
	v = ansi.Strip(m2.View())
	for _, want := range []string{"attempt 1", "attempt 2", "replay result", "accepted 200"} {
		if !strings.Contains(v, want) {
			t.Errorf("replayed detail lacks %q:\n%s", want, v)
		}
	}
}

func indexOf(rows []table.Row, id string) int {
	for i, r := range rows {
		if r.ID == id {
			return i
		}
	}
	return 0
}
