package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/archive"
)

// TestArchiveListShowsReplayAttempts: after a replay to a target answering
// 503, a new run of sluice (another process, as after a restart) lists the
// failed attempt: -o json in the event's attempts, the table in LAST
// ATTEMPT.
func TestArchiveListShowsReplayAttempts(t *testing.T) {
	sc := newArcScene(t)
	tg := newArcTarget(t, http.StatusServiceUnavailable)
	if _, _, err := sc.run(t, "replay", sc.keys[0], "--to", tg.URL, "--archive", arcArchive, "--yes", "--retries", "0"); err == nil {
		t.Fatal("a replay to a target answering 503 succeeded")
	}
	out := sc.mustRun(t, "archive", "ls", "--consumer", "orders-to-api", "--archive", arcArchive, "-o", "json")
	var objs []archive.Object
	if err := json.Unmarshal([]byte(out), &objs); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	for _, o := range objs {
		switch {
		case o.ID == sc.events[0].ID:
			if len(o.Attempts) != 1 {
				t.Fatalf("attempts of the replayed event: %+v", o.Attempts)
			}
			a := o.Attempts[0]
			if a.Status != "failed" || a.Code != "503" || a.Target != tg.URL || a.Tries != 1 || a.At.IsZero() || a.Key != sc.keys[0] {
				t.Errorf("attempt %+v", a)
			}
		case len(o.Attempts) != 0:
			t.Errorf("event %s was never replayed, yet has attempts %+v", o.ID, o.Attempts)
		}
	}
	if !strings.Contains(out, `"attempts": [`) {
		t.Errorf("-o json has no attempts field:\n%s", out)
	}
	table := sc.mustRun(t, "archive", "ls", "--consumer", "orders-to-api", "--archive", arcArchive)
	lines := strings.Split(table, "\n")
	if !strings.Contains(lines[0], "LAST ATTEMPT") || !strings.Contains(lines[1], "failed 503 ") || !strings.Contains(lines[2], " - ") {
		t.Errorf("table:\n%s", table)
	}
}
