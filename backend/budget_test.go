package backend_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
)

// fakeClock moves only when a wait asks it to, so that a rate is
// checked by counting calls per window of its time, never by timing.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.advance(d)
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newBudget(t *testing.T, cfg config.Budget, c backend.Clock) *backend.Budget {
	t.Helper()
	b, err := backend.NewBudget(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var describeKey = backend.APIKey{Account: "111122223333", Region: "eu-west-1", Service: "Kinesis", Operation: "DescribeStreamSummary"}

// perSecond counts the calls that went through in each second of the
// fake clock from start.
func perSecond(t *testing.T, b *backend.Budget, c *fakeClock, k backend.APIKey, calls int) []int {
	t.Helper()
	start := c.Now()
	var counts []int
	for range calls {
		if _, err := b.Wait(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		sec := int(c.Now().Sub(start) / time.Second)
		for len(counts) <= sec {
			counts = append(counts, 0)
		}
		counts[sec]++
	}
	return counts
}

func TestBudgetHoldsItsRate(t *testing.T) {
	c := newFakeClock()
	b := newBudget(t, config.Budget{}, c)
	limit := b.Limit(describeKey)
	if limit != 10 {
		t.Fatalf("DescribeStreamSummary's default is %v a second, want 10 (half of AWS's 20)", limit)
	}
	counts := perSecond(t, b, c, describeKey, 1000)
	// The first second may spend the full bucket (one second's worth)
	// besides its own rate; every later second holds the rate.
	if counts[0] > 2*int(limit) {
		t.Fatalf("first second let %d calls through, want at most %d", counts[0], 2*int(limit))
	}
	for i, n := range counts[1 : len(counts)-1] {
		if n > int(limit) {
			t.Fatalf("second %d let %d calls through, want at most %v: %v", i+1, n, limit, counts)
		}
	}
	if len(counts) < 99 {
		t.Fatalf("1,000 calls at 10 a second took %d seconds", len(counts))
	}
	st := b.State(describeKey)
	if st.Calls != 1000 || st.Waits < 980 || st.Throttles != 0 {
		t.Fatalf("state %+v", st)
	}
}

func TestBudgetKeepsAccountsRegionsAndAPIsApart(t *testing.T) {
	c := newFakeClock()
	b := newBudget(t, config.Budget{}, c)
	other := []backend.APIKey{describeKey, describeKey, describeKey}
	other[0].Account, other[1].Region, other[2].Operation = "444455556666", "us-east-1", "ListShards"
	// Spend describeKey's bucket; the others still go through at once.
	for range 10 {
		if d, _ := b.Wait(context.Background(), describeKey); d != 0 {
			t.Fatal("the full bucket made a call wait")
		}
	}
	if d, _ := b.Wait(context.Background(), describeKey); d == 0 {
		t.Fatal("the empty bucket did not make the call wait")
	}
	for _, k := range other {
		if d, _ := b.Wait(context.Background(), k); d != 0 {
			t.Fatalf("%+v waited for another bucket", k)
		}
	}
	if n := len(b.States()); n != 4 {
		t.Fatalf("%d buckets, want 4", n)
	}
}

func TestThrottleHalvesTheRateThenItRecovers(t *testing.T) {
	c := newFakeClock()
	b := newBudget(t, config.Budget{}, c)
	b.Wait(context.Background(), describeKey)
	b.Throttled(describeKey)
	if st := b.State(describeKey); st.Rate != 5 || st.Throttles != 1 || st.Tokens > 0 {
		t.Fatalf("after a throttle: %+v, want rate 5 and an empty bucket", st)
	}
	b.Throttled(describeKey)
	if st := b.State(describeKey); st.Rate != 2.5 {
		t.Fatalf("after two throttles the rate is %v, want 2.5", st.Rate)
	}
	// Held at the lowered rate: the first second lets through what is
	// earned in it, not the limit's 10.
	counts := perSecond(t, b, c, describeKey, 20)
	if counts[0] > 3 {
		t.Fatalf("the throttled API let %d calls through in its first second", counts[0])
	}
	// Each second without a throttle gives back a tenth of the limit.
	c.advance(time.Minute)
	if st := b.State(describeKey); st.Rate != 10 {
		t.Fatalf("a quiet minute later the rate is %v, want the limit 10", st.Rate)
	}
	// Never below a sixty-fourth of the limit, however often throttled.
	for range 20 {
		b.Throttled(describeKey)
	}
	if st := b.State(describeKey); st.Rate != 10.0/64 {
		t.Fatalf("rate %v after 20 throttles, want the floor %v", st.Rate, 10.0/64)
	}
}

func TestBudgetWaitGivesBackTheTokenWhenCancelled(t *testing.T) {
	c := newFakeClock()
	b := newBudget(t, config.Budget{}, c)
	for range 10 {
		b.Wait(context.Background(), describeKey)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Wait(ctx, describeKey); err == nil || !strings.Contains(err.Error(), "Kinesis.DescribeStreamSummary budget") {
		t.Fatalf("want the wait's error naming the API, got %v", err)
	}
	if st := b.State(describeKey); st.Calls != 10 {
		t.Fatalf("the cancelled call was counted: %+v", st)
	}
}

func TestBudgetConfigOverridesApply(t *testing.T) {
	b := newBudget(t, config.Budget{Scale: 0.5, LocalScale: 3, APIs: map[string]float64{
		"kinesis.ListShards": 7, "SQS.*": 40,
	}}, newFakeClock())
	k := func(svc, op string, local bool) backend.APIKey {
		return backend.APIKey{Account: "a", Region: "r", Service: svc, Operation: op, Local: local}
	}
	for _, tc := range []struct {
		key  backend.APIKey
		want float64
	}{
		{k("Kinesis", "ListShards", false), 3.5},          // override × scale
		{k("Kinesis", "DescribeStreamSummary", false), 5}, // default × scale
		{k("SQS", "ReceiveMessage", false), 20},           // service override × scale
		{k("SQS", "GetQueueAttributes", false), 50},       // named default beats the service's *
		{k("Kinesis", "DescribeStreamSummary", true), 15}, // × local scale
		{k("Unheard", "Of", false), 2.5},                  // a service outside the table
		{k("CloudWatch", "GetMetricData", false), 12.5},   // default × scale
		{k("Kinesis", "UpdateShardCount", false), 1},      // the service's *
	} {
		if got := b.Limit(tc.key); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.key.API(), got, tc.want)
		}
	}
	def := newBudget(t, config.Budget{}, newFakeClock())
	if got := def.Limit(k("Kinesis", "ListStreams", true)); got != 2*backend.DefaultLocalScale {
		t.Errorf("local ListStreams: %v, want the default scaled by %d", got, backend.DefaultLocalScale)
	}
}

func TestInvalidBudgetIsAClearError(t *testing.T) {
	_, err := backend.NewBudget(config.Budget{APIs: map[string]float64{"Kinesiss.ListShards": 3}}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown service "Kinesiss"`) || !strings.Contains(err.Error(), "Kinesis, Lambda") {
		t.Fatalf("want an unknown-service error listing the services, got %v", err)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"budget:\n  scale: -1\n", "line 2: budget.scale -1"},
		{"budget:\n  local_scale: -2\n", "line 2: budget.local_scale -2"},
		{"budget:\n  apis:\n    ListShards: 3\n", `line 3: budget.apis: "ListShards" is not Service.Operation`},
		{"budget:\n  apis:\n    Kinesis.ListShards: 0\n", "budget.apis.Kinesis.ListShards 0: want calls a second above 0"},
		{"budget:\n  apis:\n    Kinesis.ListShards: fast\n", "line 3"},
		{"budget:\n  rate: 3\n", "unknown field `rate` in budget"},
	} {
		_, err := config.Parse([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want an error with %q, got %v", tc.yaml, tc.want, err)
		}
	}
	f, err := config.Parse([]byte("budget:\n  scale: 0.25\n  apis:\n    Kinesis.ListShards: 3\n"))
	if err != nil || f.Budget.Scale != 0.25 || f.Budget.APIs["Kinesis.ListShards"] != 3 {
		t.Fatalf("a valid budget: %+v, %v", f.Budget, err)
	}
}

func TestEveryCallPassesTheBudget(t *testing.T) {
	_, eng := backendtest.Open(t)
	calls := backend.NewCallLog(0)
	budget := newBudget(t, config.Budget{}, nil)
	s := backendtest.OpenOn(t, eng, backend.Env{Calls: calls, Budget: budget})
	ctx := context.Background()
	if _, err := s.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, st := range budget.States() {
		counted += st.Calls
		if st.Account != "profile local" || st.Region != eng.Region {
			t.Errorf("bucket keyed by %q %q, want the local profile and %s", st.Account, st.Region, eng.Region)
		}
	}
	if counted != calls.Total() || counted != 5 {
		t.Fatalf("the budget counted %d calls, the call log %d, want 5", counted, calls.Total())
	}
	st := budget.State(backend.APIKey{Account: "profile local", Region: eng.Region, Service: "Kinesis", Operation: "ListStreams", Local: true})
	if st.Calls != 3 || st.Limit != 2*backend.DefaultLocalScale {
		t.Fatalf("ListStreams bucket %+v", st)
	}
	last := calls.Calls()[calls.Total()-1]
	if last.Limit == 0 || last.Rate != last.Limit {
		t.Fatalf("the call log holds no budget state: %+v", last)
	}
}

func TestThrottlingSlowsTheBudget(t *testing.T) {
	_, eng := backendtest.Open(t)
	p := faultproxy.Start(t, eng.URL)
	calls := backend.NewCallLog(0)
	budget := newBudget(t, config.Budget{}, newFakeClock())
	s := backendtest.OpenOn(t, eng, backend.Env{Endpoint: p.URL, Calls: calls, Budget: budget})
	ctx := context.Background()
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "ListStreams", Fault: faultproxy.Throttled(), Times: 1})
	if _, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}, func(o *kinesis.Options) { o.RetryMaxAttempts = 1 }); err == nil {
		t.Fatal("the throttled call succeeded")
	}
	k := backend.APIKey{Account: "profile local", Region: eng.Region, Service: "Kinesis", Operation: "ListStreams", Local: true}
	st := budget.State(k)
	if st.Throttles != 1 || st.Rate != st.Limit/2 {
		t.Fatalf("after a ThrottlingException: %+v, want one throttle and half the rate", st)
	}
	log := calls.Calls()
	if c := log[len(log)-1]; c.Result != "ThrottlingException" || c.Throttles != 1 || c.Rate != st.Limit/2 {
		t.Fatalf("the call log's entry %+v does not show the slowed budget", c)
	}
	// The SDK's own retries pass the budget too: each throttled attempt
	// halves the rate again.
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "ListStreams", Fault: faultproxy.Throttled(), Times: 2})
	if _, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("the third attempt should pass: %v", err)
	}
	if st := budget.State(k); st.Throttles != 3 || st.Calls != 4 || st.Rate >= st.Limit/4 {
		t.Fatalf("after two more throttled attempts: %+v", st)
	}
	// S3's SlowDown counts as a throttle too.
	p.Add(&faultproxy.Rule{Service: "s3", Fault: faultproxy.Fault{Status: 503, Code: "SlowDown", Message: "Please reduce your request rate."}, Times: 1})
	_, _ = s.S3().ListBuckets(ctx, &s3.ListBucketsInput{}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if st := budget.State(backend.APIKey{Account: "profile local", Region: eng.Region, Service: "S3", Operation: "ListBuckets", Local: true}); st.Throttles != 1 {
		t.Fatalf("SlowDown did not slow S3: %+v", st)
	}
}
