package events

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/sqs"
	"github.com/sluicehq/sluice/localengine/store"
	"github.com/sluicehq/sluice/localengine/wire"
)

// fakeMetrics sums datapoints by name and dimensions.
type fakeMetrics struct {
	mu   sync.Mutex
	sums map[string]float64
}

func (f *fakeMetrics) Add(region, namespace, name string, dims []metrics.Dimension, unit string, value float64, at time.Time) {
	key := region + "|" + namespace + "|" + name
	for _, d := range dims {
		key += "|" + d.Name + "=" + d.Value
	}
	f.mu.Lock()
	f.sums[key] += value
	f.mu.Unlock()
}

func (f *fakeMetrics) get(name, rule string) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sums["us-east-1|AWS/Events|"+name+"|RuleName="+rule]
}

type testService struct {
	*Service
	sqs *sqs.Service
	rec *fakeMetrics
}

func newTestService(t testing.TB) *testService {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.New(st, sqs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &fakeMetrics{sums: map[string]float64{}}
	s, err := New(st, Config{Metrics: rec, SQS: q, RetryBase: time.Millisecond, RetryCap: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		q.Close()
		_ = st.Close()
	})
	return &testService{Service: s, sqs: q, rec: rec}
}

func regionCtx() context.Context {
	return wire.WithInfo(context.Background(), wire.RequestInfo{Region: "us-east-1"})
}

// call runs an action and decodes its answer into a map.
func (ts *testService) call(t testing.TB, action, body string) map[string]any {
	t.Helper()
	out, err := ts.HandleJSON(regionCtx(), action, []byte(body))
	if err != nil {
		t.Fatalf("%s %s: %v", action, body, err)
	}
	raw, _ := json.Marshal(out)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeliveryMetrics(t *testing.T) {
	ts := newTestService(t)
	ctx := regionCtx()
	for _, q := range []string{"ok", "dlq"} {
		if _, err := ts.sqs.HandleJSON(ctx, "CreateQueue", []byte(`{"QueueName":"`+q+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	ts.call(t, "PutRule", `{"Name":"good","EventPattern":"{\"source\":[\"s\"]}"}`)
	ts.call(t, "PutTargets", `{"Rule":"good","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:ok"}]}`)
	ts.call(t, "PutRule", `{"Name":"bad","EventPattern":"{\"source\":[\"s\"]}"}`)
	ts.call(t, "PutTargets", `{"Rule":"bad","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:missing",
		"DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:dlq"}}]}`)
	ts.call(t, "PutRule", `{"Name":"other","EventPattern":"{\"source\":[\"x\"]}"}`)
	out := ts.call(t, "PutEvents", `{"Entries":[{"Source":"s","DetailType":"t","Detail":"{}"}]}`)
	if out["FailedEntryCount"].(float64) != 0 {
		t.Fatalf("put events: %v", out)
	}
	waitFor(t, "deliveries", func() bool {
		return ts.rec.get("Invocations", "good") == 1 && ts.rec.get("Invocations", "bad") == 1
	})
	for _, c := range []struct {
		name, rule string
		want       float64
	}{
		{"MatchedEvents", "good", 1}, {"TriggeredRules", "good", 1}, {"MatchedEvents", "other", 0},
		{"SuccessfulInvocationAttempts", "good", 1}, {"FailedInvocations", "good", 0},
		{"FailedInvocations", "bad", 1}, {"InvocationsSentToDLQ", "bad", 1}, {"InvocationAttempts", "bad", 1},
	} {
		if got := ts.rec.get(c.name, c.rule); got != c.want {
			t.Errorf("%s of %s = %v, want %v", c.name, c.rule, got, c.want)
		}
	}
	ts.rec.mu.Lock()
	both := ts.rec.sums["us-east-1|AWS/Events|Invocations|EventBusName=default|RuleName=good"]
	ts.rec.mu.Unlock()
	if both != 1 {
		t.Errorf("Invocations by EventBusName and RuleName = %v", both)
	}
	// Delivered and dead-lettered tasks leave nothing behind in the store.
	waitFor(t, "an empty delivery queue", func() bool { return ts.pending() == 0 })
}

// pending counts stored tasks and events.
func (ts *testService) pending() int {
	n := 0
	_ = ts.store.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTasks, bucketDue, bucketEvts} {
			n += bucket(tx, b).Stats().KeyN
		}
		return nil
	})
	return n
}

func setupDestination(t testing.TB, ts *testService, url string, rate int, auth string) string {
	t.Helper()
	ts.call(t, "CreateConnection", `{"Name":"c","AuthorizationType":"API_KEY","AuthParameters":{"ApiKeyAuthParameters":{"ApiKeyName":"x-key","ApiKeyValue":"k1"}}}`)
	if auth != "" {
		ts.call(t, "UpdateConnection", auth)
	}
	conn := ts.call(t, "DescribeConnection", `{"Name":"c"}`)
	body, _ := json.Marshal(map[string]any{"Name": "d", "ConnectionArn": conn["ConnectionArn"], "InvocationEndpoint": url,
		"HttpMethod": "POST", "InvocationRateLimitPerSecond": rate})
	return ts.call(t, "CreateApiDestination", string(body))["ApiDestinationArn"].(string)
}

func TestInvokeAPIDestination(t *testing.T) {
	ts := newTestService(t)
	var status atomic.Int32
	status.Store(200)
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("x-key") + " " + r.Method)
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	arn := setupDestination(t, ts, srv.URL, 300, "")
	ctx := regionCtx()

	code, err := ts.InvokeAPIDestination(ctx, arn, []byte(`[{"a":1}]`))
	if err != nil || code != 200 || got.Load() != "k1 POST" {
		t.Fatalf("invoke: %d %v %v", code, err, got.Load())
	}
	status.Store(503)
	if code, err := ts.InvokeAPIDestination(ctx, arn, []byte(`[]`)); err != nil || code != 503 {
		t.Fatalf("a 503 is a status, not an error: %d %v", code, err)
	}
	_, err = ts.InvokeAPIDestination(ctx, arn+"x", []byte(`[]`))
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != "ResourceNotFoundException" {
		t.Fatalf("unknown destination: %v", err)
	}
	ts.call(t, "DeauthorizeConnection", `{"Name":"c"}`)
	if _, err := ts.InvokeAPIDestination(ctx, arn, []byte(`[]`)); err == nil {
		t.Fatal("a deauthorized connection was used")
	}
	ts.call(t, "UpdateConnection", `{"Name":"c"}`)
	srv.Close()
	if _, err := ts.InvokeAPIDestination(ctx, arn, []byte(`[]`)); err == nil {
		t.Fatal("a network error is an error")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ts.InvokeAPIDestination(cctx, arn, []byte(`[]`)); err == nil {
		t.Fatal("a cancelled context is an error")
	}
}

// TestInvokeRateLimit checks that calls never outrun the destination's
// rate: at most its burst (one second's worth) plus rate × elapsed.
func TestInvokeRateLimit(t *testing.T) {
	ts := newTestService(t)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	const rate = 4
	arn := setupDestination(t, ts, srv.URL, rate, "")
	ctx, cancel := context.WithTimeout(regionCtx(), 1500*time.Millisecond)
	defer cancel()
	begin := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, _ = ts.InvokeAPIDestination(ctx, arn, []byte(`[]`))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin).Seconds()
	n := float64(calls.Load())
	if n < rate || n > rate+rate*elapsed+1 {
		t.Fatalf("%v calls in %.2fs at %d/s", n, elapsed, rate)
	}
}

func TestOAuthConnection(t *testing.T) {
	ts := newTestService(t)
	var tokenCalls atomic.Int32
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		_ = r.ParseForm()
		if !ok || id != "cid" || secret != "csecret" || r.PostForm.Get("grant_type") != "client_credentials" || r.Header.Get("x-tenant") != "t1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		tokenCalls.Add(1)
		_, _ = w.Write([]byte(`{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`))
	}))
	defer auth.Close()
	var bearer atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer.Store(r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	update := `{"Name":"c","AuthorizationType":"OAUTH_CLIENT_CREDENTIALS","AuthParameters":{"OAuthParameters":{
		"AuthorizationEndpoint":"` + auth.URL + `/token","HttpMethod":"POST",
		"ClientParameters":{"ClientID":"cid","ClientSecret":"csecret"},
		"OAuthHttpParameters":{"BodyParameters":[{"Key":"grant_type","Value":"client_credentials"}],
			"HeaderParameters":[{"Key":"x-tenant","Value":"t1"}]}}}}`
	arn := setupDestination(t, ts, srv.URL, 300, update)
	for range 2 {
		code, err := ts.InvokeAPIDestination(regionCtx(), arn, []byte(`{}`))
		if err != nil || code != 200 {
			t.Fatalf("invoke: %d %v", code, err)
		}
	}
	if bearer.Load() != "Bearer tok-1" || tokenCalls.Load() != 1 {
		t.Fatalf("authorization %v after %d token calls", bearer.Load(), tokenCalls.Load())
	}
	desc := ts.call(t, "DescribeConnection", `{"Name":"c"}`)
	raw, _ := json.Marshal(desc)
	if strings.Contains(string(raw), "csecret") {
		t.Fatalf("describe leaks the client secret: %s", raw)
	}
}

// TestCloseWhileDelivering: Close returns while a target hangs, and the
// hanging delivery stays pending.
func TestCloseWhileDelivering(t *testing.T) {
	ts := newTestService(t)
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the caller leaving
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	arn := setupDestination(t, ts, srv.URL, 300, "")
	ts.call(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"s\"]}"}`)
	ts.call(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"d","Arn":"`+arn+`"}]}`)
	ts.call(t, "PutEvents", `{"Entries":[{"Source":"s","DetailType":"t","Detail":"{}"}]}`)
	<-arrived
	done := make(chan struct{})
	go func() { ts.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs with its target")
	}
	if n := ts.pending(); n != 3 {
		t.Fatalf("%d stored keys after Close, want the task, its due entry and its event", n)
	}
}
