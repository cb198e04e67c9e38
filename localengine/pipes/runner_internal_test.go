package pipes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inproc"
	"github.com/sluicehq/sluice/localengine/kinesis"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/sqs"
	"github.com/sluicehq/sluice/localengine/store"
	"github.com/sluicehq/sluice/localengine/wire"
)

// The runner's unit tests run the real Kinesis and SQS services on a
// store, with a fake EventBridge that plays an API destination or a bus,
// and a fake metrics recorder.

type point struct {
	region, namespace, name, unit string
	dims                          []metrics.Dimension
	value                         float64
}

type fakeRecorder struct {
	mu     sync.Mutex
	points []point
}

func (f *fakeRecorder) Add(region, namespace, name string, dims []metrics.Dimension, unit string, value float64, _ time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.points = append(f.points, point{region, namespace, name, unit, dims, value})
}

// sum adds the values of a metric, checking namespace and dimensions.
func (f *fakeRecorder) sum(t *testing.T, name string) (float64, int) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	total, n := 0.0, 0
	for _, p := range f.points {
		if p.name != name {
			continue
		}
		if p.namespace != "AWS/EventBridge/Pipes" || p.region != "us-east-1" || len(p.dims) != 1 ||
			p.dims[0] != (metrics.Dimension{Name: "PipeName", Value: "p"}) {
			t.Fatalf("metric %s reported as %+v", name, p)
		}
		total += p.value
		n++
	}
	return total, n
}

type apiCall struct {
	at   time.Time
	arn  string
	body []byte
}

// fakeEvents answers API-destination calls with status(n) for the n-th
// call and takes PutEvents entries.
type fakeEvents struct {
	mu      sync.Mutex
	calls   []apiCall
	status  func(n int, body []byte) int
	entries []map[string]any
}

func (f *fakeEvents) InvokeAPIDestination(_ context.Context, arn string, body []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, apiCall{time.Now(), arn, bytes.Clone(body)})
	return f.status(len(f.calls)-1, body), nil
}

func (f *fakeEvents) HandleJSON(_ context.Context, action string, body []byte) (any, error) {
	if action != "PutEvents" {
		return nil, awserr.UnknownOperation(action)
	}
	var in struct{ Entries []map[string]any }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, in.Entries...)
	out := map[string]any{"FailedEntryCount": 0, "Entries": make([]map[string]string, len(in.Entries))}
	return out, nil
}

func (f *fakeEvents) snapshot() ([]apiCall, []map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...), append([]map[string]any(nil), f.entries...)
}

type harness struct {
	t   testing.TB
	ctx context.Context
	svc *Service
	kin *kinesis.Service
	sqs *sqs.Service
	rec *fakeRecorder
	ev  *fakeEvents
}

func newHarness(t testing.TB, base, cap time.Duration) *harness {
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	kin, err := kinesis.New(st, kinesis.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sq, err := sqs.New(st, sqs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, kin: kin, sqs: sq, rec: &fakeRecorder{},
		ev:  &fakeEvents{status: func(int, []byte) int { return 200 }},
		ctx: wire.WithInfo(context.Background(), wire.RequestInfo{Region: "us-east-1", RequestID: "test"})}
	h.svc, err = New(st, Config{Kinesis: kin, SQS: sq, Events: h.ev, Metrics: h.rec, RetryBase: base, RetryCap: cap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.svc.Close()
		sq.Close()
		kin.Close()
		_ = st.Close()
	})
	return h
}

func (h *harness) call(svc inproc.JSONService, action string, in, out any) {
	h.t.Helper()
	if err := inproc.Call(h.ctx, svc, action, in, out); err != nil {
		h.t.Fatalf("%s: %v", action, err)
	}
}

// putRecords writes records with data[i] in order and returns their
// sequence numbers.
func (h *harness) putRecords(stream string, data ...string) []string {
	h.t.Helper()
	var entries []map[string]any
	for _, d := range data {
		entries = append(entries, map[string]any{"Data": []byte(d), "PartitionKey": "k"})
	}
	var out struct {
		Records []struct{ SequenceNumber string }
	}
	h.call(h.kin, "PutRecords", map[string]any{"StreamName": stream, "Records": entries}, &out)
	seqs := make([]string, len(out.Records))
	for i, r := range out.Records {
		seqs[i] = r.SequenceNumber
	}
	return seqs
}

func (h *harness) createPipe(body string) {
	h.t.Helper()
	if _, err := h.svc.dispatch(h.ctx, http.MethodPost, "/v1/pipes/p", "", []byte(body)); err != nil {
		h.t.Fatalf("CreatePipe: %v", err)
	}
}

func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) receiveAll(queue string) []string {
	var out struct{ Messages []struct{ Body string } }
	h.call(h.sqs, "ReceiveMessage", map[string]any{"QueueUrl": queueURL(queue), "MaxNumberOfMessages": 10}, &out)
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, m.Body)
	}
	return bodies
}

const apiDest = "arn:aws:events:us-east-1:000000000000:api-destination/dest/0000-1111"

// TestAPIDestinationRetriesAndMetrics: the API destination gets the batch
// as a JSON array; a throttle and an error are retried with backoff below
// the full-jitter bounds, and every step is reported as a metric.
func TestAPIDestinationRetriesAndMetrics(t *testing.T) {
	base, cap := 30*time.Millisecond, 60*time.Millisecond
	h := newHarness(t, base, cap)
	h.ev.status = func(n int, _ []byte) int { return []int{429, 503, 200}[min(n, 2)] }
	h.call(h.kin, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}, nil)
	seqs := h.putRecords("s", "a", "b", "c", "d", "e")
	h.createPipe(`{"RoleArn":"arn:aws:iam::000000000000:role/r","Source":"arn:aws:kinesis:us-east-1:000000000000:stream/s",
		"Target":"` + apiDest + `","SourceParameters":{"KinesisStreamParameters":{"StartingPosition":"TRIM_HORIZON"}}}`)
	h.waitFor("three calls", func() bool { calls, _ := h.ev.snapshot(); return len(calls) >= 3 })
	time.Sleep(50 * time.Millisecond)
	calls, _ := h.ev.snapshot()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i, c := range calls {
		if c.arn != apiDest || !bytes.Equal(c.body, calls[0].body) {
			t.Fatalf("call %d: %s %s", i, c.arn, c.body)
		}
	}
	var evs []map[string]any
	if err := json.Unmarshal(calls[0].body, &evs); err != nil || len(evs) != 5 {
		t.Fatalf("body %s: %v", calls[0].body, err)
	}
	for i, ev := range evs {
		if ev["sequenceNumber"] != seqs[i] || ev["eventID"] != "shardId-000000000000:"+seqs[i] {
			t.Fatalf("event %d: %v", i, ev)
		}
	}
	// Upper bounds only: the n-th retry sleeps at most min(cap, base·2^n);
	// the slack covers scheduling on a loaded machine.
	const slack = 500 * time.Millisecond
	for n := 1; n < len(calls); n++ {
		if gap := calls[n].at.Sub(calls[n-1].at); gap > backoffCeiling(base, cap, n-1)+slack {
			t.Fatalf("retry %d came after %v, above min(cap, base·2^%d) = %v", n, gap, n-1, backoffCeiling(base, cap, n-1))
		}
	}
	for name, want := range map[string]float64{"Invocations": 3, "EventCount": 15, "ExecutionThrottled": 1,
		"ExecutionFailed": 2, "TargetStageFailed": 2, "TargetStageSucceeded": 1} {
		if got, _ := h.rec.sum(t, name); got != want {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{"Duration", "TargetStageDuration"} {
		if _, n := h.rec.sum(t, name); n != 3 {
			t.Fatalf("%s reported %d times, want 3", name, n)
		}
	}
}

// TestBisectWithAllOrNothingTarget: a target that refuses any batch
// holding the poison record; bisection delivers all the others in order
// and sends only the poison record to the DLQ.
func TestBisectWithAllOrNothingTarget(t *testing.T) {
	h := newHarness(t, time.Millisecond, 5*time.Millisecond)
	poison := []byte(`"data":"` + "cG9pc29u" + `"`) // base64 of "poison"
	h.ev.status = func(_ int, body []byte) int {
		if bytes.Contains(body, poison) {
			return 500
		}
		return 200
	}
	h.call(h.kin, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}, nil)
	h.call(h.sqs, "CreateQueue", map[string]any{"QueueName": "dlq"}, nil)
	var data []string
	for i := range 37 {
		data = append(data, fmt.Sprintf("r%02d", i))
	}
	data[21] = "poison"
	seqs := h.putRecords("s", data...)
	h.createPipe(`{"RoleArn":"arn:aws:iam::000000000000:role/r","Source":"arn:aws:kinesis:us-east-1:000000000000:stream/s",
		"Target":"` + apiDest + `","SourceParameters":{"KinesisStreamParameters":{"StartingPosition":"TRIM_HORIZON",
		"BatchSize":37,"MaximumRetryAttempts":1,"OnPartialBatchItemFailure":"AUTOMATIC_BISECT",
		"DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:dlq"}}}}`)
	var dead []string
	h.waitFor("the DLQ message", func() bool { dead = append(dead, h.receiveAll("dlq")...); return len(dead) > 0 })
	var msg struct {
		Context          struct{ Condition string } `json:"context"`
		KinesisBatchInfo struct {
			StartSequenceNumber, EndSequenceNumber string
			BatchSize                              int
		}
	}
	if err := json.Unmarshal([]byte(dead[0]), &msg); err != nil {
		t.Fatal(err)
	}
	if bi := msg.KinesisBatchInfo; msg.Context.Condition != condRetriesExhausted || bi.BatchSize != 1 ||
		bi.StartSequenceNumber != seqs[21] || bi.EndSequenceNumber != seqs[21] {
		t.Fatalf("DLQ message %s", dead[0])
	}
	time.Sleep(50 * time.Millisecond)
	if more := h.receiveAll("dlq"); len(more) > 0 {
		t.Fatalf("more DLQ messages: %v", more)
	}
	calls, _ := h.ev.snapshot()
	var delivered []string
	for _, c := range calls {
		if bytes.Contains(c.body, poison) {
			continue
		}
		var evs []struct{ Data []byte }
		if err := json.Unmarshal(c.body, &evs); err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			delivered = append(delivered, string(ev.Data))
		}
	}
	want := append(append([]string(nil), data[:21]...), data[22:]...)
	if strings.Join(delivered, ",") != strings.Join(want, ",") {
		t.Fatalf("delivered %v\nwant %v", delivered, want)
	}
	if got, _ := h.rec.sum(t, "ExecutionFailed"); got < 2 {
		t.Fatalf("ExecutionFailed = %v", got)
	}
}

// TestEventBusTarget: each event goes to the bus as one entry's detail,
// with AWS's default source and detail type, or the pipe's, taken from
// the data when they are JSON paths.
func TestEventBusTarget(t *testing.T) {
	h := newHarness(t, time.Millisecond, 5*time.Millisecond)
	h.call(h.kin, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}, nil)
	seqs := h.putRecords("s", `{"type":"OrderPlaced"}`, `{"type":"OrderShipped"}`)
	const bus = "arn:aws:events:us-east-1:000000000000:event-bus/orders"
	h.createPipe(`{"RoleArn":"arn:aws:iam::000000000000:role/r","Source":"arn:aws:kinesis:us-east-1:000000000000:stream/s",
		"Target":"` + bus + `","SourceParameters":{"KinesisStreamParameters":{"StartingPosition":"TRIM_HORIZON"}},
		"TargetParameters":{"EventBridgeEventBusParameters":{"DetailType":"$.data.type","Resources":["arn:aws:x:us-east-1:000000000000:y"],
		"Time":"2024-01-02T03:04:05Z"}}}`)
	h.waitFor("two entries", func() bool { _, e := h.ev.snapshot(); return len(e) >= 2 })
	_, entries := h.ev.snapshot()
	for i, e := range entries {
		var detail map[string]any
		if err := json.Unmarshal([]byte(e["Detail"].(string)), &detail); err != nil {
			t.Fatal(err)
		}
		wantType := []string{"OrderPlaced", "OrderShipped"}[i]
		if e["Source"] != "Pipe p" || e["DetailType"] != wantType || e["EventBusName"] != bus ||
			detail["sequenceNumber"] != seqs[i] || e["Time"] != 1704164645.0 {
			t.Fatalf("entry %d: %v", i, e)
		}
	}
}

// TestCloseWhileTargetHangs: Close returns promptly while the target
// never answers, and the batch in flight stays unacknowledged.
func TestCloseWhileTargetHangs(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kin, _ := kinesis.New(st, kinesis.Config{})
	defer kin.Close()
	started := make(chan struct{}, 1)
	hang := &hangingEvents{started: started}
	svc, err := New(st, Config{Kinesis: kin, Events: hang})
	if err != nil {
		t.Fatal(err)
	}
	ctx := wire.WithInfo(context.Background(), wire.RequestInfo{Region: "us-east-1"})
	if err := inproc.Call(ctx, kin, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}, nil); err != nil {
		t.Fatal(err)
	}
	if err := inproc.Call(ctx, kin, "PutRecord", map[string]any{"StreamName": "s", "Data": []byte("x"), "PartitionKey": "k"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.dispatch(ctx, http.MethodPost, "/v1/pipes/p", "", []byte(`{"RoleArn":"arn:aws:iam::000000000000:role/r",
		"Source":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Target":"`+apiDest+`",
		"SourceParameters":{"KinesisStreamParameters":{"StartingPosition":"TRIM_HORIZON"}}}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the target was never called")
	}
	done := make(chan struct{})
	go func() { svc.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while the target hangs")
	}
}

type hangingEvents struct{ started chan struct{} }

func (h *hangingEvents) HandleJSON(context.Context, string, []byte) (any, error) { return nil, nil }

func (h *hangingEvents) InvokeAPIDestination(ctx context.Context, _ string, _ []byte) (int, error) {
	select {
	case h.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return 0, ctx.Err()
}
