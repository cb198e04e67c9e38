package inventory_test

import (
	"context"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// behindProxy opens a session on the demo's resources through a fault
// proxy, with a declared pipeline of its own DLQ.
func behindProxy(t testing.TB) (*backend.Session, *faultproxy.Proxy, []config.Pipeline) {
	t.Helper()
	_, e := backendtest.Open(t)
	inventorytest.Setup(t, e)
	inventorytest.Stream(t, e, "audit", 1)
	inventorytest.Queue(t, e, "declared-dlq", nil)
	p := faultproxy.Start(t, e.URL)
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	return s, p, []config.Pipeline{{Consumer: "declared-consumer", Stream: "audit", DLQ: "declared-dlq", Archive: "s3://" + demo.BucketName + "/declared/"}}
}

func TestDescribeStreamsKeepsTheOthersWhenOneIsDenied(t *testing.T) {
	s, p, _ := behindProxy(t)
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "DescribeStreamSummary", Match: faultproxy.BodyHas("StreamName", "audit"),
		Fault: faultproxy.Denied("kinesis:DescribeStreamSummary", "stream/audit")})
	l, err := inventory.Streams(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Streams) != 1 || l.Streams[0].Name != demo.StreamName {
		t.Errorf("streams %+v, want %s alone", l.Streams, demo.StreamName)
	}
	if len(l.Failures) != 1 || l.Failures[0].Resource != inventory.StreamResource("audit") || l.Failures[0].Kind != backend.FailDenied ||
		l.Failures[0].Code != "AccessDeniedException" {
		t.Errorf("failures %v, want stream audit denied", l.Failures)
	}
}

func TestSilentPipesCostOneBound(t *testing.T) {
	s, p, declared := behindProxy(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	const bound = time.Second
	ctx := context.Background()

	start := time.Now()
	l := inventory.ListDLQs(ctx, s, declared, inventory.Timeout(bound))
	if took := time.Since(start); took > 2*bound+5*time.Second {
		t.Errorf("ListDLQs took %v with a bound of %v", took, bound)
	}
	found := map[string]inventory.DLQ{}
	for _, d := range l.DLQs {
		found[d.Queue.Name] = d
	}
	if d, ok := found["declared-dlq"]; !ok || len(d.Sources) != 1 || d.Sources[0].Kind != inventory.SourceConfig {
		t.Errorf("declared DLQ %+v (listed %v)", d, ok)
	}
	if _, ok := found[demo.BusDLQName]; !ok {
		t.Errorf("the rule's DLQ is not listed: %v", found)
	}
	if fs := l.Failures.Of("pipes"); len(fs) != 1 || fs[0].Kind != backend.FailTimedOut {
		t.Errorf("pipes failures %v, want one timed out", fs)
	}

	start = time.Now()
	d, err := inventory.Discover(ctx, s, declared, "", inventory.Timeout(bound))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*bound+5*time.Second {
		t.Errorf("Discover took %v with a bound of %v", took, bound)
	}
	p0, ok := inventory.PipelineForConsumer(d.Pipelines, "declared-consumer")
	if !ok || p0.DLQURL == "" || p0.Archive.From != "config" {
		t.Errorf("declared pipeline %+v (found %v)", p0, ok)
	}
	if fs := d.Failures.Of("pipes"); len(fs) != 1 || fs[0].Kind != backend.FailTimedOut {
		t.Errorf("pipes failures %v, want one timed out", fs)
	}
}

// TestDeclaredDLQsReadOnlyTheirQueues: the fast listing the DLQs tab
// shows first reads the declared DLQs alone, through SQS, and never
// waits on Pipes, Lambda or EventBridge (here Pipes never answers).
func TestDeclaredDLQsReadOnlyTheirQueues(t *testing.T) {
	s, p, declared := behindProxy(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	declared = append(declared, config.Pipeline{Consumer: "gone", DLQ: "no-such-dlq"})
	l := inventory.DeclaredDLQs(context.Background(), s, declared)
	found := map[string]inventory.DLQ{}
	for _, d := range l.DLQs {
		found[d.Queue.Name] = d
	}
	if len(found) != 2 {
		t.Errorf("DLQs %+v, want the two declared ones", l.DLQs)
	}
	d, ok := found["declared-dlq"]
	if !ok || d.Queue.URL == "" || d.Failure != nil || len(d.Sources) != 1 ||
		d.Sources[0] != (inventory.Source{Kind: inventory.SourceConfig, Name: "declared-consumer"}) {
		t.Errorf("declared DLQ %+v (listed %v)", d, ok)
	}
	if g := found["no-such-dlq"]; g.Failure == nil || g.Failure.Kind != backend.FailNotFound {
		t.Errorf("missing declared DLQ %+v, want listed with its failure", g)
	}
	if len(l.Failures) != 1 || l.Failures[0].Resource != inventory.QueueResource("no-such-dlq") {
		t.Errorf("failures %v, want the missing queue's alone", l.Failures)
	}
	for _, r := range p.Seen(nil) {
		if r.Service != "sqs" || r.Operation == "ListQueues" {
			t.Errorf("called %s %s %s: only the declared queues are to be read", r.Service, r.Operation, r.Path)
		}
	}
}

func TestAThrottledQueueListingKeepsTheNamedDLQs(t *testing.T) {
	s, p, declared := behindProxy(t)
	p.Add(&faultproxy.Rule{Service: "sqs", Operation: "ListQueues", Fault: faultproxy.Throttled()})
	l := inventory.ListDLQs(context.Background(), s, declared)
	found := map[string]bool{}
	for _, d := range l.DLQs {
		found[d.Queue.Name] = d.Queue.URL != "" && d.Failure == nil
	}
	for _, want := range []string{demo.DLQName, demo.BusDLQName, "declared-dlq"} {
		if !found[want] {
			t.Errorf("%s not listed and read: %v", want, found)
		}
	}
	if fs := l.Failures.Of("sqs"); len(fs) != 1 || fs[0].Kind != backend.FailThrottled {
		t.Errorf("sqs failures %v, want ListQueues throttled", fs)
	}
}

// BenchmarkDLQsDeclaredWhilePipesIsSilent is the time `sluice dlq ls`
// (ListDLQs) takes to show a declared pipeline's DLQ when the Pipes
// endpoint never answers, with the real bound; Floor is the same listing
// with Pipes answering.
func BenchmarkDLQsDeclaredWhilePipesIsSilent(b *testing.B) {
	for _, silent := range []bool{false, true} {
		name := "Floor"
		if silent {
			name = "PipesSilent"
		}
		b.Run(name, func(b *testing.B) {
			s, p, declared := behindProxy(b)
			if silent {
				p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
			}
			for b.Loop() {
				l := inventory.ListDLQs(context.Background(), s, declared)
				if len(l.DLQs) < 3 {
					b.Fatalf("DLQs %+v", l.DLQs)
				}
			}
		})
	}
}
