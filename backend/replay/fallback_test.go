package replay

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
)

// openFaulty starts an engine with an empty archive bucket and opens a
// session on it through a fault proxy.
func openFaulty(t *testing.T) (*backend.Session, *faultproxy.Proxy, backend.ArchiveLocation) {
	t.Helper()
	_, e, loc := openArchive(t)
	p := faultproxy.Start(t, e.URL)
	return backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL}), p, loc
}

// sentOnce checks that the target saw every event exactly once.
func sentOnce(t *testing.T, tg *target, events map[string]archive.Event) {
	t.Helper()
	byID := map[string]int{}
	for _, r := range tg.seen() {
		byID[r.key]++
	}
	for id := range events {
		if byID[id] != 1 {
			t.Errorf("event %s sent %d times, want once", id, byID[id])
		}
	}
	if len(byID) != len(events) {
		t.Errorf("%d events sent, want %d", len(byID), len(events))
	}
}

// A bulk replay marks events in manifests, written whole with their
// checksum, and needs no create-only write: a store without them replays
// each event once, and the rule that would answer one never fires.
func TestBulkOnAStoreWithoutConditionalWritesSendsEachEventOnce(t *testing.T) {
	s, p, loc := openFaulty(t)
	events := archiveEvents(t, s, loc, "orders", start, 12)
	rule := p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.ConditionalPut, Fault: faultproxy.NotImplemented()})
	tg := newTarget(t, nil)
	plan := Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}}
	for run := 1; run <= 2; run++ {
		sum, err := Bulk(ctxT(t), s, plan, Options{Concurrency: 3})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if want := map[int]int{1: 12, 2: 0}[run]; sum.Sent != want || sum.Failed != 0 {
			t.Fatalf("run %d: %+v", run, sum)
		}
	}
	sentOnce(t, tg, events)
	if left := listAll(t, s, loc, "orders", false); len(left) != 0 {
		t.Fatalf("%d originals left", len(left))
	}
	if copies := listAll(t, s, loc, "orders", true); len(copies) != 12 {
		t.Fatalf("%d copies, want 12", len(copies))
	}
	if rule.Fired() != 0 {
		t.Fatalf("the bulk replay made %d conditional writes", rule.Fired())
	}
}

func TestOneOnAStoreWithoutConditionalWritesSendsOnce(t *testing.T) {
	s, p, loc := openFaulty(t)
	events := archiveEvents(t, s, loc, "orders", start, 1)
	p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.ConditionalPut, Fault: faultproxy.NotImplemented()})
	tg := newTarget(t, nil)
	key := listAll(t, s, loc, "orders", false)[0].Key
	res, err := One(ctxT(t), s, loc, key, httpTarget(tg.URL))
	if err != nil || res.Status != Accepted || res.Marked == "" {
		t.Fatalf("first: %+v %v", res, err)
	}
	res, err = One(ctxT(t), s, loc, key, httpTarget(tg.URL))
	if err != nil || res.Status != Skipped {
		t.Fatalf("again: %+v %v", res, err)
	}
	sentOnce(t, tg, events)
}

func TestBulkOnAStoreWithoutDeleteObjectsDeletesTheOriginals(t *testing.T) {
	s, p, loc := openFaulty(t)
	events := archiveEvents(t, s, loc, "orders", start, 10)
	rule := p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.DeleteObjects, Fault: faultproxy.NotImplemented()})
	tg := newTarget(t, nil)
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}}, Options{})
	if err != nil || sum.Sent != 10 {
		t.Fatalf("%+v %v", sum, err)
	}
	if left := listAll(t, s, loc, "orders", false); len(left) != 0 {
		t.Fatalf("%d originals left", len(left))
	}
	if rule.Fired() != 1 {
		t.Fatalf("DeleteObjects tried %d times; the first 501 should be remembered", rule.Fired())
	}
	sentOnce(t, tg, events)
}

// manifestPut matches the PUT of a replay manifest.
func manifestPut(r faultproxy.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.Path, "/"+archive.ReplayedDir+archive.ManifestsDir)
}

func TestBulkRetriesTheManifestOfAnAcceptedEvent(t *testing.T) {
	s, p, loc := openFaulty(t)
	events := archiveEvents(t, s, loc, "orders", start, 1)
	// More failures than the SDK retries within one call.
	rule := p.Add(&faultproxy.Rule{Service: "s3", Match: manifestPut, Times: 4,
		Fault: faultproxy.Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}})
	tg := newTarget(t, nil)
	plan := Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}}
	for run := 1; run <= 2; run++ {
		if sum, err := Bulk(ctxT(t), s, plan, Options{}); err != nil || sum.Failed != 0 {
			t.Fatalf("run %d: %+v %v", run, sum, err)
		}
	}
	if rule.Fired() != 4 {
		t.Fatalf("fault fired %d times", rule.Fired())
	}
	sentOnce(t, tg, events)
}
