package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// childEnv holds, in a test binary re-run as a replay child, what to
// replay: a childSpec as JSON.
const childEnv = "SLUICE_REPLAY_CHILD"

type childSpec struct {
	Engine      string                  `json:"engine"`
	Region      string                  `json:"region"`
	Archive     backend.ArchiveLocation `json:"archive"`
	Consumer    string                  `json:"consumer"`
	TargetURL   string                  `json:"targetUrl"`
	Concurrency int                     `json:"concurrency"`
	MarkBatch   int                     `json:"markBatch"`
}

// runReplayChildIfAsked runs, in a child process, the bulk replay the
// kill test kills part-way, and exits; in an ordinary test run it returns
// at once.
func runReplayChildIfAsked() {
	raw := os.Getenv(childEnv)
	if raw == "" {
		return
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	// A child whose test vanished without killing it stops by itself.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := backend.Open(ctx, backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal, Region: spec.Region},
		backend.Env{Local: func(context.Context) (string, error) { return spec.Engine, nil }, HTTPClient: enginetest.HTTPClient()})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	_, err = Bulk(ctx, s, Plan{Archive: spec.Archive, Target: httpTarget(spec.TargetURL), Query: archive.Query{Consumer: spec.Consumer}},
		Options{Concurrency: spec.Concurrency, MarkBatch: spec.MarkBatch, RetryBase: time.Millisecond, RetryCap: 5 * time.Millisecond})
	fmt.Println("finished:", err)
	os.Exit(0)
}

// TestBulkReplaySurvivesAKill replays 1,000 events to a target that fails
// one call in five, SIGKILLs the replaying process part-way, resumes, and
// checks that every event was delivered, that only events in flight at
// the kill or waiting for their manifest were delivered twice (at most
// concurrency + markBatch), and that each is marked exactly once.
func TestBulkReplaySurvivesAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const (
		n           = 1000
		concurrency = 8
		markBatch   = 50
		killAfter   = 300
	)
	s, e, loc := openArchive(t)
	events := archiveEvents(t, s, loc, "orders-to-api", time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC), n)

	tg := newTarget(t, func(call int) bool { return call%5 == 0 })
	// The call that makes killAfter is answered only once the child is
	// dead, so that at least that event is in flight at the kill.
	killNow, killed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	tg.setOnAccept(func(path string, accepted int) {
		if path == "/child" && accepted == killAfter {
			once.Do(func() { close(killNow) })
			select {
			case <-killed:
			case <-time.After(time.Minute):
			}
		}
	})

	spec, _ := json.Marshal(childSpec{Engine: e.URL, Region: e.Region, Archive: loc, Consumer: "orders-to-api",
		TargetURL: tg.URL + "/child", Concurrency: concurrency, MarkBatch: markBatch})
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+string(spec))
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	must(t, child.Start())
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	select {
	case <-killNow:
		must(t, child.Process.Kill()) // SIGKILL: no cleanup runs
		<-exited
		close(killed)
	case err := <-exited:
		t.Fatalf("the child ended before it was killed (%v): %s", err, out.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("the child accepted too few events")
	}

	// The archive as the kill left it. Manifests stay once written;
	// originals whose manifest is safe may still wait for their batched
	// delete.
	markedAtKill := replayTimes(t, s, loc) // id → when its manifest says it was replayed
	halfMarked := 0
	for _, o := range listAll(t, s, loc, "orders-to-api", false) {
		if _, ok := markedAtKill[o.ID]; ok {
			halfMarked++
		}
	}
	acceptedBeforeKill := acceptedIDs(tg, "/child")
	inFlight := map[string]bool{}
	for id := range acceptedBeforeKill {
		if _, ok := markedAtKill[id]; !ok {
			inFlight[id] = true
		}
	}
	t.Logf("at the kill: %d accepted, %d marked (%d of them with the original not yet deleted), %d in flight",
		len(acceptedBeforeKill), len(markedAtKill), halfMarked, len(inFlight))
	if len(acceptedBeforeKill) < killAfter || len(acceptedBeforeKill) == n {
		t.Fatalf("the kill came at %d accepted events", len(acceptedBeforeKill))
	}
	if len(inFlight) > concurrency+markBatch {
		t.Errorf("%d events accepted but not marked at the kill; at most %d in flight and %d waiting for their manifest", len(inFlight), concurrency, markBatch)
	}

	// Resume in this process until nothing fails (one call in five still does).
	for round := 1; ; round++ {
		sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(tg.URL + "/resume"), Query: archive.Query{Consumer: "orders-to-api"}},
			Options{Concurrency: concurrency, RetryBase: time.Millisecond, RetryCap: 5 * time.Millisecond})
		must(t, err)
		t.Logf("resume %d: %+v", round, struct{ Total, Sent, Skipped, Failed int }{sum.Total, sum.Sent, sum.Skipped, sum.Failed})
		// The first round finishes the half-marked events without sending
		// them. (Their number can differ a little from the count above: the
		// engine may still have been committing the child's last requests.)
		if sum.Failed == 0 {
			break
		}
		if round == 5 {
			t.Fatalf("still %d failing after %d rounds: %+v", sum.Failed, round, sum.Failures[0])
		}
	}

	// Every event delivered, with its exact bytes; duplicates only of
	// events in flight at the kill.
	delivered := map[string]int{}
	for _, r := range tg.seen() {
		if r.status != 200 {
			continue
		}
		delivered[r.key]++
		ev, ok := events[r.key]
		if !ok {
			t.Fatalf("target got unknown id %q", r.key)
		}
		if data, _ := ev.Record.Bytes(); string(data) != string(r.body) {
			t.Fatalf("%s: body %q, want %q", r.key, r.body, data)
		}
	}
	dups := 0
	for id := range events {
		switch c := delivered[id]; {
		case c == 0:
			t.Errorf("%s never delivered", id)
		case c > 1:
			dups++
			if !inFlight[id] {
				t.Errorf("%s delivered %d times but was not in flight at the kill", id, c)
			}
		}
	}
	t.Logf("%d duplicates, %d events were in flight", dups, len(inFlight))
	if dups == 0 {
		// The call that triggered the kill was accepted and answered only
		// after the kill.
		t.Error("no event was delivered twice, though one was in flight at the kill")
	}

	// Each marked exactly once: one copy each, no original left, and the
	// copies made before the kill untouched by the resume.
	if left := listAll(t, s, loc, "orders-to-api", false); len(left) != 0 {
		t.Fatalf("%d originals left, e.g. %s", len(left), left[0].Key)
	}
	copies := listAll(t, s, loc, "orders-to-api", true)
	seen := map[string]bool{}
	for _, o := range copies {
		if seen[o.ID] {
			t.Fatalf("%s has two copies", o.ID)
		}
		seen[o.ID] = true
	}
	for id, at := range replayTimes(t, s, loc) {
		if before, ok := markedAtKill[id]; ok && !before.Equal(at) {
			t.Errorf("%s was marked again on resume", id)
		}
	}
	if len(copies) != n {
		t.Fatalf("%d copies, want %d", len(copies), n)
	}
	// A listing shows each event once whatever its records: count the
	// marks in the manifests themselves.
	for id, marks := range marksInManifests(t, s, loc, "orders-to-api") {
		if marks != 1 {
			t.Errorf("%s is marked replayed %d times", id, marks)
		}
	}
	c, err := archive.Get(ctxT(t), s, loc.Bucket, copies[0].Key)
	must(t, err)
	if c.Replay == nil || c.Replay.Result != "accepted" || !strings.HasPrefix(c.Replay.Target, tg.URL) {
		t.Fatalf("copy's replay: %+v", c.Replay)
	}
}

// replayTimes reads every replayed copy's replay time.
func replayTimes(t *testing.T, s *backend.Session, loc backend.ArchiveLocation) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, o := range listAll(t, s, loc, "orders-to-api", true) {
		c, err := archive.Get(ctxT(t), s, loc.Bucket, o.Key)
		must(t, err)
		if c.Replay == nil {
			t.Fatalf("copy %s has no replay", o.Key)
		}
		out[o.ID] = c.Replay.At
	}
	return out
}

func acceptedIDs(tg *target, path string) map[string]bool {
	out := map[string]bool{}
	for _, r := range tg.seen() {
		if r.path == path && r.status == 200 {
			out[r.key] = true
		}
	}
	return out
}

// marksInManifests counts, by event id, the accepted attempts holding
// their event in every replay manifest of the consumer.
func marksInManifests(t *testing.T, s *backend.Session, loc backend.ArchiveLocation, consumer string) map[string]int {
	t.Helper()
	prefix := archive.ConsumerPrefix(loc.Prefix+archive.ReplayedDir+archive.ManifestsDir, consumer)
	out := map[string]int{}
	pages := s3.NewListObjectsV2Paginator(s.S3(), &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctxT(t))
		must(t, err)
		for _, o := range page.Contents {
			m, err := archive.GetManifest(ctxT(t), s, loc.Bucket, aws.ToString(o.Key))
			must(t, err)
			for _, a := range m.Attempts {
				if a.Event != nil && a.Status == "accepted" {
					out[a.ID]++
				}
			}
		}
	}
	return out
}
