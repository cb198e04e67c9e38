package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// partialEngine starts an engine with the demo's resources, a config
// declaring one more pipeline (its own DLQ, an archive) and a pipeline
// whose dead-letter target is an SNS topic, and a fault proxy in front of
// the engine. It returns the proxy and the config's path.
func partialEngine(t *testing.T) (*enginetest.Engine, *faultproxy.Proxy, string) {
	t.Helper()
	e, _ := inventoryEngine(t)
	inventorytest.Stream(t, e, "audit", 1)
	inventorytest.Queue(t, e, "declared-dlq", nil)
	_, plainARN := inventorytest.Queue(t, e, "plain-dlq", nil)
	inventorytest.Queue(t, e, "jobs", nil, "RedrivePolicy", `{"deadLetterTargetArn":"`+plainARN+`","maxReceiveCount":3}`)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	invWriteFile(t, cfg, `pipelines:
  - consumer: declared-consumer
    stream: audit
    dlq: declared-dlq
    archive: s3://`+demo.BucketName+`/declared/
  - consumer: alerts-consumer
    stream: audit
    dlq: arn:aws:sns:us-east-1:000000000000:alerts
`)
	return e, faultproxy.Start(t, e.URL), cfg
}

// sluiceVia runs a command line against the engine through the proxy, and
// reports how long it took.
func sluiceVia(t *testing.T, p *faultproxy.Proxy, args ...string) (stdout, stderr string, took time.Duration, err error) {
	t.Helper()
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append(args, "--profile", "local", "--endpoint-url", p.URL))
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(""))
	root.SetOut(&out)
	root.SetErr(&errOut)
	// Far above the bound: a listing that hangs fails here, not forever.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	start := time.Now()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), time.Since(start), err
}

func names[T any](rows []T, name func(T) string) map[string]T {
	out := map[string]T{}
	for _, r := range rows {
		out[name(r)] = r
	}
	return out
}

func wantPartial(t *testing.T, what string, err error, stderr string, mentions ...string) {
	t.Helper()
	if got := exitStatus(err); err == nil || got != exitPartial {
		t.Errorf("%s: error %v (exit %d), want a partial listing (exit %d)", what, err, got, exitPartial)
	}
	for _, m := range mentions {
		if !strings.Contains(stderr, m) {
			t.Errorf("%s: stderr does not name %q:\n%s", what, m, stderr)
		}
	}
}

func TestStreamsListsTheOthersWhenOneIsDenied(t *testing.T) {
	_, p, _ := partialEngine(t)
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "DescribeStreamSummary", Match: faultproxy.BodyHas("StreamName", "audit"),
		Fault: faultproxy.Denied("kinesis:DescribeStreamSummary", "stream/audit")})
	out, errOut, _, err := sluiceVia(t, p, "streams", "-o", "json")
	streams := names(invJSON[[]inventory.Stream](t, out), func(s inventory.Stream) string { return s.Name })
	if _, ok := streams[demo.StreamName]; !ok || len(streams) != 1 {
		t.Errorf("streams %v, want %s alone", streams, demo.StreamName)
	}
	wantPartial(t, "streams", err, errOut, "stream audit", "denied", "AccessDeniedException")
}

func TestListPipesDeniedStillListsDeclaredAndRedriveDLQs(t *testing.T) {
	_, p, cfg := partialEngine(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})

	out, errOut, _, err := sluiceVia(t, p, "pipelines", "-o", "json", "--config", cfg)
	pipelines := names(invJSON[[]backend.Pipeline](t, out), func(p backend.Pipeline) string { return p.Consumer })
	if d, ok := pipelines["declared-consumer"]; !ok || d.DLQURL == "" || d.Archive.From != "config" || d.StreamARN == "" {
		t.Errorf("declared pipeline %+v (listed: %v)", d, ok)
	}
	if a := pipelines["alerts-consumer"]; a.DLQTopicARN == "" || a.DLQ != "" || a.DLQURL != "" {
		t.Errorf("a pipeline whose DLQ is an SNS topic: %+v", a)
	}
	wantPartial(t, "pipelines", err, errOut, "pipes", "denied")

	out, errOut, _, err = sluiceVia(t, p, "dlq", "ls", "-o", "json", "--config", cfg)
	dlqs := names(invJSON[[]inventory.DLQ](t, out), func(d inventory.DLQ) string { return d.Queue.Name })
	for _, want := range []string{"declared-dlq", "plain-dlq", demo.BusDLQName, demo.DLQName} {
		if _, ok := dlqs[want]; !ok {
			t.Errorf("dlq ls lacks %s: %v", want, dlqs)
		}
	}
	if _, ok := dlqs["alerts"]; ok {
		t.Error("dlq ls lists the SNS topic as a queue")
	}
	if d := dlqs["declared-dlq"]; len(d.Sources) != 1 || d.Sources[0].Kind != inventory.SourceConfig {
		t.Errorf("declared DLQ's sources %+v", d.Sources)
	}
	wantPartial(t, "dlq ls", err, errOut, "pipes", "denied")
}

// TestPipesThatDoNotAnswerCostABoundedTime: a Pipes endpoint that never
// answers, or answers 404, leaves the declared pipeline listed.
func TestPipesThatDoNotAnswerCostABoundedTime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   faultproxy.Fault
		kind    backend.FailureKind
		partial bool
	}{
		{"silent", faultproxy.Silent(), backend.FailTimedOut, true},
		{"404", faultproxy.NotFound404(), backend.FailNotServed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, p, cfg := partialEngine(t)
			p.Add(&faultproxy.Rule{Service: "pipes", Fault: tc.fault})
			// Pipes is read once per listing; the declared pipeline's own
			// calls (SQS, Kinesis) answer at once. A margin for a slow
			// machine, not a speed claim.
			bound := 2*inventory.ServiceTimeout + 10*time.Second
			for _, args := range [][]string{{"pipelines"}, {"dlq", "ls"}} {
				out, errOut, took, err := sluiceVia(t, p, append(args, "--config", cfg)...)
				if took > bound {
					t.Errorf("%v took %v, want under %v", args, took, bound)
				}
				if !strings.Contains(out, "declared-") {
					t.Errorf("%v does not list the declared pipeline:\n%s", args, out)
				}
				if !strings.Contains(errOut, string(tc.kind)) || !strings.Contains(errOut, "pipes") {
					t.Errorf("%v: stderr does not name the pipes failure (%s):\n%s", args, tc.kind, errOut)
				}
				if got := exitStatus(err); tc.partial && (err == nil || got != exitPartial) || !tc.partial && err != nil {
					t.Errorf("%v: error %v (exit %d), partial %v", args, err, got, tc.partial)
				}
			}
		})
	}
}

func TestThrottledListQueuesListsTheRest(t *testing.T) {
	_, p, cfg := partialEngine(t)
	p.Add(&faultproxy.Rule{Service: "sqs", Operation: "ListQueues", Fault: faultproxy.Throttled()})
	out, errOut, _, err := sluiceVia(t, p, "dlq", "ls", "-o", "json", "--config", cfg)
	dlqs := names(invJSON[[]inventory.DLQ](t, out), func(d inventory.DLQ) string { return d.Queue.Name })
	// Named by the pipe, the rule and the config, each read by itself.
	for _, want := range []string{demo.DLQName, demo.BusDLQName, "declared-dlq"} {
		if d, ok := dlqs[want]; !ok || d.Queue.URL == "" {
			t.Errorf("dlq ls lacks %s, or its URL: %+v", want, dlqs)
		}
	}
	wantPartial(t, "dlq ls", err, errOut, "sqs", "throttled")
}

func TestDeclaredPipelineHydratesWhenPipesIsSilent(t *testing.T) {
	_, p, cfg := partialEngine(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	_, errOut, took, err := sluiceVia(t, p, "dlq", "hydrate", "declared-dlq", "--all", "--archive", "s3://"+demo.BucketName+"/flag/",
		"--yes", "--config", cfg)
	if err != nil {
		t.Fatalf("hydrate: %v\n%s", err, errOut)
	}
	if took > inventory.ServiceTimeout {
		t.Errorf("hydrate of a declared pipeline waited %v for discovery", took)
	}
}

func TestDeclaredCrossAccountDLQDeniedIsListedWithItsFailure(t *testing.T) {
	_, p, cfg := partialEngine(t)
	other := filepath.Join(filepath.Dir(cfg), "other.yaml")
	invWriteFile(t, other, `pipelines:
  - consumer: cross
    stream: audit
    dlq: arn:aws:sqs:us-east-1:111111111111:their-dlq
`)
	p.Add(&faultproxy.Rule{Service: "sqs", Operation: "GetQueueUrl", Match: faultproxy.BodyHas("QueueName", "their-dlq"),
		Fault: faultproxy.Denied("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:111111111111:their-dlq")})
	out, errOut, _, err := sluiceVia(t, p, "dlq", "ls", "-o", "json", "--config", other)
	dlqs := names(invJSON[[]inventory.DLQ](t, out), func(d inventory.DLQ) string { return d.Queue.Name })
	d, ok := dlqs["their-dlq"]
	if !ok || d.Failure == nil || d.Failure.Kind != backend.FailDenied {
		t.Errorf("their-dlq %+v (listed %v), want it with its denied failure", d, ok)
	}
	if _, ok := dlqs[demo.DLQName]; !ok {
		t.Errorf("the others are not listed: %v", dlqs)
	}
	wantPartial(t, "dlq ls", err, errOut, "their-dlq", "denied")
	_ = os.Remove(other)
}
