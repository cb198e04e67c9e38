package common

import (
	"errors"
	"testing"
	"time"
)

func TestFreshnessSaysHowOldAndWhenDue(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var f Freshness
	if !f.Due(t0) || f.Line(t0) != "" {
		t.Fatalf("never read: due %v, line %q", f.Due(t0), f.Line(t0))
	}
	f.Start(t0)
	if f.Due(t0.Add(RefreshEvery)) {
		t.Fatal("due while a read is in flight")
	}
	f.Succeeded(t0.Add(time.Second))
	if got := f.Line(t0.Add(13 * time.Second)); got != "updated 12s ago" {
		t.Fatalf("line %q", got)
	}
	if f.Due(t0.Add(RefreshEvery - time.Second)) {
		t.Fatal("due before the cadence")
	}
	if !f.Due(t0.Add(RefreshEvery)) {
		t.Fatal("not due after the cadence")
	}
	f.Start(t0.Add(RefreshEvery))
	f.Failed(t0.Add(RefreshEvery), errors.New("denied"))
	if got := f.Line(t0.Add(RefreshEvery + 5*time.Second)); got != "refresh failed 5s ago, showing what was read 34s ago: denied" {
		t.Fatalf("line %q", got)
	}
	// A read that never answers does not stop the refreshes.
	f.Start(t0.Add(time.Hour))
	if f.Due(t0.Add(time.Hour+CallTimeout)) || !f.Due(t0.Add(time.Hour+CallTimeout+RefreshEvery)) {
		t.Fatal("a hung read held the refreshes")
	}
	if Ago(t0, t0.Add(-90*time.Minute)) != "1h ago" || Ago(t0, t0) != "just now" {
		t.Fatal("ago")
	}
}
