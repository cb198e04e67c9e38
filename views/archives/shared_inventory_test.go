package archives

import (
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/streams"
	"github.com/sluicehq/sluice/views/viewtest"
)

// stillInventory is an inventory whose clock stands still: its reads
// never grow older than MaxAge, so that whatever is read again is read
// again because the tab asked for a newer read.
func stillInventory(s *backend.Session) *inventory.Inventory {
	at := time.Now()
	return inventory.New(s, func() time.Time { return at })
}

// threeTabs opens the Streams, DLQs and Archives tabs on one Env, as the
// root does at start: each starts before any answers, then each runs
// until it settles. It returns the Archives tab, its driver and clock.
func threeTabs(t *testing.T, env *common.Env) (*Model, *viewtest.Driver, *movable) {
	t.Helper()
	clk := &movable{at: time.Now()}
	st := streams.New(viewtest.NewCommon(env, 120, 30, true))
	dl := dlq.New(viewtest.NewCommon(env, 120, 30, true))
	ar := New(viewtest.NewCommon(env, 120, 30, true), WithClock(clk.now))
	stInit, dlInit, arInit := st.Init(), dl.Init(), ar.Init()
	viewtest.NewDriver(t, st).Run(stInit)
	viewtest.NewDriver(t, dl).Run(dlInit)
	d := viewtest.NewDriver(t, ar)
	d.Run(arInit)
	return ar, d, clk
}

func consumerListed(m *Model, name string) bool {
	return slices.ContainsFunc(m.cons, func(c consumer) bool { return c.Name == name })
}

func countCalls(calls *backend.CallLog) map[string]int {
	n := map[string]int{}
	for _, c := range calls.Calls() {
		n[c.Service+"."+c.Operation]++
	}
	return n
}

// TestArchivesShareTheDiscoveryAtStart: the Archives tab read its own
// discovery, a second ListPipes, DescribePipe each and
// ListEventSourceMappings beside the other tabs' at every start. It
// reads through the session's inventory: at start, one of each for the
// three tabs.
func TestArchivesShareTheDiscoveryAtStart(t *testing.T) {
	e := enginetest.Start(t)
	inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	alone := backend.NewCallLog(0)
	sAlone := backendtest.OpenOn(t, e, backend.Env{Calls: alone})

	ar, _, _ := threeTabs(t, &common.Env{Session: sAlone})
	if !consumerListed(ar, demo.PipeName) {
		t.Fatalf("unshared: consumers %+v", ar.cons)
	}
	// Without an inventory, every tab discovers for itself: what this
	// test guards against.
	if n := countCalls(alone); n["Pipes.ListPipes"] != 3 || n["Lambda.ListEventSourceMappings"] != 3 {
		t.Fatalf("unshared: ListPipes %d, ListEventSourceMappings %d, want 3 each: %v", n["Pipes.ListPipes"], n["Lambda.ListEventSourceMappings"], n)
	}

	ar, _, _ = threeTabs(t, &common.Env{Session: s, Inventory: stillInventory(s)})
	if !consumerListed(ar, demo.PipeName) {
		t.Fatalf("shared: consumers %+v", ar.cons)
	}
	n := countCalls(calls)
	for _, api := range []string{"Pipes.ListPipes", "Pipes.DescribePipe", "Lambda.ListEventSourceMappings"} {
		if n[api] != 1 {
			t.Errorf("%s called %d times by three tabs at start, want once (calls %v)", api, n[api], n)
		}
	}
}

// TestArchivesDueAfterAChangeListAsItIs: the demo end-to-end test
// created a pipe after the tabs' first reads, and the Archives tab, due
// again, listed the account as those reads had seen it. A load the tab
// asks for after the change reads the pipes again, however fresh the
// session's inventory holds the older read; the other tabs' reads at
// start were still shared.
func TestArchivesDueAfterAChangeListAsItIs(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	ar, drv, clk := threeTabs(t, &common.Env{Session: s, Inventory: stillInventory(s)})
	if n := countCalls(calls)["Pipes.ListPipes"]; n != 1 || consumerListed(ar, "late-pipe") {
		t.Fatalf("at start: ListPipes %d, consumers %+v", n, ar.cons)
	}

	inventorytest.Pipe(t, e, "late-pipe", d.StreamARN, d.DestARN, "", map[string]string{demo.ArchiveTag: demo.ArchiveURL + "/late/"})
	clk.advance(common.RefreshEvery + time.Second)
	drv.Send(common.AutoRefreshMsg{})
	if !consumerListed(ar, "late-pipe") {
		t.Fatalf("due after the pipe was created, the tab lists %+v, without late-pipe", ar.cons)
	}
	if n := countCalls(calls)["Pipes.ListPipes"]; n != 2 {
		t.Fatalf("ListPipes %d times in all, want 2", n)
	}
}
