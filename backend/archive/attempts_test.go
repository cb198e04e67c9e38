package archive

import (
	"slices"
	"testing"
	"time"
)

// TestManifestsHoldManyEventsAndHideFromConsumers: one write of attempts
// across two hours is two manifests (one per hour), each read back whole;
// the _manifests/ folder is never taken for a consumer, nor its objects
// for events.
func TestManifestsHoldManyEventsAndHideFromConsumers(t *testing.T) {
	s, _, loc := openArchive(t)
	nine := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var attempts []Attempt
	for i, at := range []time.Time{nine.Add(time.Minute), nine.Add(2 * time.Minute), nine.Add(time.Hour + time.Minute)} {
		e := event("orders-to-api", "k", at, i)
		k := put(t, s, loc, e)
		attempts = append(attempts, Attempt{ID: e.ID, Key: k, At: nine.Add(3 * time.Hour), Target: "https://api", Status: "failed", Code: "503", Tries: 4})
	}
	keys, err := WriteAttempts(ctxT(t), s, loc, attempts, nine.Add(3*time.Hour))
	if err != nil || len(keys) != 2 {
		t.Fatalf("manifests %v %v: want one per hour", keys, err)
	}
	h, err := HourHistory(ctxT(t), s, loc, "orders-to-api", nine, ManyOptions{})
	if err != nil || len(h) != 2 {
		t.Fatalf("09:00 history %v %v", h, err)
	}
	if a, ok := h.Last(attempts[1].ID); !ok || a != attempts[1] {
		t.Errorf("last attempt %+v, want %+v", a, attempts[1])
	}
	cons, err := Consumers(ctxT(t), s, loc)
	if err != nil || !slices.Equal(cons, []string{"orders-to-api"}) {
		t.Errorf("consumers %v %v", cons, err)
	}
	replayed, err := ListHour(ctxT(t), s, loc, "orders-to-api", nine, true)
	if err != nil || len(replayed) != 0 {
		t.Errorf("replayed copies %v %v: manifests are not copies", replayed, err)
	}
	// The same manifest read twice adds nothing.
	m, err := GetManifest(ctxT(t), s, loc.Bucket, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	h.Add(m)
	if n := len(h[attempts[0].ID]); n != 1 {
		t.Errorf("%d attempts after adding a manifest twice", n)
	}
}
