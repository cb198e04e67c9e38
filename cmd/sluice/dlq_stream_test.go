package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/dlq"
)

// dlqVia runs sluice through the proxy with stdout in out.
func dlqVia(t *testing.T, p *faultproxy.Proxy, out *lockedBuffer, args ...string) (stderr string, err error) {
	t.Helper()
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", p.URL))
	var errOut bytes.Buffer
	root.SetIn(strings.NewReader(""))
	root.SetOut(out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return errOut.String(), err
}

// A peek and an export write each message as it is received: by the time
// the browse releases the messages (its last step), every one is on
// stdout already. The streamed -o json is the browse's object, the same
// text encoding/json writes for it whole.
func TestDLQPeekAndExportWriteMessagesAsTheyAreReceived(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "orders-dlq", nil)
	var bodies []string
	for i := range 25 {
		bodies = append(bodies, fmt.Sprintf(`{"order":%d,"note":"<&> \u202e"}`, i))
	}
	ids := dlqSend(t, e, url, bodies...)
	p := faultproxy.Start(t, e.URL)
	for _, args := range [][]string{
		{"dlq", "peek", "orders-dlq", "--max", "0", "-o", "jsonl"},
		{"dlq", "peek", "orders-dlq", "--max", "0", "-o", "json"},
		{"dlq", "export", "orders-dlq"},
	} {
		t.Run(strings.Join(args[:2], " ")+" "+args[len(args)-1], func(t *testing.T) {
			var out lockedBuffer
			var atRelease []string
			var mu sync.Mutex
			p.Clear()
			p.Add(&faultproxy.Rule{Operation: "ChangeMessageVisibilityBatch", Match: func(faultproxy.Request) bool {
				mu.Lock()
				atRelease = append(atRelease, out.String())
				mu.Unlock()
				return false // let it through
			}})
			if stderr, err := dlqVia(t, p, &out, args...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if len(atRelease) == 0 {
				t.Fatal("nothing was released")
			}
			for _, id := range ids {
				if !strings.Contains(atRelease[0], id) {
					t.Errorf("message %s was not on stdout when the release began", id)
				}
			}
			if args[len(args)-1] != "json" {
				return
			}
			var res dlq.BrowseResult
			if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res.Messages) != len(ids) || res.Released != len(ids) {
				t.Fatalf("streamed JSON: %v, %d messages, %d released:\n%s", err, len(res.Messages), res.Released, out.String())
			}
			// Written piece by piece, it reads as encoding/json indents a
			// whole document, with each message's deadline and the queue's
			// nearest after them.
			var compact, whole bytes.Buffer
			if err := json.Compact(&compact, []byte(out.String())); err != nil {
				t.Fatal(err)
			}
			if err := json.Indent(&whole, compact.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			whole.WriteByte('\n')
			if whole.String() != out.String() {
				t.Errorf("streamed JSON is not indented as a whole:\n%s\nwant\n%s", out.String(), whole.String())
			}
			if !strings.Contains(out.String(), "\n  \"deadline\": {") {
				t.Errorf("no queue deadline after the messages:\n%s", out.String())
			}
		})
	}
	if n := dlqVisible(t, e, url); n != len(ids) {
		t.Fatalf("%d messages visible after the browses, want %d", n, len(ids))
	}
}

// An empty queue's -o json is still the browse's object, its messages [].
func TestDLQPeekEmptyQueueJSON(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "empty-dlq", nil)
	out, stderr, err := runSluice(t, e, "", "dlq", "peek", url, "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res dlq.BrowseResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Messages == nil || len(res.Messages) != 0 || res.Queue.Name != "empty-dlq" {
		t.Fatalf("%v %+v:\n%s", err, res, out)
	}
}

// A peek's table prints the bodies of its first tableSample messages and
// says how many more it did not, so that it never holds thousands.
func TestDLQPeekTableShowsTheFirstBodies(t *testing.T) {
	e := dlqEngine(t)
	url, _ := dlqQueue(t, e, "big-dlq", nil)
	var bodies []string
	for i := range tableSample + 3 {
		bodies = append(bodies, fmt.Sprintf(`{"order":%d}`, i))
	}
	for start := 0; start < len(bodies); start += 10 {
		dlqSend(t, e, url, bodies[start:min(start+10, len(bodies))]...)
	}
	out, stderr, err := runSluice(t, e, "", "dlq", "peek", url, "--max", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := strings.Count(out, "\n── "); n != tableSample {
		t.Errorf("%d bodies printed, want %d", n, tableSample)
	}
	if !strings.Contains(out, "… 3 more bodies not shown; -o jsonl has every message whole") {
		t.Errorf("no note of the bodies not shown:\n%s", out[max(0, len(out)-300):])
	}
	if rows := strings.Count(out[:strings.Index(out, "\n── ")], "\n"); rows != 1+len(bodies) {
		t.Errorf("table of %d lines, want a header and %d rows", rows, len(bodies))
	}
}
