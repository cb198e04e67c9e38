package pipes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// endpoint is an HTTP target in the test process: it records every call
// and answers with status(n, body) for the n-th.
type endpoint struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []received
	status func(n int, body []byte) int
}

type received struct {
	at     time.Time
	body   []byte
	header http.Header
}

func newEndpoint(t testing.TB, status func(int, []byte) int) *endpoint {
	ep := &endpoint{status: status}
	ep.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ep.mu.Lock()
		n := len(ep.calls)
		ep.calls = append(ep.calls, received{time.Now(), body, r.Header.Clone()})
		ep.mu.Unlock()
		w.WriteHeader(ep.status(n, body))
	}))
	t.Cleanup(ep.Close)
	return ep
}

func (ep *endpoint) snapshot() []received {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]received(nil), ep.calls...)
}

// apiDestination creates a connection with an API key and an API
// destination that POSTs to url, and returns the destination's ARN.
func (f *fixture) apiDestination(name, url string) string {
	f.t.Helper()
	eb := f.e.EventBridge()
	conn, err := eb.CreateConnection(f.ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String(name + "-conn"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("secret-key")}},
	})
	if err != nil {
		f.t.Fatalf("CreateConnection: %v", err)
	}
	dest, err := eb.CreateApiDestination(f.ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String(name), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(url),
		HttpMethod: ebtypes.ApiDestinationHttpMethodPost, InvocationRateLimitPerSecond: aws.Int32(300),
	})
	if err != nil {
		f.t.Fatalf("CreateApiDestination: %v", err)
	}
	return aws.ToString(dest.ApiDestinationArn)
}

func (f *fixture) waitCalls(ep *endpoint, n int) []received {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		calls := ep.snapshot()
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%d calls, want %d", len(calls), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAPIDestinationTarget: the batch reaches the HTTP endpoint as one
// JSON array per call, with the connection's key; failed calls are
// retried with backoff within the full-jitter bounds.
func TestAPIDestinationTarget(t *testing.T) {
	const base, cap = 20 * time.Millisecond, 80 * time.Millisecond
	f := start(t, func(o *localengine.Options) { o.RetryBase, o.RetryCap = base, cap })
	ep := newEndpoint(t, func(n int, _ []byte) int { return []int{500, 429, 503, 502, 200}[min(n, 4)] })
	dest := f.apiDestination("orders-api", ep.URL+"/orders")
	src := f.createStream("src", 1)
	put := f.put("src", keys(6, 2), "api")
	f.createPipe("to-api", src, dest, &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(10)}, nil)
	calls := f.waitCalls(ep, 5)
	time.Sleep(100 * time.Millisecond)
	if calls = ep.snapshot(); len(calls) != 5 {
		t.Fatalf("%d calls, want 5 (4 failures, then success)", len(calls))
	}
	var events []pipeEvent
	if err := json.Unmarshal(calls[0].body, &events); err != nil || len(events) != 6 {
		t.Fatalf("body %s: %v", calls[0].body, err)
	}
	for i, ev := range events {
		want := fmt.Sprintf("api-%d", i)
		if ev.data(t) != want || ev.SequenceNumber != put[want].seq || ev.EventSourceARN != src {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	for i, c := range calls {
		if !bytes.Equal(c.body, calls[0].body) {
			t.Fatalf("call %d sent another body", i)
		}
		if c.header.Get("x-api-key") != "secret-key" {
			t.Fatalf("call %d lacks the connection's key: %v", i, c.header)
		}
	}
	// Upper bounds only, with slack for a loaded machine: the sleep
	// before retry n+1 is at most min(cap, base·2^n).
	const slack = 400 * time.Millisecond
	for n := 1; n < len(calls); n++ {
		bound := min(cap, base<<(n-1))
		if gap := calls[n].at.Sub(calls[n-1].at); gap > bound+slack {
			t.Fatalf("retry %d came %v after the previous call; bound %v", n, gap, bound)
		}
	}
}

// TestAPIDestinationBisectAndDLQ: the endpoint refuses any batch holding
// the poison record; bisection delivers all others, in order, and only
// the poison record's metadata reaches the DLQ.
func TestAPIDestinationBisectAndDLQ(t *testing.T) {
	f := start(t)
	ep := newEndpoint(t, func(_ int, body []byte) int {
		if bytes.Contains(body, []byte(`"partitionKey":"poison"`)) {
			return 400
		}
		return 200
	})
	dest := f.apiDestination("bisect-api", ep.URL)
	src := f.createStream("src", 1)
	dlq := f.createQueue("dlq", nil)
	ks := keys(50, 5)
	ks[33] = "poison"
	put := f.put("src", ks, "b")
	f.createPipe("bisect-api", src, dest, &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(50), MaximumRetryAttempts: aws.Int32(2),
		OnPartialBatchItemFailure: ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect,
		DeadLetterConfig:          &ptypes.DeadLetterConfig{Arn: aws.String(queueArn("dlq"))},
	}, nil)
	dead := f.drain(dlq, 1, 20*time.Second)
	if len(dead) != 1 {
		t.Fatalf("DLQ holds %d messages", len(dead))
	}
	d := decodeDLQ(t, dead[0])
	if bi := d.KinesisBatchInfo; d.Context.Condition != "RetryAttemptsExhausted" || bi.BatchSize != 1 ||
		bi.StartSequenceNumber != put["b-33"].seq || bi.EndSequenceNumber != put["b-33"].seq ||
		bi.ShardID != put["b-33"].shard || bi.StreamArn != src || d.Context.PartnerResourceArn != pipeArnPrefix+"bisect-api" {
		t.Fatalf("DLQ message %+v", d)
	}
	var delivered []string
	for _, c := range ep.snapshot() {
		if bytes.Contains(c.body, []byte(`"partitionKey":"poison"`)) {
			continue
		}
		var evs []pipeEvent
		if err := json.Unmarshal(c.body, &evs); err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			delivered = append(delivered, ev.data(t))
		}
	}
	var want []string
	for i := range 50 {
		if i != 33 {
			want = append(want, fmt.Sprintf("b-%d", i))
		}
	}
	if strings.Join(delivered, ",") != strings.Join(want, ",") {
		t.Fatalf("delivered %v\nwant %v", delivered, want)
	}
	f.expectEmpty(dlq)
}

// TestAPIDestinationSIGKILL: an engine killed while it delivers to an
// HTTP endpoint in the test process resumes after its checkpoints: no
// record is skipped, and only batches in flight are sent twice.
func TestAPIDestinationSIGKILL(t *testing.T) {
	const n, batch = 3000, 20
	var mu sync.Mutex
	got := map[string]int{}
	slow := make(chan struct{}) // closed to let the endpoint run at full speed
	ep := newEndpoint(t, func(_ int, body []byte) int {
		select {
		case <-slow:
		default:
			time.Sleep(2 * time.Millisecond) // a realistic endpoint, so the kill lands mid-flow
		}
		var evs []pipeEvent
		if err := json.Unmarshal(body, &evs); err != nil {
			return 400
		}
		mu.Lock()
		for _, ev := range evs {
			got[ev.SequenceNumber]++
		}
		mu.Unlock()
		return 200
	})
	distinct := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	dir := t.TempDir()
	cmd, url := enginetest.StartChild(t, dir)
	child := newFixture(t, &enginetest.Engine{URL: url, Region: "us-east-1"})
	dest := child.apiDestination("crash-api", ep.URL)
	src := child.createStream("src", 2)
	put := child.put("src", keys(n, 40), "rec")
	child.createPipe("crash-api", src, dest, &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(batch)}, nil)
	deadline := time.Now().Add(30 * time.Second)
	for distinct() < 300 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := distinct()
	close(slow)

	g := startOn(t, dir)
	deadline = time.Now().Add(60 * time.Second)
	for distinct() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records delivered after the restart", distinct(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.waitState("crash-api", ptypes.PipeStateRunning)
	mu.Lock()
	defer mu.Unlock()
	dups := map[string]int{}
	for d, r := range put {
		switch c := got[r.seq]; {
		case c == 0:
			t.Fatalf("%s was skipped", d)
		case c > 2:
			t.Fatalf("%s delivered %d times", d, c)
		case c == 2:
			dups[r.shard]++
		}
	}
	for shard, k := range dups {
		if k > batch {
			t.Fatalf("shard %s: %d records delivered twice, more than one batch", shard, k)
		}
	}
	t.Logf("killed after %d deliveries; duplicates per shard: %v", killedAt, dups)
}

// TestEventBusTargetThroughRule: each record becomes an event on the bus,
// with source "Pipe <name>" and detail-type "Event from aws:kinesis"; a
// rule on the bus forwards them to a queue.
func TestEventBusTargetThroughRule(t *testing.T) {
	f := start(t)
	eb := f.e.EventBridge()
	bus, err := eb.CreateEventBus(f.ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatalf("CreateEventBus: %v", err)
	}
	url := f.createQueue("from-bus", nil)
	if _, err := eb.PutRule(f.ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventBusName: aws.String("orders"),
		EventPattern: aws.String(`{"source":["Pipe to-bus"],"detail-type":["Event from aws:kinesis"]}`)}); err != nil {
		t.Fatalf("PutRule: %v", err)
	}
	if _, err := eb.PutTargets(f.ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), EventBusName: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueArn("from-bus"))}}}); err != nil {
		t.Fatalf("PutTargets: %v", err)
	}
	src := f.createStream("src", 1)
	put := f.put("src", keys(4, 1), "bus")
	f.createPipe("to-bus", src, aws.ToString(bus.EventBusArn), nil, nil)
	bodies := f.drain(url, 4, 20*time.Second)
	if len(bodies) != 4 {
		t.Fatalf("%d events reached the queue, want 4", len(bodies))
	}
	seen := map[string]bool{}
	for _, b := range bodies {
		var ev struct {
			Source     string    `json:"source"`
			DetailType string    `json:"detail-type"`
			Detail     pipeEvent `json:"detail"`
		}
		if err := json.Unmarshal([]byte(b), &ev); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		d := ev.Detail.data(t)
		if ev.Source != "Pipe to-bus" || ev.DetailType != "Event from aws:kinesis" || ev.Detail.SequenceNumber != put[d].seq {
			t.Fatalf("event %s", b)
		}
		seen[d] = true
	}
	if len(seen) != 4 {
		t.Fatalf("distinct events: %v", seen)
	}
}
