package archive

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReplayedReadsCopiesAndManifestsAlike: an archive where one event was
// marked the first way (a _replayed/ copy), others in a batch manifest,
// over three hours (copy only, manifest only, both), and a consumer known
// only from its manifests. Every reader — List, ListHour, Get, GetMany,
// Consumers — shows both kinds of record, each event once, with its
// replay.
func TestReplayedReadsCopiesAndManifestsAlike(t *testing.T) {
	s, _, loc := openArchive(t)
	eight := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	byCopy := event("orders", "k", eight.Add(5*time.Minute), 1)               // 08:00, copy
	both := event("orders", "k", eight.Add(time.Hour+5*time.Minute), 2)       // 09:00, copy
	inManifest := event("orders", "k", eight.Add(time.Hour+7*time.Minute), 3) // 09:00, manifest
	later := event("orders", "k", eight.Add(2*time.Hour+5*time.Minute), 4)    // 10:00, manifest
	other := event("billing", "k", eight.Add(5*time.Minute), 5)               // billing, manifest only
	at := eight.Add(5 * time.Hour)
	for _, e := range []Event{byCopy, both} {
		if _, err := MarkReplayed(ctxT(t), s, loc, put(t, s, loc, e), Replay{At: at, Target: "t", Result: "accepted"}); err != nil {
			t.Fatal(err)
		}
	}
	var attempts []Attempt
	for _, e := range []Event{inManifest, later, other} {
		k := put(t, s, loc, e)
		attempts = append(attempts, Attempt{ID: e.ID, Key: k, At: at, Target: "https://api", Status: "accepted", Code: "200", Tries: 1, Event: &e})
	}
	// A failed attempt beside them marks nothing.
	failed := event("orders", "k", eight.Add(time.Hour+9*time.Minute), 6)
	attempts = append(attempts, Attempt{ID: failed.ID, Key: put(t, s, loc, failed), At: at, Target: "https://api", Status: "failed", Code: "503"})
	written, err := WriteManifests(ctxT(t), s, loc, attempts, at)
	if err != nil || len(written) != 3 {
		t.Fatalf("manifests %+v %v: want one per consumer and hour", written, err)
	}

	objs := listAll(t, List(s, loc, Query{Consumer: "orders", Replayed: true}))
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.ID)
		if !o.Replayed {
			t.Errorf("%s listed as not replayed", o.Key)
		}
	}
	if want := []string{later.ID, inManifest.ID, both.ID, byCopy.ID}; !slices.Equal(ids, want) {
		t.Fatalf("replayed listing %v, want newest first %v", ids, want)
	}
	nine, err := ListHour(ctxT(t), s, loc, "orders", eight.Add(time.Hour), true)
	if err != nil || len(nine) != 2 {
		t.Fatalf("09:00 replayed %+v %v", nine, err)
	}
	if _, _, ok := SplitManifestEntry(objs[0].Key); !ok || !strings.Contains(objs[0].Key, ManifestsDir) {
		t.Errorf("a manifest's event listed at %q", objs[0].Key)
	}
	if _, _, ok := SplitManifestEntry(objs[3].Key); ok || objs[3].Key != ReplayedKey(loc.Prefix, Key(loc.Prefix, byCopy.KeyParts())) {
		t.Errorf("a copy listed at %q", objs[3].Key)
	}

	// Read one by one and all at once, each kind reads as a replayed event.
	keys := keysOf(objs)
	got, errs := GetMany(ctxT(t), s, loc.Bucket, keys, ManyOptions{})
	if len(errs) != 0 {
		t.Fatalf("GetMany: %v", errs)
	}
	for _, o := range objs {
		one, err := Get(ctxT(t), s, loc.Bucket, o.Key)
		if err != nil || one.ID != o.ID || one.Replay == nil || one.Replay.Result != "accepted" {
			t.Fatalf("Get %s: %+v %v", o.Key, one, err)
		}
		if many := got[o.Key]; many.ID != o.ID || many.Replay == nil || !many.Replay.At.Equal(at) {
			t.Fatalf("GetMany %s: %+v", o.Key, many)
		}
	}
	data, _ := got[objs[0].Key].Record.Bytes()
	want, _ := later.Record.Bytes()
	if string(data) != string(want) {
		t.Errorf("a manifest's event holds %q, want %q", data, want)
	}
	if e := got[objs[0].Key]; e.Replay.Code != "200" || e.Replay.Target != "https://api" || e.Replay.Tries != 1 {
		t.Errorf("a manifest's replay %+v", e.Replay)
	}
	// The failed attempt's event is no entry: asked for, it is not found.
	mk, _, _ := SplitManifestEntry(objs[1].Key)
	if _, err := Get(ctxT(t), s, loc.Bucket, ManifestEntryKey(mk, failed.ID)); !errorsIs(err, ErrNotFound) {
		t.Errorf("a failed attempt read as a replayed event: %v", err)
	}

	cons, err := Consumers(ctxT(t), s, loc)
	if err != nil || !slices.Equal(cons, []string{"billing", "orders"}) {
		t.Errorf("consumers %v %v", cons, err)
	}
	if b := listAll(t, List(s, loc, Query{Consumer: "billing", Replayed: true})); len(b) != 1 || b[0].ID != other.ID {
		t.Errorf("billing's replayed: %+v", b)
	}
	// A manifest entry is not an event to delete: its original is.
	if err := Delete(ctxT(t), s, loc, objs[0].Key); err == nil {
		t.Error("deleted a manifest entry as if it were an object")
	}
}

// TestWriteManifestsRefusesAMarkWithoutAcceptance: only an accepted attempt
// holding its own event marks it.
func TestWriteManifestsRefusesAMarkWithoutAcceptance(t *testing.T) {
	s, _, loc := openArchive(t)
	e := event("orders", "k", time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), 1)
	k := put(t, s, loc, e)
	other := event("orders", "k", time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), 2)
	for _, a := range []Attempt{
		{ID: e.ID, Key: k, Status: "failed", Event: &e},
		{ID: e.ID, Key: k, Status: "accepted", Event: &other},
	} {
		if _, err := WriteManifests(ctxT(t), s, loc, []Attempt{a}, time.Now()); err == nil {
			t.Errorf("wrote %+v", a)
		}
	}
}

func TestSplitManifestEntry(t *testing.T) {
	for key, want := range map[string]bool{
		"p/_replayed/_manifests/c/2026/11/27/08/1-ab.json#0123": true,
		"_replayed/_manifests/c/2026/11/27/08/1-ab.json#0123":   true,
		"p/_replayed/_manifests/c/2026/11/27/08/1-ab.json#":     false,
		"p/_replayed/_manifests/c/2026/11/27/08/1-ab.json":      false,
		"p/c/2026/11/27/08/k%23x-1-ab.json":                     false,
		"p/_replayed/c/2026/11/27/08/k-1-ab.json#x":             false,
		"p/_replayed/_manifests/c/2026/11/27/08/1-ab.json#a/b":  false,
	} {
		mk, id, ok := SplitManifestEntry(key)
		if ok != want || (ok && ManifestEntryKey(mk, id) != key) {
			t.Errorf("%q: %q %q %v", key, mk, id, ok)
		}
		if prefix, consumer, pid, err := ParseManifestEntry(key); ok && (err != nil || consumer != "c" || pid != id || !strings.HasPrefix(key, prefix+ReplayedDir)) {
			t.Errorf("%q parses as %q %q %q %v", key, prefix, consumer, pid, err)
		}
	}
}

// FuzzSplitManifestEntry: whatever the key, a split either fails or joins
// back to it.
func FuzzSplitManifestEntry(f *testing.F) {
	f.Add("p/_replayed/_manifests/c/2026/11/27/08/1-ab.json#0123")
	f.Add("##.json#")
	f.Fuzz(func(t *testing.T, key string) {
		if mk, id, ok := SplitManifestEntry(key); ok && (ManifestEntryKey(mk, id) != key || id == "" || strings.Contains(id, "#")) {
			t.Fatalf("%q split into %q %q", key, mk, id)
		}
		if prefix, _, id, err := ParseManifestEntry(key); err == nil && !strings.HasPrefix(key, prefix) {
			t.Fatalf("%q parses with prefix %q, id %q", key, prefix, id)
		}
	})
}

// FuzzManifestEntries: a manifest body from a bucket is untrusted; read as
// a replayed event, any entry it yields is an accepted one for the id
// asked, with its replay.
func FuzzManifestEntries(f *testing.F) {
	f.Add([]byte(`{"kind":"sluice.replay-manifest","version":1,"attempts":[{"id":"a","key":"k","status":"accepted","event":{"id":"a","record":{"dataEncoding":"json","data":{}}}}]}`), "a")
	f.Add([]byte(`{"attempts":[{"id":"a","status":"failed"},{"id":"a","status":"accepted","event":null}]}`), "a")
	f.Fuzz(func(t *testing.T, body []byte, id string) {
		var m Manifest
		if json.Unmarshal(body, &m) != nil {
			return
		}
		e, ok := eventInManifest(m, id)
		if ok && (e.Replay == nil || e.Replay.Result != "accepted") {
			t.Fatalf("entry %+v for %q", e, id)
		}
		h := History{}
		h.Add(m)
		for _, list := range h {
			for _, a := range list {
				if a.Event != nil {
					t.Fatal("a history kept an event body")
				}
			}
		}
	})
}
