package replay

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
)

// TestFailedReplayLeavesADurableTrace reproduces "a failed replay leaves
// no trace on the event": a target answering 503 used to leave the archive
// exactly as it was. It reads the archive as another machine would, with
// its own S3 client, and needs nothing of this package but One.
func TestFailedReplayLeavesADurableTrace(t *testing.T) {
	s, e, loc := openArchive(t)
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	ev := newEvent("orders-to-api", "customer-1", at, 1, []byte(`{"order":1}`))
	key, err := archive.Put(ctxT(t), s, loc, ev)
	must(t, err)
	srv := newStatusServer(t, func() int { return http.StatusServiceUnavailable })

	if _, err := One(ctxT(t), s, loc, key, httpTarget(srv.URL)); err == nil {
		t.Fatal("a replay to a target answering 503 succeeded")
	}

	out, err := e.S3().ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(loc.Prefix + "_replayed/")})
	must(t, err)
	var found []map[string]any
	for _, o := range out.Contents {
		got, err := e.S3().GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: o.Key})
		must(t, err)
		var body struct {
			Attempts []map[string]any `json:"attempts"`
		}
		err = json.NewDecoder(got.Body).Decode(&body)
		got.Body.Close()
		must(t, err)
		found = append(found, body.Attempts...)
	}
	if len(found) != 1 {
		t.Fatalf("the archive under %s_replayed/ records %d attempts, want the failed one: %v", loc.Prefix, len(found), found)
	}
	a := found[0]
	if a["id"] != ev.ID || a["status"] != "failed" || a["target"] != srv.URL || !strings.Contains(a["detail"].(string), "503") {
		t.Errorf("attempt %v: want event %s failed with 503 at %s", a, ev.ID, srv.URL)
	}
}

// TestAttemptsSurviveARestartAndJoinTheAcceptedReplay: the failed
// attempts of one event and of a bulk run are read back by a new session
// (a restart, another machine), one manifest per batch and hour; a later
// accepted replay keeps them, and adds its own in the copy.
func TestAttemptsSurviveARestartAndJoinTheAcceptedReplay(t *testing.T) {
	s, e, loc := openArchive(t)
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	events := archiveEvents(t, s, loc, "orders-to-api", start, 4) // all in the 09:00 hour
	var keys []string
	for _, o := range listAll(t, s, loc, "orders-to-api", false) {
		keys = append(keys, o.Key)
	}
	status := http.StatusServiceUnavailable
	srv := newStatusServer(t, func() int { return status })
	clock := start.Add(2 * time.Hour)
	opts := Options{Retries: 1, RetryBase: time.Millisecond, Now: func() time.Time { return clock }}

	// One event, then all four in bulk.
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Keys: keys[:1]}, opts)
	must(t, err)
	if sum.Failed != 1 {
		t.Fatalf("one: %+v", sum)
	}
	clock = clock.Add(time.Minute)
	sum, err = Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: "orders-to-api"}}, opts)
	must(t, err)
	if sum.Failed != 4 {
		t.Fatalf("bulk: %+v", sum)
	}

	// A new session reads what the first wrote.
	s2 := backendtest.OpenOn(t, e, backend.Env{})
	manifests, err := archive.ListManifests(ctxT(t), s2, loc, "orders-to-api", start)
	must(t, err)
	if len(manifests) != 2 {
		t.Fatalf("manifests %v: want one per batch (the single replay's, the bulk run's)", manifests)
	}
	h, err := archive.HourHistory(ctxT(t), s2, loc, "orders-to-api", start, archive.ManyOptions{})
	must(t, err)
	if len(h) != len(events) {
		t.Fatalf("history of %d events, want %d", len(h), len(events))
	}
	first := keys[0]
	p, _, _ := archive.ParseKey(loc.Prefix, first)
	got := h[p.ID]
	if len(got) != 2 {
		t.Fatalf("attempts of %s: %+v, want two", p.ID, got)
	}
	want := archive.Attempt{ID: p.ID, Key: first, At: start.Add(2 * time.Hour), Target: srv.URL, Status: "failed", Code: "503", Tries: 2}
	if g := got[0]; g.ID != want.ID || g.Key != want.Key || !g.At.Equal(want.At) || g.Target != want.Target || g.Status != want.Status || g.Code != want.Code || g.Tries != want.Tries {
		t.Errorf("first attempt %+v, want %+v", g, want)
	}
	if !strings.Contains(got[0].Detail, "503 Service Unavailable") {
		t.Errorf("detail %q does not hold the answer", got[0].Detail)
	}
	if !got[1].At.After(got[0].At) {
		t.Errorf("attempts not oldest first: %+v", got)
	}

	// The target is back: the accepted replay marks the event as before,
	// and the failed attempts stay in its history.
	status = http.StatusOK
	clock = clock.Add(time.Minute)
	res, err := One(ctxT(t), s2, loc, first, httpTarget(srv.URL))
	must(t, err)
	if res.Marked == "" || res.Code != "200" {
		t.Fatalf("accepted: %+v", res)
	}
	copied, err := archive.Get(ctxT(t), s2, loc.Bucket, res.Marked)
	must(t, err)
	if copied.Replay == nil || copied.Replay.Result != "accepted" || copied.Replay.Code != "200" || copied.Replay.Tries != 1 {
		t.Errorf("the copy's replay %+v", copied.Replay)
	}
	if ok, _ := archive.Exists(ctxT(t), s2, loc.Bucket, first); ok {
		t.Error("the original is still there after an accepted replay")
	}
	h, err = archive.HourHistory(ctxT(t), s2, loc, "orders-to-api", start, archive.ManyOptions{})
	must(t, err)
	if got := h[p.ID]; len(got) != 3 || got[2].Status != "accepted" || got[2].Event != nil {
		t.Errorf("after the accepted replay the history holds %+v, want the 2 failed attempts and the accepted one (without its event)", got)
	}
	objs := listAll(t, s2, loc, "orders-to-api", true)
	must(t, archive.AttachAttempts(ctxT(t), s2, loc, objs, archive.ManyOptions{}))
	if len(objs) != 1 || len(objs[0].Attempts) != 3 {
		t.Errorf("the replayed event's listing carries %+v", objs)
	}
}

// TestRecordingAttemptsIsAWrite: a read-only session records nothing, and
// says why.
func TestRecordingAttemptsIsAWrite(t *testing.T) {
	_, e, loc := openArchive(t)
	ro := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	key := archive.Key(loc.Prefix, archive.KeyParts{Consumer: "c", Arrival: time.Now(), PartitionKey: "k", ID: "x"})
	_, err := archive.WriteAttempts(ctxT(t), ro, loc, []archive.Attempt{{ID: "x", Key: key, Status: "failed"}}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only write: %v", err)
	}
}
