package replay

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
)

var start = time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)

func TestDryRunSendsAndMarksNothing(t *testing.T) {
	s, _, loc := openArchive(t)
	events := archiveEvents(t, s, loc, "orders", start, 25)
	tg := newTarget(t, nil)
	var progress []Progress
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}},
		Options{DryRun: true, Progress: func(p Progress) { progress = append(progress, p) }})
	must(t, err)
	if len(tg.seen()) != 0 {
		t.Fatalf("dry run sent %d calls", len(tg.seen()))
	}
	if sum.Total != 25 || len(sum.Planned) != 25 || sum.Sent != 0 || sum.Failed != 0 || !sum.DryRun {
		t.Fatalf("summary %+v", sum)
	}
	for _, p := range sum.Planned {
		ev := events[p.ID]
		data, _ := ev.Record.Bytes()
		if p.Status != DryRun || p.Target != tg.URL || p.PartitionKey != ev.Record.PartitionKey || p.Size != len(data) ||
			p.Key != archive.Key(loc.Prefix, ev.KeyParts()) {
			t.Errorf("planned %+v for %+v", p, ev.Record)
		}
	}
	listed := listAll(t, s, loc, "orders", false)
	if len(listed) != 25 || len(listAll(t, s, loc, "orders", true)) != 0 {
		t.Fatal("dry run changed the archive")
	}
	// Workers finish in any order; the plan reads as the listing does.
	for i, obj := range listed {
		if sum.Planned[i].Key != obj.Key {
			t.Fatalf("planned[%d] is %s, the listing has %s", i, sum.Planned[i].Key, obj.Key)
		}
	}
	if len(progress) != 25 || progress[24].Done != 25 || progress[24].Total != 25 {
		t.Fatalf("progress: %d calls, last %+v", len(progress), progress[len(progress)-1])
	}
}

func TestBulkReplayMarksWhatTheTargetAccepted(t *testing.T) {
	s, _, loc := openArchive(t)
	events := archiveEvents(t, s, loc, "orders", start, 60)
	// Events of one partition key are refused; the rest accepted.
	var refused sync.Map
	for id, ev := range events {
		if ev.Record.PartitionKey == "customer-3" {
			refused.Store(id, true)
		}
	}
	srv := newKeyedServer(t, func(key string) int {
		if _, ok := refused.Load(key); ok {
			return http.StatusUnprocessableEntity
		}
		return http.StatusOK
	})
	var mu sync.Mutex
	var totals []int
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: "orders"}},
		Options{Concurrency: 4, Rate: 100000, Progress: func(p Progress) { mu.Lock(); totals = append(totals, p.Total); mu.Unlock() }})
	must(t, err)
	nRefused := 0
	refused.Range(func(any, any) bool { nRefused++; return true })
	if sum.Sent != 60-nRefused || sum.Failed != nRefused || len(sum.Failures) != nRefused || sum.Total != 60 {
		t.Fatalf("summary %+v", sum)
	}
	for _, f := range sum.Failures {
		if f.Status != Rejected || f.Attempts != 1 || !strings.Contains(f.Detail, "422") || f.Marked != "" {
			t.Errorf("failure %+v", f)
		}
	}
	left := listAll(t, s, loc, "orders", false)
	if len(left) != nRefused || slices.ContainsFunc(left, func(o archive.Object) bool { return o.PartitionKey != "customer-3" }) {
		t.Fatalf("left waiting: %d", len(left))
	}
	copies := listAll(t, s, loc, "orders", true)
	if len(copies) != 60-nRefused {
		t.Fatalf("%d copies", len(copies))
	}
	if totals[len(totals)-1] != 60 {
		t.Errorf("last progress total %d", totals[len(totals)-1])
	}

	// Running it again sends only what is left.
	calls := srv.calls()
	sum, err = Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: "orders"}}, Options{})
	must(t, err)
	if sum.Total != nRefused || srv.calls()-calls != nRefused {
		t.Fatalf("second run: %+v after %d calls", sum, srv.calls()-calls)
	}
}

func TestBulkByKeys(t *testing.T) {
	s, _, loc := openArchive(t)
	events := archiveEvents(t, s, loc, "orders", start, 5)
	var keys []string
	for _, ev := range events {
		keys = append(keys, archive.Key(loc.Prefix, ev.KeyParts()))
	}
	slices.Sort(keys)
	// keys[0] marked already; keys[1] half marked (copy written, original
	// left); keys[2] given twice; a key that is not there; a copy's key.
	first := events[idOf(t, loc, keys[0])]
	copyKey, err := archive.MarkReplayed(ctxT(t), s, loc, keys[0], archive.Replay{Target: "x", Result: "accepted"})
	must(t, err)
	_, err = archive.WriteReplayedCopy(ctxT(t), s, loc, keys[1], events[idOf(t, loc, keys[1])], archive.Replay{Target: "x", Result: "accepted"})
	must(t, err)
	missing := archive.Key(loc.Prefix, newEvent("orders", "pk", start, 999, nil).KeyParts())
	tg := newTarget(t, nil)
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(tg.URL),
		Keys: []string{keys[0], keys[1], keys[2], keys[2], keys[3], keys[4], missing, copyKey}}, Options{})
	must(t, err)
	if sum.Total != 7 || sum.Sent != 3 || sum.Skipped != 3 || sum.Failed != 1 || sum.Failures[0].Key != missing {
		t.Fatalf("summary %+v", sum)
	}
	sentKeys := map[string]int{}
	for _, r := range tg.seen() {
		sentKeys[r.key]++
	}
	if len(sentKeys) != 3 || sentKeys[first.ID] != 0 || sentKeys[events[idOf(t, loc, keys[2])].ID] != 1 {
		t.Fatalf("sent %v", sentKeys)
	}
	if left := listAll(t, s, loc, "orders", false); len(left) != 0 {
		t.Fatalf("%d left", len(left))
	}
}

func TestOne(t *testing.T) {
	s, _, loc := openArchive(t)
	events := archiveEvents(t, s, loc, "orders", start, 1)
	var ev archive.Event
	for _, x := range events {
		ev = x
	}
	key := archive.Key(loc.Prefix, ev.KeyParts())
	tg := newTarget(t, nil)
	res, err := One(ctxT(t), s, loc, key, httpTarget(tg.URL))
	if err != nil || res.Status != Accepted || res.ID != ev.ID {
		t.Fatalf("%+v %v", res, err)
	}
	// Marked in a manifest entry, which reads back as the event replayed.
	if _, id, ok := archive.SplitManifestEntry(res.Marked); !ok || id != ev.ID {
		t.Fatalf("marked at %q, want the event's manifest entry", res.Marked)
	}
	if got, err := archive.Get(ctxT(t), s, loc.Bucket, res.Marked); err != nil || got.ID != ev.ID || got.Replay == nil || got.Replay.Result != "accepted" {
		t.Fatalf("the mark reads back as %+v, %v", got, err)
	}
	if ok, _ := archive.Exists(ctxT(t), s, loc.Bucket, key); ok {
		t.Fatal("original left")
	}
	// Again: skipped, not sent.
	res, err = One(ctxT(t), s, loc, key, httpTarget(tg.URL))
	if err != nil || res.Status != Skipped || len(tg.seen()) != 1 {
		t.Fatalf("again: %+v %v, %d calls", res, err, len(tg.seen()))
	}
	// A refusal is an error, and the event stays.
	k2 := archive.Key(loc.Prefix, newEvent("orders", "pk", start, 7, []byte("x")).KeyParts())
	_, err = archive.Put(ctxT(t), s, loc, newEvent("orders", "pk", start, 7, []byte("x")))
	must(t, err)
	bad := newStatusServer(t, func() int { return http.StatusBadRequest })
	res, err = One(ctxT(t), s, loc, k2, httpTarget(bad.URL))
	if err == nil || res.Status != Rejected {
		t.Fatalf("refused: %+v %v", res, err)
	}
	if ok, _ := archive.Exists(ctxT(t), s, loc.Bucket, k2); !ok {
		t.Fatal("a refused event was removed")
	}
}

func TestReadOnlyRefusesReplayButAllowsDryRun(t *testing.T) {
	s, e, loc := openArchive(t)
	archiveEvents(t, s, loc, "orders", start, 3)
	ro := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	tg := newTarget(t, nil)
	plan := Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}}
	if _, err := Bulk(ctxT(t), ro, plan, Options{}); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("bulk: %v", err)
	}
	if _, err := One(ctxT(t), ro, loc, listAll(t, s, loc, "orders", false)[0].Key, plan.Target); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("one: %v", err)
	}
	sum, err := Bulk(ctxT(t), ro, plan, Options{DryRun: true})
	if err != nil || len(sum.Planned) != 3 {
		t.Fatalf("dry run: %+v %v", sum, err)
	}
	if len(tg.seen()) != 0 || len(listAll(t, s, loc, "orders", false)) != 3 {
		t.Fatal("read-only run changed something")
	}
}

func TestBulkRejectsABadPlan(t *testing.T) {
	s, _, loc := openArchive(t)
	tgt := httpTarget("http://127.0.0.1:1/")
	for _, c := range []struct {
		plan Plan
		want string
	}{
		{Plan{Target: tgt, Query: archive.Query{Consumer: "c"}}, "no archive"},
		{Plan{Archive: loc, Target: tgt}, "nothing selected"},
		{Plan{Archive: loc, Target: tgt, Query: archive.Query{Consumer: "c", Replayed: true}}, "replayed copies"},
		{Plan{Archive: loc, Query: archive.Query{Consumer: "c"}}, "no kind"},
	} {
		if _, err := Bulk(ctxT(t), s, c.plan, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.plan, err, c.want)
		}
	}
}

// idOf is the id in an event key.
func idOf(t *testing.T, loc backend.ArchiveLocation, key string) string {
	t.Helper()
	p, _, err := archive.ParseKey(loc.Prefix, key)
	must(t, err)
	return p.ID
}

// TestDryRunStreamsItsPlan: a dry run given Planned hands it every event
// as it is read and keeps none, so that a plan's memory does not grow with
// its length; nothing is sent or marked.
func TestDryRunStreamsItsPlan(t *testing.T) {
	s, _, loc := openArchive(t)
	const n = 150
	events := archiveEvents(t, s, loc, "orders", start, n)
	tg := newTarget(t, nil)
	got := map[string]bool{}
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(tg.URL), Query: archive.Query{Consumer: "orders"}},
		Options{DryRun: true, Planned: func(r Result) {
			if r.Status != DryRun || got[r.ID] {
				t.Errorf("planned %+v", r)
			}
			got[r.ID] = true
		}})
	if err != nil || len(sum.Planned) != 0 || sum.Total != n {
		t.Fatalf("%+v %v", sum, err)
	}
	for id := range events {
		if !got[id] {
			t.Fatalf("%s not planned", id)
		}
	}
	if len(tg.seen()) != 0 || len(listAll(t, s, loc, "orders", false)) != n {
		t.Fatal("a dry run sent or marked")
	}
}
