package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// streamScene is an archive of one consumer, orders-to-api, with events
// in two hours of the last day, behind a fault proxy.
type streamScene struct {
	e        *enginetest.Engine
	p        *faultproxy.Proxy
	newer    []string // keys of the newer hour's events
	older    []string // keys of the older hour's
	newHour  string   // the S3 prefix of the newer hour
	olderDir string   // the S3 prefix of the older hour
}

func newStreamScene(t *testing.T, perHour int) *streamScene {
	t.Helper()
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"} {
		t.Setenv(v, t.TempDir())
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
	e := enginetest.Start(t)
	s := backendtest.OpenOn(t, e, backend.Env{})
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	if _, err := s.S3().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	hour := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	sc := &streamScene{e: e, p: faultproxy.Start(t, e.URL),
		newHour: archive.HourPrefix(loc.Prefix, "orders-to-api", hour), olderDir: archive.HourPrefix(loc.Prefix, "orders-to-api", hour.Add(-3*time.Hour))}
	sc.newer = putArchived(t, s, loc, "orders-to-api", hour.Add(30*time.Minute), perHour)
	sc.older = putArchived(t, s, loc, "orders-to-api", hour.Add(-3*time.Hour+30*time.Minute), perHour)
	return sc
}

// putArchived archives n events of consumer that arrived a millisecond
// apart from at on, eight at a time, and returns their keys.
func putArchived(t *testing.T, s *backend.Session, loc backend.ArchiveLocation, consumer string, at time.Time, n int) []string {
	t.Helper()
	const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	keys := make([]string, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			seq := fmt.Sprint(at.UnixMilli()*10_000 + int64(i))
			ev := archive.Event{ID: archive.EventID(arn, "shardId-000000000000", seq), Consumer: consumer,
				Record: archive.Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: seq,
					PartitionKey: fmt.Sprintf("customer-%d", i), ArrivalTime: at.Add(time.Duration(i) * time.Millisecond)},
				Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", FailedAt: at}}
			ev.Record.SetData([]byte(`{"order":1}`))
			k, err := archive.Put(context.Background(), s, loc, ev)
			keys[i] = k
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// run runs sluice through the proxy with stdout in out.
func (sc *streamScene) run(t *testing.T, out *lockedBuffer, args ...string) (stderr string, err error) {
	t.Helper()
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", sc.p.URL))
	var errOut bytes.Buffer
	root.SetIn(strings.NewReader(""))
	root.SetOut(out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return errOut.String(), err
}

// listsHour matches the listing of the events of the hour at prefix.
func listsHour(prefix string) func(faultproxy.Request) bool {
	return func(r faultproxy.Request) bool {
		return r.Method == http.MethodGet && r.Query.Get("list-type") == "2" && r.Query.Get("delimiter") == "" &&
			r.Query.Get("prefix") == prefix
	}
}

// The first hour's events are on stdout before the second hour is even
// asked for: the listing is written as it is read, in every format that
// a script reads.
func TestArchiveListWritesRowsBeforeTheListingEnds(t *testing.T) {
	sc := newStreamScene(t, 3)
	for _, format := range []string{"jsonl", "json"} {
		t.Run(format, func(t *testing.T) {
			var out lockedBuffer
			var seen []string // stdout each time the older hour was asked for
			var mu sync.Mutex
			sc.p.Clear()
			sc.p.Add(&faultproxy.Rule{Match: func(r faultproxy.Request) bool {
				if listsHour(sc.olderDir)(r) {
					mu.Lock()
					seen = append(seen, out.String())
					mu.Unlock()
				}
				return false // let it through
			}})
			args := []string{"archive", "ls", "--consumer", "orders-to-api", "--archive", "s3://archive/failed/", "--since", "7d", "-o", format}
			if stderr, err := sc.run(t, &out, args...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if len(seen) != 1 {
				t.Fatalf("the older hour was listed %d times, want once", len(seen))
			}
			for _, k := range sc.newer {
				if !strings.Contains(seen[0], k) {
					t.Errorf("when the older hour was asked for, stdout did not yet hold %s:\n%s", k, seen[0])
				}
			}
			for _, k := range sc.older {
				if strings.Contains(seen[0], k) || !strings.Contains(out.String(), k) {
					t.Errorf("older event %s: printed before its hour was read, or never", k)
				}
			}
			if format == "json" {
				var objs []archive.Object
				if err := json.Unmarshal([]byte(out.String()), &objs); err != nil || len(objs) != 6 {
					t.Fatalf("streamed array: %v, %d objects:\n%s", err, len(objs), out.String())
				}
			}
		})
	}
}

// A listing that fails after some rows were written keeps them, ends the
// JSON array so that it stays valid, names the failure on stderr and
// exits as a partial listing.
func TestArchiveListFailingMidwayIsPartialAndValidJSON(t *testing.T) {
	sc := newStreamScene(t, 2)
	sc.p.Add(&faultproxy.Rule{Match: listsHour(sc.olderDir), Fault: faultproxy.Denied("s3:ListBucket", "arn:aws:s3:::archive")})
	var out lockedBuffer
	stderr, err := sc.run(t, &out, "archive", "ls", "--consumer", "orders-to-api", "--archive", "s3://archive/failed/", "-o", "json")
	wantPartial(t, "archive ls", err, stderr, "failed: s3", "denied")
	var objs []archive.Object
	if err := json.Unmarshal([]byte(out.String()), &objs); err != nil || len(objs) != 2 || objs[0].Key != sc.newer[1] {
		t.Fatalf("rows before the failure: %v, %d objects:\n%s", err, len(objs), out.String())
	}
	// Failing before any row is an error, as it always was: nothing to
	// show, no array.
	sc.p.Clear()
	sc.p.Add(&faultproxy.Rule{Match: listsHour(sc.newHour), Fault: faultproxy.Denied("s3:ListBucket", "arn:aws:s3:::archive")})
	out = lockedBuffer{}
	_, err = sc.run(t, &out, "archive", "ls", "--consumer", "orders-to-api", "--archive", "s3://archive/failed/", "-o", "json")
	if err == nil || exitStatus(err) == exitPartial || out.String() != "" {
		t.Fatalf("failing at once: %v (exit %d), stdout %q", err, exitStatus(err), out.String())
	}
}

// A table stops at its default limit and says how to see the rest; json
// and jsonl have no default limit.
func TestArchiveListTableDefaultLimit(t *testing.T) {
	sc := newStreamScene(t, (defaultTableLimit+2)/2) // one event more than the limit
	total := len(sc.newer) + len(sc.older)
	args := []string{"archive", "ls", "--consumer", "orders-to-api", "--archive", "s3://archive/failed/"}

	var out lockedBuffer
	if stderr, err := sc.run(t, &out, args...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1+defaultTableLimit+1 || !strings.HasPrefix(lines[0], "ARRIVAL") {
		t.Fatalf("table: %d lines, want a header, %d rows and the note; first %q", len(lines), defaultTableLimit, lines[0])
	}
	if note := lines[len(lines)-1]; note != "… more; use --limit 0 or -o jsonl" {
		t.Errorf("last line %q, want the note", note)
	}
	if strings.Contains(out.String(), sc.older[0]) {
		t.Errorf("the oldest event is past the limit but was printed")
	}

	out = lockedBuffer{}
	if stderr, err := sc.run(t, &out, append(args, "--limit", "0")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := strings.Count(out.String(), "\n"); n != 1+total || strings.Contains(out.String(), "more;") {
		t.Errorf("--limit 0: %d lines, want a header and %d rows, no note", n, total)
	}

	out = lockedBuffer{}
	if stderr, err := sc.run(t, &out, append(args, "-o", "jsonl")...); err != nil || stderr != "" {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := len(arcLines[archive.Object](t, out.String())); n != total {
		t.Errorf("jsonl: %d events, want all %d", n, total)
	}
}
