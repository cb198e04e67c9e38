package consumers_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory"

	"github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

func names(cs []consumers.Consumer) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Kind)+"/"+c.Name)
	}
	return out
}

// TestListByStreamAndByDLQ: a stream's consumers are the pipes reading
// it; a DLQ's sources are the pipes that send their failures to it.
func TestListByStreamAndByDLQ(t *testing.T) {
	f := newFixture(t)
	other := inventorytest.Stream(t, f.e, "payments", 1)
	inventorytest.Pipe(t, f.e, "payments-to-out", other, f.outARN, "", nil)

	cs, fs := consumers.List(f.ctx, f.s, consumers.Filter{Stream: "orders"})
	if err := fs.Err(); err != nil {
		t.Fatalf("failures: %v", err)
	}
	if got := names(cs); len(got) != 2 || got[0] != "pipe/orders-control" || got[1] != "pipe/orders-to-out" {
		t.Fatalf("consumers of orders: %v", got)
	}
	cs, _ = consumers.List(f.ctx, f.s, consumers.Filter{Stream: other})
	if got := names(cs); len(got) != 1 || got[0] != "pipe/payments-to-out" {
		t.Fatalf("consumers of payments by ARN: %v", got)
	}
	for _, dlq := range []string{"orders-dlq", f.dlqURL, f.dlqARN} {
		cs, _ = consumers.List(f.ctx, f.s, consumers.Filter{DLQ: dlq})
		if got := names(cs); len(got) != 1 || got[0] != "pipe/orders-to-out" {
			t.Fatalf("sources of DLQ %s: %v", dlq, got)
		}
	}
	cs, _ = consumers.List(f.ctx, f.s, consumers.Filter{})
	if len(cs) != 3 {
		t.Fatalf("all consumers: %v", names(cs))
	}
}

// TestDescribeSettingsAndLastHour: a description carries the source's
// settings as created and the invocations CloudWatch has for it.
func TestDescribeSettingsAndLastHour(t *testing.T) {
	f := newFixture(t)
	f.put("a", 4)
	f.drain(f.outURL, 4)
	d, err := consumers.Describe(f.ctx, f.s, consumers.ParseRef("orders-to-out"))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Consumer
	if c.Kind != consumers.KindPipe || c.State != "RUNNING" || c.DesiredState != "RUNNING" ||
		c.Source != f.streamARN || c.Target != f.outARN || c.DLQ != f.dlqARN ||
		c.BatchSize != 10 || c.MaximumRetryAttempts != 3 || c.MaximumRecordAgeSeconds != 600 ||
		!c.Bisect || c.StartingPosition != "TRIM_HORIZON" {
		t.Fatalf("described %+v", c)
	}
	if d.ActivityFailure != nil {
		t.Fatalf("activity: %v", d.ActivityFailure)
	}
	if a := d.LastHour; a == nil || !a.Reported || a.Invocations < 1 || a.Failures != 0 || a.TargetDurationMs <= 0 {
		t.Fatalf("last hour: %+v", d.LastHour)
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]consumers.Ref{
		"orders":                                {Kind: consumers.KindPipe, Name: "orders"},
		"pipe/orders":                           {Kind: consumers.KindPipe, Name: "orders"},
		"esm/x":                                 {Kind: consumers.KindESM, Name: "x"},
		"a1b2c3d4-0000-4000-8000-0123456789ab":  {Kind: consumers.KindESM, Name: "a1b2c3d4-0000-4000-8000-0123456789ab"},
		"arn:aws:pipes:us-east-1:1:pipe/orders": {Kind: consumers.KindPipe, Name: "orders"},
		"arn:aws:lambda:us-east-1:1:event-source-mapping:a1b2": {Kind: consumers.KindESM, Name: "a1b2"},
	} {
		if got := consumers.ParseRef(in); got != want {
			t.Errorf("ParseRef(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// esm creates an enabled Lambda event source mapping on the stream, with
// the DLQ as its on-failure destination, and returns its UUID.
func (f *fixture) esm(function string) string {
	f.t.Helper()
	out, err := f.e.Lambda().CreateEventSourceMapping(f.ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(function), EventSourceArn: aws.String(f.streamARN),
		StartingPosition: ltypes.EventSourcePositionLatest, BatchSize: aws.Int32(25), MaximumRetryAttempts: aws.Int32(4),
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(f.dlqARN)}},
	})
	if err != nil {
		f.t.Fatalf("create event source mapping: %v", err)
	}
	return aws.ToString(out.UUID)
}

// TestMappingsListedAndDisabled: a Lambda mapping is listed among the
// stream's consumers and the DLQ's sources; stopping it disables it
// (Disabled, settled), starting enables it; read-only refuses both.
func TestMappingsListedAndDisabled(t *testing.T) {
	f := newFixture(t)
	uuid := f.esm("orders-handler")
	cs, fs := consumers.List(f.ctx, f.s, consumers.Filter{DLQ: "orders-dlq"})
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	if got := names(cs); len(got) != 2 || got[0] != "pipe/orders-to-out" || got[1] != "esm/"+uuid {
		t.Fatalf("sources of the DLQ: %v", got)
	}
	ref := consumers.ParseRef(uuid)
	if _, err := consumers.Follow(f.ctx, f.s, ref, nil); err != nil {
		t.Fatal(err)
	}
	ro := backendtest.OpenOn(t, f.e, backend.Env{ReadOnly: true})
	if _, err := consumers.Stop(f.ctx, ro, ref); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("disable under read-only: %v", err)
	}
	c, err := consumers.Stop(f.ctx, f.s, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.DesiredState != "Disabled" || c.Verb(true) != "disable" {
		t.Fatalf("after disable: %+v", c)
	}
	c, err = consumers.Follow(f.ctx, f.s, ref, nil)
	if err != nil || c.State != "Disabled" || !c.Stopped() || c.Function != "orders-handler" || c.BatchSize != 25 || c.MaximumRetryAttempts != 4 {
		t.Fatalf("followed to %+v, %v", c, err)
	}
	if _, err := consumers.Start(f.ctx, ro, ref); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("enable under read-only: %v", err)
	}
	if _, err := consumers.Start(f.ctx, f.s, ref); err != nil {
		t.Fatal(err)
	}
	if c, err = consumers.Follow(f.ctx, f.s, ref, nil); err != nil || c.State != "Enabled" {
		t.Fatalf("followed to %s, %v", c.State, err)
	}
	d, err := consumers.Describe(f.ctx, f.s, ref)
	if err != nil || d.ActivityFailure != nil || d.LastHour == nil || d.LastHour.Reported {
		t.Fatalf("describe: %+v %v (the engine runs no function: nothing reported)", d, err)
	}
}

// TestPartialListing: with Pipes denied the mappings are still listed and
// the failure names Pipes; with Lambda silent the pipes are listed and
// Lambda's failure comes within the listing's bound.
func TestPartialListing(t *testing.T) {
	f := newFixture(t)
	uuid := f.esm("orders-handler")
	p := faultproxy.Start(t, f.e.URL)
	s := backendtest.OpenOn(t, f.e, backend.Env{Endpoint: p.URL})

	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	cs, fs := consumers.List(f.ctx, s, consumers.Filter{Stream: "orders"})
	if got := names(cs); len(got) != 1 || got[0] != "esm/"+uuid {
		t.Fatalf("with Pipes denied: %v", got)
	}
	if len(fs) != 1 || fs[0].Service != "pipes" || fs[0].Kind != backend.FailDenied {
		t.Fatalf("failures %v, want Pipes denied", fs)
	}

	p.Clear()
	p.Add(&faultproxy.Rule{Service: "lambda", Fault: faultproxy.Silent()})
	cs, fs = consumers.List(f.ctx, s, consumers.Filter{Stream: "orders"}, inventory.Timeout(500*time.Millisecond))
	if got := names(cs); len(got) != 2 || got[0] != "pipe/orders-control" || got[1] != "pipe/orders-to-out" {
		t.Fatalf("with Lambda silent: %v", got)
	}
	if len(fs) != 1 || fs[0].Service != "lambda" || fs[0].Kind != backend.FailTimedOut {
		t.Fatalf("failures %v, want Lambda timed out", fs)
	}
}
