package archive

import (
	"fmt"
	"testing"
	"time"
)

// Newest merges consumers newest first and yields a run each time it must
// call S3 again: what it yields before a call is all that can be known to
// come next, and nothing it has not read.
func TestNewestMergesInRunsBeforeEachRead(t *testing.T) {
	s, _, loc := openArchive(t)
	h := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	events := []Event{
		event("api", "c-1", h.Add(2*time.Hour+10*time.Minute), 1), // newest hour of api
		event("api", "c-2", h.Add(2*time.Hour+20*time.Minute), 2),
		event("billing", "c-3", h.Add(time.Hour+5*time.Minute), 3), // billing's one hour
		event("api", "c-4", h.Add(15*time.Minute), 4),              // oldest hour of api
	}
	putAll(t, s, loc, events)
	sources := []Source{{Loc: loc, Consumer: "api"}, {Loc: loc, Consumer: "billing"}}
	var runs [][]string
	for run, err := range Newest(ctxT(t), s, sources, Query{}, NewestOptions{Attempts: true}) {
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range run {
			ids = append(ids, o.ID)
		}
		runs = append(runs, ids)
	}
	id := func(i int) string { return events[i].ID }
	want := [][]string{{id(1), id(0)}, {id(2)}, {id(3)}}
	if fmt.Sprint(runs) != fmt.Sprint(want) {
		t.Fatalf("runs %v, want %v", runs, want)
	}

	// A caller that stops early stops the walk: the older hours are never
	// listed.
	mark := s.Calls.Total()
	for range Newest(ctxT(t), s, sources, Query{}, NewestOptions{}) {
		break
	}
	stopped := listCallsSince(s, mark)
	mark = s.Calls.Total()
	for range Newest(ctxT(t), s, sources, Query{}, NewestOptions{}) {
	}
	if whole := listCallsSince(s, mark); stopped >= whole {
		t.Errorf("stopping after the first run made %d listings, the whole walk %d", stopped, whole)
	}
}
