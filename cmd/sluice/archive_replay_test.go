package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/replay"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// arcScene is an engine with an archive of two consumers' events, and
// sluice's paths pointed at temporary folders.
type arcScene struct {
	e      *enginetest.Engine
	s      *backend.Session
	loc    backend.ArchiveLocation
	events []archive.Event // newest first
	keys   []string        // of events
}

const arcArchive = "s3://archive/failed/"

func newArcScene(t *testing.T) *arcScene {
	t.Helper()
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"} {
		t.Setenv(v, t.TempDir())
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
	e := enginetest.Start(t)
	sc := &arcScene{e: e, s: backendtest.OpenOn(t, e, backend.Env{}), loc: backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}}
	ctx := context.Background()
	if _, err := sc.s.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, c := range []struct {
		consumer, pk string
		ago          time.Duration
		data         []byte
	}{
		{"orders-to-api", "customer-1", 10 * time.Minute, []byte(`{"order":1,"note":"<&>"}`)},
		{"billing", "customer-9", 20 * time.Minute, []byte(`{"invoice":9}`)},
		{"orders-to-api", "evil\x1b[2J", time.Hour, []byte("\x1b]52;c;aGk=\x07 binary \xff")},
		{"orders-to-api", "customer-1", 3 * time.Hour, []byte(`{"order":3}`)},
	} {
		arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
		ev := archive.Event{ID: archive.EventID(arn, "shardId-000000000000", fmt.Sprint(i)), Consumer: c.consumer,
			Record: archive.Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(i),
				PartitionKey: c.pk, ArrivalTime: now.Add(-c.ago).Truncate(time.Millisecond)},
			Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", DLQ: "orders-dlq", FailedAt: now}}
		ev.Record.SetData(c.data)
		k, err := archive.Put(ctx, sc.s, sc.loc, ev)
		if err != nil {
			t.Fatal(err)
		}
		sc.events, sc.keys = append(sc.events, ev), append(sc.keys, k)
	}
	return sc
}

// run runs sluice against the engine, with stdin that is not a terminal.
func (sc *arcScene) run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", sc.e.URL))
	root.SetIn(strings.NewReader(""))
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func (sc *arcScene) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := sc.run(t, args...)
	if err != nil {
		t.Fatalf("sluice %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func (sc *arcScene) exists(t *testing.T, key string) bool {
	t.Helper()
	ok, err := archive.Exists(context.Background(), sc.s, sc.loc.Bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func arcLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	dec := json.NewDecoder(strings.NewReader(s))
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v in %q", err, s)
		}
		out = append(out, v)
	}
	return out
}

func idsOf(objs []archive.Object) []string {
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	return ids
}

func TestArchiveList(t *testing.T) {
	sc := newArcScene(t)
	ev := sc.events
	got := arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--consumer", "orders-to-api", "--archive", arcArchive, "-o", "jsonl"))
	if want := []string{ev[0].ID, ev[2].ID, ev[3].ID}; fmt.Sprint(idsOf(got)) != fmt.Sprint(want) {
		t.Fatalf("orders-to-api: %v, want %v", idsOf(got), want)
	}
	// Every consumer, merged newest first.
	got = arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "-o", "jsonl"))
	if want := []string{ev[0].ID, ev[1].ID, ev[2].ID, ev[3].ID}; fmt.Sprint(idsOf(got)) != fmt.Sprint(want) {
		t.Fatalf("all: %v, want %v", idsOf(got), want)
	}
	// A time range (durations ago), a partition key, a limit that says so.
	got = arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "--since", "2h", "--until", "15m", "-o", "jsonl"))
	if want := []string{ev[1].ID, ev[2].ID}; fmt.Sprint(idsOf(got)) != fmt.Sprint(want) {
		t.Fatalf("since 2h until 15m: %v, want %v", idsOf(got), want)
	}
	got = arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "--consumer", "orders-to-api", "--key", "customer-1", "-o", "jsonl"))
	if want := []string{ev[0].ID, ev[3].ID}; fmt.Sprint(idsOf(got)) != fmt.Sprint(want) {
		t.Fatalf("key customer-1: %v, want %v", idsOf(got), want)
	}
	out, errOut, err := sc.run(t, "archive", "ls", "--archive", arcArchive, "--limit", "2", "-o", "json")
	var limited []archive.Object
	if err != nil || json.Unmarshal([]byte(out), &limited) != nil || len(limited) != 2 || !strings.Contains(errOut, "--limit 2") {
		t.Fatalf("limit: %v %q %q", err, out, errOut)
	}
	// The table: headers, and untrusted text made inert.
	table := sc.mustRun(t, "archive", "ls", "--archive", arcArchive)
	if !strings.HasPrefix(table, "ARRIVAL") || !strings.Contains(table, "PARTITION KEY") || strings.Contains(table, "\x1b") ||
		!strings.Contains(table, `evil\x1b[2J`) || strings.Count(table, "\n") != 5 {
		t.Fatalf("table:\n%s", table)
	}
	for _, bad := range [][]string{{"--since", "yesterday"}, {"--limit", "-1"}} {
		if _, _, err := sc.run(t, append([]string{"archive", "ls", "--archive", arcArchive}, bad...)...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if _, _, err := sc.run(t, "archive", "ls", "--consumer", "orders-to-api"); err == nil || !strings.Contains(err.Error(), "no archive known") {
		t.Errorf("no archive: %v", err)
	}
}

func TestArchiveGet(t *testing.T) {
	sc := newArcScene(t)
	// The key alone: the prefix is read from it, the bucket from --archive.
	out := sc.mustRun(t, "archive", "get", sc.keys[0], "--archive", "s3://archive/")
	for _, want := range []string{"partition key  customer-1", "RetryAttemptsExhausted pipe", "data           JSON", `"note": "<&>"`} {
		if !strings.Contains(out, want) {
			t.Errorf("get: no %q in\n%s", want, out)
		}
	}
	// Terminal escapes in the data and the key are shown inert.
	out = sc.mustRun(t, "archive", "get", "s3://archive/"+sc.keys[2])
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `evil\x1b[2J`) || !strings.Contains(out, "Binary") {
		t.Fatalf("binary event:\n%q", out)
	}
	// -o json: the object as stored.
	raw := sc.mustRun(t, "archive", "get", "s3://archive/"+sc.keys[0], "-o", "json")
	body, _ := sc.events[0].Marshal()
	if raw != string(body) {
		t.Fatalf("json:\n%s\nwant\n%s", raw, body)
	}
	line := sc.mustRun(t, "archive", "get", "s3://archive/"+sc.keys[0], "-o", "jsonl")
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, `"note":"<&>"`) {
		t.Fatalf("jsonl: %q", line)
	}
	if _, _, err := sc.run(t, "archive", "get", "failed/orders-to-api/not-a-key.json", "--archive", arcArchive); err == nil {
		t.Fatal("bad key: no error")
	}
	if _, _, err := sc.run(t, "archive", "get", sc.keys[0]); err == nil || !strings.Contains(err.Error(), "s3://BUCKET/KEY") {
		t.Fatalf("no bucket: %v", err)
	}
}

func TestArchiveMarkAndRemove(t *testing.T) {
	sc := newArcScene(t)
	k := sc.keys[0]
	args := []string{"archive", "mark", k, "--archive", arcArchive, "--target", "https://api.example/orders", "--result", "sent by hand"}
	if _, _, err := sc.run(t, args...); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("unconfirmed: %v", err)
	}
	if _, _, err := sc.run(t, append(args, "--yes", "--readonly")...); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only: %v", err)
	}
	if !sc.exists(t, k) {
		t.Fatal("refused mark changed the archive")
	}
	out := sc.mustRun(t, append(args, "--yes")...)
	if !strings.Contains(out, archive.ReplayedKey(sc.loc.Prefix, k)) || sc.exists(t, k) {
		t.Fatalf("mark: %s", out)
	}
	c, err := archive.Get(context.Background(), sc.s, sc.loc.Bucket, archive.ReplayedKey(sc.loc.Prefix, k))
	if err != nil || c.Replay == nil || c.Replay.Target != "https://api.example/orders" || c.Replay.Result != "sent by hand" {
		t.Fatalf("copy: %+v %v", c.Replay, err)
	}
	got := arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "--replayed", "-o", "jsonl"))
	if len(got) != 1 || got[0].ID != sc.events[0].ID || !got[0].Replayed {
		t.Fatalf("replayed: %+v", got)
	}

	rm := []string{"archive", "rm", sc.keys[1], "s3://archive/" + sc.keys[3], "--archive", arcArchive}
	if _, _, err := sc.run(t, append(rm, "--yes", "--readonly")...); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only rm: %v", err)
	}
	if _, _, err := sc.run(t, rm...); err == nil {
		t.Fatal("unconfirmed rm: no error")
	}
	sc.mustRun(t, append(rm, "--yes")...)
	if sc.exists(t, sc.keys[1]) || sc.exists(t, sc.keys[3]) || !sc.exists(t, sc.keys[2]) {
		t.Fatal("rm removed the wrong events")
	}
	if _, _, err := sc.run(t, "archive", "rm", "failed/README.txt", "--archive", arcArchive, "--yes"); err == nil {
		t.Fatal("rm of a key that is no event: no error")
	}
}

// arcTarget is an HTTP replay target that records idempotency keys and
// bodies, answering status().
type arcTarget struct {
	*httptest.Server
	mu     sync.Mutex
	keys   []string
	bodies map[string][]byte
	status int
}

func newArcTarget(t *testing.T, status int) *arcTarget {
	tg := &arcTarget{bodies: map[string][]byte{}, status: status}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		defer tg.mu.Unlock()
		if tg.status == http.StatusOK {
			k := r.Header.Get("Idempotency-Key")
			tg.keys = append(tg.keys, k)
			tg.bodies[k] = body
		}
		w.WriteHeader(tg.status)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *arcTarget) received() []string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]string(nil), tg.keys...)
}

func TestReplayDryRunAndReadOnly(t *testing.T) {
	sc := newArcScene(t)
	tg := newArcTarget(t, http.StatusOK)
	base := []string{"replay", "--consumer", "orders-to-api", "--since", "2h", "--to", tg.URL, "--archive", arcArchive}
	out, errOut, err := sc.run(t, append(base, "--dry-run", "--readonly", "-o", "json")...)
	if err != nil {
		t.Fatalf("dry run: %v %s", err, errOut)
	}
	var sum replay.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || !sum.DryRun || len(sum.Planned) != 2 {
		t.Fatalf("dry run: %s %v", out, err)
	}
	// The plan is written as the events are read, in the order they are.
	i := slices.IndexFunc(sum.Planned, func(p replay.Result) bool { return p.ID == sc.events[0].ID })
	if i < 0 {
		t.Fatalf("planned %+v: no %s", sum.Planned, sc.events[0].ID)
	}
	if p := sum.Planned[i]; p.Target != tg.URL || p.Key != sc.keys[0] || p.Size != len(`{"order":1,"note":"<&>"}`) {
		t.Fatalf("planned %+v", p)
	}
	lines := sc.mustRun(t, append(base, "--dry-run", "-o", "jsonl")...)
	if n := strings.Count(lines, "\n"); n != 2 || !strings.Contains(lines, `"status":"dry-run"`) {
		t.Fatalf("dry-run jsonl, want a line per event:\n%s", lines)
	}
	table := sc.mustRun(t, append(base, "--dry-run")...)
	if !strings.HasPrefix(table, "TARGET") || strings.Contains(table, "\x1b") || strings.Count(table, "\n") != 3 {
		t.Fatalf("dry-run table:\n%s", table)
	}
	if len(tg.received()) != 0 || !sc.exists(t, sc.keys[0]) {
		t.Fatal("dry run sent or marked")
	}
	if _, _, err := sc.run(t, append(base, "--yes", "--readonly")...); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only: %v", err)
	}
	if _, _, err := sc.run(t, base...); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("unconfirmed: %v", err)
	}
	if len(tg.received()) != 0 {
		t.Fatal("a refused replay sent")
	}
	for _, bad := range [][]string{
		{"replay"},
		{"replay", "--consumer", "orders-to-api"},
		{"replay", sc.keys[0], "--consumer", "orders-to-api"},
		{"replay", "--consumer", "orders-to-api", "--since", "1h", "--to", "ftp://x", "--archive", arcArchive},
		{"replay", "--consumer", "orders-to-api", "--since", "1h", "--archive", arcArchive},
	} {
		if _, _, err := sc.run(t, append(bad, "--yes")...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestReplayByKeyAndByConsumer(t *testing.T) {
	sc := newArcScene(t)
	tg := newArcTarget(t, http.StatusOK)
	// One event by key: sent with its id as idempotency key, then marked.
	out, errOut, err := sc.run(t, "replay", sc.keys[0], "--to", tg.URL+"/orders", "--archive", arcArchive, "--yes")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if got := tg.received(); len(got) != 1 || got[0] != sc.events[0].ID || string(tg.bodies[got[0]]) != `{"order":1,"note":"<&>"}` {
		t.Fatalf("target got %v", got)
	}
	if !strings.Contains(out, "accepted") || !strings.Contains(errOut, "1 of 1 event sent and marked") || sc.exists(t, sc.keys[0]) {
		t.Fatalf("out %s\nerr %s", out, errOut)
	}
	// Marked in a replay manifest, which archive ls --replayed lists.
	ls := sc.mustRun(t, "archive", "ls", "--consumer", "orders-to-api", "--replayed", "--archive", arcArchive, "-o", "jsonl")
	var entry archive.Object
	if err := json.Unmarshal([]byte(strings.TrimSpace(ls)), &entry); err != nil || entry.ID != sc.events[0].ID || !strings.Contains(entry.Key, archive.ManifestsDir) {
		t.Fatalf("archive ls --replayed after the replay (%v):\n%s", err, ls)
	}
	// archive get reads the manifest's entry as it reads a copy, by key
	// alone.
	got := sc.mustRun(t, "archive", "get", "s3://"+sc.loc.Bucket+"/"+entry.Key, "-o", "json")
	var ev archive.Event
	if err := json.Unmarshal([]byte(got), &ev); err != nil || ev.ID != entry.ID || ev.Replay == nil || ev.Replay.Result != "accepted" {
		t.Fatalf("archive get %s: %v\n%s", entry.Key, err, got)
	}

	// Then the consumer's events since 4h: the one marked is not sent
	// again; the binary one arrives byte for byte.
	out, errOut, err = sc.run(t, "replay", "--consumer", "orders-to-api", "--since", "4h", "--to", tg.URL+"/orders", "--archive", arcArchive, "--yes", "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var sum replay.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Sent != 2 || sum.Failed != 0 || sum.Total != 2 {
		t.Fatalf("summary %s %v", out, err)
	}
	if got := tg.received(); len(got) != 3 {
		t.Fatalf("target got %v", got)
	}
	if data, _ := sc.events[2].Record.Bytes(); !bytes.Equal(tg.bodies[sc.events[2].ID], data) {
		t.Fatalf("binary body %q", tg.bodies[sc.events[2].ID])
	}
	// Nothing left: said, and no question asked.
	if _, errOut, err := sc.run(t, "replay", "--consumer", "orders-to-api", "--since", "4h", "--to", tg.URL, "--archive", arcArchive); err != nil || !strings.Contains(errOut, "no events") {
		t.Fatalf("nothing to replay: %v %s", err, errOut)
	}
	left := arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "-o", "jsonl"))
	if len(left) != 1 || left[0].Consumer != "billing" {
		t.Fatalf("left %+v", left)
	}
}

func TestReplayFailureExitsNonZeroAndKeepsTheEvents(t *testing.T) {
	sc := newArcScene(t)
	tg := newArcTarget(t, http.StatusServiceUnavailable)
	out, errOut, err := sc.run(t, "replay", "--consumer", "orders-to-api", "--since", "4h", "--to", tg.URL, "--archive", arcArchive,
		"--yes", "--retries", "0")
	if err == nil || !strings.Contains(err.Error(), "3 events not replayed") {
		t.Fatalf("err %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(out, "FAILED") || strings.Count(out, "HTTP 503") != 3 || !strings.Contains(errOut, "3 failed") {
		t.Fatalf("out:\n%s\nerr:\n%s", out, errOut)
	}
	for _, k := range []string{sc.keys[0], sc.keys[2], sc.keys[3]} {
		if !sc.exists(t, k) {
			t.Fatalf("%s left the archive", k)
		}
	}
}

func TestReplayUsesThePipelineOfTheConfig(t *testing.T) {
	sc := newArcScene(t)
	tg := newArcTarget(t, http.StatusOK)
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "sluice")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("pipelines:\n  - consumer: orders-to-api\n    archive: %s\n    replay_target: %s\n", arcArchive, tg.URL)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// No --archive, no --to: both come from the consumer's pipeline, and a
	// key alone finds its archive through its consumer.
	got := arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "--consumer", "orders-to-api", "-o", "jsonl"))
	if len(got) != 3 {
		t.Fatalf("ls: %+v", got)
	}
	// Without --consumer: every consumer in the archives the pipelines name.
	if got := arcLines[archive.Object](t, sc.mustRun(t, "archive", "ls", "-o", "jsonl")); len(got) != 4 {
		t.Fatalf("ls of every consumer: %+v", got)
	}
	if out := sc.mustRun(t, "archive", "get", sc.keys[3]); !strings.Contains(out, sc.events[3].ID) {
		t.Fatalf("get: %s", out)
	}
	sc.mustRun(t, "replay", sc.keys[3], "--yes")
	if got := tg.received(); len(got) != 1 || got[0] != sc.events[3].ID {
		t.Fatalf("target got %v", got)
	}
	// billing has no pipeline.
	if _, _, err := sc.run(t, "replay", sc.keys[1], "--yes"); err == nil || !strings.Contains(err.Error(), "billing") {
		t.Fatalf("billing: %v", err)
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"2h":                   now.Add(-2 * time.Hour),
		"90m":                  now.Add(-90 * time.Minute),
		"7d":                   now.AddDate(0, 0, -7),
		"2026-11-27T09:00:00Z": time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
	} {
		got, err := parseWhen("since", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-2h", "2026-11-27", "xd"} {
		if _, err := parseWhen("since", bad, now); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
