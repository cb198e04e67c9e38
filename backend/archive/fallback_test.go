package archive

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
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

func putEvents(t *testing.T, s *backend.Session, loc backend.ArchiveLocation, n int) []string {
	t.Helper()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = put(t, s, loc, event("orders", "c-1", at.Add(time.Duration(i)*time.Second), i))
	}
	return keys
}

func TestMarkRetriesAConditionalWriteThatConflicted(t *testing.T) {
	s, p, loc := openFaulty(t)
	key := putEvents(t, s, loc, 1)[0]
	rule := p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.ConditionalPut, Fault: faultproxy.ConditionalConflict(), Times: 1})
	copyKey, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "t", Result: "accepted"})
	if err != nil {
		t.Fatalf("mark after a 409: %v", err)
	}
	if rule.Fired() != 1 || len(p.Seen(faultproxy.ConditionalPut)) != 2 {
		t.Fatalf("conflict fired %d times, %d conditional writes; want one conflict, then one retry", rule.Fired(), len(p.Seen(faultproxy.ConditionalPut)))
	}
	if exists(t, s, loc.Bucket, key) || !exists(t, s, loc.Bucket, copyKey) {
		t.Fatal("want the copy written and the original deleted")
	}
	if n := len(listAll(t, List(s, loc, Query{Consumer: "orders", Replayed: true}))); n != 1 {
		t.Fatalf("%d copies, want 1", n)
	}
}

func TestMarkKeepsTheOtherWritersCopyAfterAConflict(t *testing.T) {
	s, p, loc := openFaulty(t)
	key := putEvents(t, s, loc, 1)[0]
	e, err := Get(ctxT(t), s, loc.Bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	// The other writer got there first: its copy is what happened.
	theirs := Replay{At: time.Now().UTC().Truncate(time.Millisecond), Target: "https://api", Result: "accepted"}
	if _, err := WriteReplayedCopy(ctxT(t), s, loc, key, e, theirs); err != nil {
		t.Fatal(err)
	}
	p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.ConditionalPut, Fault: faultproxy.ConditionalConflict()})
	copyKey, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "manual", Result: "marked by operator"})
	if err != nil {
		t.Fatalf("mark after a 409 with the other copy there: %v", err)
	}
	c, err := Get(ctxT(t), s, loc.Bucket, copyKey)
	if err != nil || c.Replay == nil || c.Replay.Target != "https://api" {
		t.Fatalf("copy %+v %v; want the other writer's", c.Replay, err)
	}
	if exists(t, s, loc.Bucket, key) {
		t.Fatal("original left")
	}
}

func TestMarkFallsBackWithoutConditionalWrites(t *testing.T) {
	s, p, loc := openFaulty(t)
	keys := putEvents(t, s, loc, 4)
	// keys[0] was half marked before: its copy is there and must be kept.
	e0, err := Get(ctxT(t), s, loc.Bucket, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReplayedCopy(ctxT(t), s, loc, keys[0], e0, Replay{Target: "https://api", Result: "accepted"}); err != nil {
		t.Fatal(err)
	}
	rule := p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.ConditionalPut, Fault: faultproxy.NotImplemented()})
	res := MarkMany(ctxT(t), s, loc, keys, Replay{Target: "manual", Result: "marked by operator"}, ManyOptions{Concurrency: 1})
	if err := res.Err(); err != nil {
		t.Fatalf("mark on a store without conditional writes: %v", err)
	}
	if n := rule.Fired(); n != 1 {
		t.Fatalf("%d conditional writes tried; the first 501 should be remembered", n)
	}
	for _, k := range keys {
		if exists(t, s, loc.Bucket, k) || !exists(t, s, loc.Bucket, ReplayedKey(loc.Prefix, k)) {
			t.Fatalf("%s: want the copy written and the original deleted", k)
		}
	}
	if c, err := Get(ctxT(t), s, loc.Bucket, ReplayedKey(loc.Prefix, keys[0])); err != nil || c.Replay.Target != "https://api" {
		t.Fatalf("the earlier copy was overwritten: %+v %v", c.Replay, err)
	}
}

func TestDeleteFallsBackWithoutDeleteObjects(t *testing.T) {
	s, p, loc := openFaulty(t)
	keys := putEvents(t, s, loc, 5)
	p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.DeleteObjects, Fault: faultproxy.NotImplemented()})
	if err := Delete(ctxT(t), s, loc, keys[:3]...); err != nil {
		t.Fatalf("delete on a store without DeleteObjects: %v", err)
	}
	res := DeleteMany(ctxT(t), s, loc, keys[3:], ManyOptions{})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if exists(t, s, loc.Bucket, k) {
			t.Fatalf("%s left", k)
		}
	}
	if n := len(p.Seen(faultproxy.DeleteObjects)); n != 1 {
		t.Fatalf("%d DeleteObjects calls; the first 501 should be remembered", n)
	}
}

func TestMarkManyKeepsEveryKeysResult(t *testing.T) {
	s, p, loc := openFaulty(t)
	keys := putEvents(t, s, loc, 5)
	bad := keys[2]
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.Path, strings.TrimPrefix(ReplayedKey(loc.Prefix, bad), loc.Prefix))
	}, Fault: faultproxy.Denied("s3:PutObject", bad)})
	res := MarkMany(ctxT(t), s, loc, append(keys, "elsewhere/x.json"), Replay{Target: "manual", Result: "marked"}, ManyOptions{Concurrency: 3})
	if len(res) != 6 {
		t.Fatalf("%d results for 6 keys", len(res))
	}
	for i, r := range res {
		wantErr := i == 2 || i == 5
		if r.Key != append(keys, "elsewhere/x.json")[i] || (r.Err != nil) != wantErr {
			t.Errorf("result %d: %+v", i, r)
		}
		if !wantErr && r.Replayed != ReplayedKey(loc.Prefix, r.Key) {
			t.Errorf("result %d: replayed key %q", i, r.Replayed)
		}
	}
	if !strings.Contains(res[2].Err.Error(), "AccessDenied") || len(res.Failed()) != 2 || res.Err() == nil {
		t.Fatalf("failures %v", res.Failed())
	}
	if !exists(t, s, loc.Bucket, bad) {
		t.Fatal("the event whose copy failed was deleted")
	}
}

func TestDeleteManyKeepsEveryKeysResult(t *testing.T) {
	s, p, loc := openFaulty(t)
	keys := putEvents(t, s, loc, 4)
	// Batched: a key that is not an event fails alone.
	res := DeleteMany(ctxT(t), s, loc, []string{keys[0], loc.Prefix + "README.txt", keys[1]}, ManyOptions{})
	if res[0].Err != nil || res[1].Err == nil || res[2].Err != nil || len(res.Failed()) != 1 {
		t.Fatalf("batched: %+v", res)
	}
	// One by one (no DeleteObjects): a key denied fails alone.
	p.Add(&faultproxy.Rule{Service: "s3", Match: faultproxy.DeleteObjects, Fault: faultproxy.NotImplemented()})
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool {
		return r.Method == http.MethodDelete && strings.HasSuffix(r.Path, keys[2])
	}, Fault: faultproxy.Denied("s3:DeleteObject", keys[2])})
	res = DeleteMany(ctxT(t), s, loc, keys[2:], ManyOptions{Concurrency: 2})
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "AccessDenied") || res[1].Err != nil {
		t.Fatalf("one by one: %+v", res)
	}
	if !exists(t, s, loc.Bucket, keys[2]) || exists(t, s, loc.Bucket, keys[3]) {
		t.Fatal("want the denied key kept and the other deleted")
	}
}

func TestGetManyKeepsEveryKeysResult(t *testing.T) {
	s, _, loc := openFaulty(t)
	keys := putEvents(t, s, loc, 3)
	missing := Key(loc.Prefix, event("orders", "c-9", time.Now(), 99).KeyParts())
	events, errs := GetMany(ctxT(t), s, loc.Bucket, append(keys, missing), ManyOptions{Concurrency: 2})
	if len(events) != 3 || len(errs) != 1 || !errorsIs(errs[missing], ErrNotFound) {
		t.Fatalf("%d events, errors %v", len(events), errs)
	}
	for _, k := range keys {
		if events[k].ID == "" {
			t.Fatalf("%s not read", k)
		}
	}
}

func TestManyRefusedReadOnly(t *testing.T) {
	_, e, loc := openArchive(t)
	s := backendtest.OpenOn(t, e, backend.Env{})
	keys := putEvents(t, s, loc, 2)
	ro := backendOpenReadOnly(t, e)
	for _, res := range []Results{
		MarkMany(ctxT(t), ro, loc, keys, Replay{Target: "t"}, ManyOptions{}),
		DeleteMany(ctxT(t), ro, loc, keys, ManyOptions{}),
	} {
		if len(res) != 2 || !errorsIs(res[0].Err, backend.ErrReadOnly) || !errorsIs(res[1].Err, backend.ErrReadOnly) {
			t.Fatalf("read-only: %+v", res)
		}
	}
	for _, k := range keys {
		if !exists(t, s, loc.Bucket, k) {
			t.Fatal("read-only session changed the archive")
		}
	}
}
