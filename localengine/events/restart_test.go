package events_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func onDir(dir string) enginetest.Option {
	return enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir })
}

func shutdown(t *testing.T, e *enginetest.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestRestartKeepsEverything shuts the engine down while a delivery hangs
// at its target, and checks that a new engine on the same directory has
// the configuration and finishes the delivery.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	var hanging atomic.Bool
	hanging.Store(true)
	arrived := make(chan struct{}, 16)
	delivered := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if hanging.Load() {
			arrived <- struct{}{}
			<-r.Context().Done() // until the engine gives up on the call
			return
		}
		delivered <- string(body)
	}))
	defer srv.Close()

	e, c := start(t, onDir(dir))
	ctx := ctxT(t)
	_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	must(t, err)
	ruleArn := putRule(t, c, "orders", "hook", ordersPattern)
	destArn := apiDestination(t, c, "hook", srv.URL, 100)
	putTargets(t, c, "orders", "hook", types.Target{Id: aws.String("api"), Arn: aws.String(destArn),
		RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(5)}})
	id := putEvent(t, c, "orders", "com.shop", "Order", `{"n":1}`)
	select {
	case <-arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the delivery never reached the target")
	}
	shutdown(t, e) // returns although the target still hangs
	hanging.Store(false)

	_, c = start(t, onDir(dir))
	ctx = ctxT(t)
	b, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	must(t, err)
	if b.CreationTime == nil {
		t.Fatalf("bus after restart: %+v", b)
	}
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: b.Arn})
	must(t, err)
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "k" {
		t.Fatalf("tags after restart: %+v", tags.Tags)
	}
	r, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("hook"), EventBusName: aws.String("orders")})
	must(t, err)
	if *r.Arn != ruleArn || *r.EventPattern != ordersPattern {
		t.Fatalf("rule after restart: %+v", r)
	}
	l, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("hook"), EventBusName: aws.String("orders")})
	must(t, err)
	if len(l.Targets) != 1 || *l.Targets[0].Arn != destArn || *l.Targets[0].RetryPolicy.MaximumRetryAttempts != 5 {
		t.Fatalf("targets after restart: %+v", l.Targets)
	}
	conn, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hook-conn")})
	must(t, err)
	if conn.ConnectionState != types.ConnectionStateAuthorized {
		t.Fatalf("connection after restart: %+v", conn)
	}
	d, err := c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("hook")})
	must(t, err)
	if *d.ApiDestinationArn != destArn || *d.InvocationRateLimitPerSecond != 100 {
		t.Fatalf("api destination after restart: %+v", d)
	}

	select {
	case body := <-delivered:
		if ev := parseEnvelope(t, body); ev.ID != id {
			t.Fatalf("delivered %s, want event %s", body, id)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the pending delivery was not made after the restart")
	}
	// The secret still works after the restart: the call carried the key.
}

// TestKillKeepsAcceptedEvents kills an engine process right after
// PutEvents answered, while every delivery hangs at its target, and checks
// that each accepted event is delivered once an engine runs on the
// directory again.
func TestKillKeepsAcceptedEvents(t *testing.T) {
	dir := t.TempDir()
	var hanging atomic.Bool
	hanging.Store(true)
	delivered := make(chan string, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if hanging.Load() {
			<-r.Context().Done()
			return
		}
		delivered <- string(body)
	}))
	defer srv.Close()

	cmd, url := enginetest.StartChild(t, dir)
	cfg := aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: enginetest.HTTPClient(),
	}
	ctx := ctxT(t)
	c := eventbridge.NewFromConfig(cfg)
	putRule(t, c, "", "all", ordersPattern)
	destArn := apiDestination(t, c, "hook", srv.URL, 300)
	putTargets(t, c, "", "all", types.Target{Id: aws.String("api"), Arn: aws.String(destArn)})
	var entries []types.PutEventsRequestEntry
	for range 10 {
		entries = append(entries, types.PutEventsRequestEntry{Source: aws.String("com.shop"), DetailType: aws.String("x"), Detail: aws.String(`{}`)})
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	must(t, err)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	hanging.Store(false)

	start(t, onDir(dir))
	want := map[string]bool{}
	for _, en := range out.Entries {
		want[*en.EventId] = true
	}
	timeout := time.After(20 * time.Second)
	for len(want) > 0 {
		select {
		case body := <-delivered:
			delete(want, parseEnvelope(t, body).ID)
		case <-timeout:
			t.Fatalf("%d accepted events were lost", len(want))
		}
	}
}
