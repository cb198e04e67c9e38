package consumers_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	cons "github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/streams"
	"github.com/sluicehq/sluice/views/viewtest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

// scene is an engine with stream orders read by pipe orders-to-out,
// whose failures go to orders-dlq, and a Lambda mapping of the same
// stream with the same DLQ.
type scene struct {
	e    *enginetest.Engine
	s    *backend.Session
	uuid string
}

func newScene(t *testing.T, env backend.Env, opts ...enginetest.Option) *scene {
	t.Helper()
	e := enginetest.Start(t, opts...)
	stream := inventorytest.Stream(t, e, "orders", 1)
	_, dlqARN := inventorytest.Queue(t, e, "orders-dlq", nil)
	_, outARN := inventorytest.Queue(t, e, "out", nil)
	inventorytest.Pipe(t, e, "orders-to-out", stream, outARN, dlqARN, nil)
	m, err := e.Lambda().CreateEventSourceMapping(context.Background(), &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("orders-fn"), EventSourceArn: aws.String(stream), StartingPosition: ltypes.EventSourcePositionLatest,
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dlqARN)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &scene{e: e, s: backendtest.OpenOn(t, e, env), uuid: aws.ToString(m.UUID)}
}

func (sc *scene) pipeState(t *testing.T) string {
	t.Helper()
	out, err := sc.e.Pipes().DescribePipe(context.Background(), &pipes.DescribePipeInput{Name: aws.String("orders-to-out")})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.CurrentState)
}

// streamsTab is the Streams tab on the scene, listed, with the consumer
// pane of orders open.
func streamsTab(t *testing.T, sc *scene, w, h int) (*streams.Model, *viewtest.Driver) {
	t.Helper()
	c := viewtest.NewCommon(&common.Env{Session: sc.s}, w, h, true)
	m := streams.New(c, streams.WithClock(fixedClock), streams.WithGetenv(func(string) string { return "" }))
	d := viewtest.NewDriver(t, m)
	d.Run(m.Init())
	d.Press("C")
	return m, d
}

var uuidDigits = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]*…?`)

func plain(m interface{ View() string }) string { return ansi.Strip(m.View()) }

// confirmAndRun answers yes to the one confirmation asked and runs what
// it starts, following the state until it settles.
func confirmAndRun(t *testing.T, d *viewtest.Driver, title string) {
	t.Helper()
	asks := viewtest.Take[common.ConfirmRequest](d)
	if len(asks) != 1 || asks[0].Title != title {
		t.Fatalf("asked %+v, want one confirmation %q", asks, title)
	}
	d.Run(asks[0].OnYes)
}

func statuses(d *viewtest.Driver) []string {
	var out []string
	for _, s := range viewtest.Take[common.StatusMsg](d) {
		out = append(out, s.Text)
	}
	return out
}

// TestStopAndStartFromTheStreamsTab: C on a stream lists its pipe and
// its mapping; S asks, naming the pipe and the action, stops it, and the
// pane follows the state until it reads STOPPED, which the engine says
// too; S again starts it, back to RUNNING.
func TestStopAndStartFromTheStreamsTab(t *testing.T) {
	sc := newScene(t, backend.Env{})
	m, d := streamsTab(t, sc, 100, 30)
	view := plain(m)
	for _, want := range []string{"Consumers of stream orders", "orders-to-out", sc.uuid[:24], "RUNNING", "Enabled",
		"retry       attempts 3 · record age 600s · bisect on", "DLQ         arn:aws:sqs:us-east-1:000000000000:orders-dlq"} {
		if !strings.Contains(view, want) {
			t.Fatalf("pane lacks %q:\n%s", want, view)
		}
	}
	d.Press("S")
	confirmAndRun(t, d, "Stop pipe orders-to-out?")
	// Settled at once, or followed until it is: the last word is STOPPED.
	if got := statuses(d); len(got) == 0 || !strings.HasSuffix(got[len(got)-1], "pipe orders-to-out: STOPPED") {
		t.Fatalf("statuses %q, want the last to say STOPPED", got)
	}
	if st := sc.pipeState(t); st != "STOPPED" {
		t.Fatalf("engine says %s", st)
	}
	if view := plain(m); !strings.Contains(view, "STOPPED") || strings.Contains(view, "following") {
		t.Fatalf("pane after the stop:\n%s", view)
	}
	d.Press("S")
	confirmAndRun(t, d, "Start pipe orders-to-out?")
	if st := sc.pipeState(t); st != "RUNNING" {
		t.Fatalf("engine says %s", st)
	}
	// esc closes the pane: the Streams list is back.
	d.Press("esc")
	if view := plain(m); strings.Contains(view, "Consumers of") || !strings.Contains(view, "Streams") {
		t.Fatalf("after esc:\n%s", view)
	}
}

// TestTheStateIsFollowedUntilItSettles: with the engine holding
// transitions, a stop first reads STOPPING (the status bar says it is
// followed, the row shows where it heads), and the pane reads it again
// until it is STOPPED.
func TestTheStateIsFollowedUntilItSettles(t *testing.T) {
	sc := newScene(t, backend.Env{}, enginetest.WithOptions(func(o *localengine.Options) { o.ConsumerStateDelay = 2 * time.Second }))
	// Created, it is CREATING for the delay: wait until it runs.
	if _, err := cons.Follow(context.Background(), sc.s, cons.ParseRef("orders-to-out"), nil); err != nil {
		t.Fatal(err)
	}
	m, d := streamsTab(t, sc, 100, 30)
	d.Press("S")
	confirmAndRun(t, d, "Stop pipe orders-to-out?")
	got := statuses(d)
	if len(got) != 2 || got[0] != "stop pipe orders-to-out: STOPPING → STOPPED, following…" || got[1] != "pipe orders-to-out: STOPPED" {
		t.Fatalf("statuses %q", got)
	}
	if view := plain(m); !strings.Contains(view, "pipe STOPPED") {
		t.Fatalf("pane after the stop:\n%s", view)
	}
}

// TestOpenedByName: the palette's :consumers orders opens the Streams
// tab with ShowConsumers, which opens the pane of that stream.
func TestOpenedByName(t *testing.T) {
	sc := newScene(t, backend.Env{})
	c := viewtest.NewCommon(&common.Env{Session: sc.s}, 100, 30, true)
	m := streams.New(c, streams.WithClock(fixedClock))
	d := viewtest.NewDriver(t, m)
	d.Send(common.OpenMsg{Tab: common.StreamsTab, Target: "orders", Extra: common.ShowConsumers{}})
	if view := plain(m); !strings.Contains(view, "Consumers of stream orders · 2 consumers") {
		t.Fatalf("pane:\n%s", view)
	}
}

// TestPipesDeniedIsSaidAboveTheMappings: a partial listing shows what it
// read, the failure said in the pane, not in the status bar.
func TestPipesDeniedIsSaidAboveTheMappings(t *testing.T) {
	sc := newScene(t, backend.Env{})
	p := faultproxy.Start(t, sc.e.URL)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	sc.s = backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	m, d := streamsTab(t, sc, 100, 30)
	view := plain(m)
	if !strings.Contains(view, "✗ pipes: denied: list pipes") || !strings.Contains(view, sc.uuid[:24]) || strings.Contains(view, "orders-to-out") {
		t.Fatalf("pane:\n%s", view)
	}
	for _, s := range viewtest.Take[common.StatusMsg](d) {
		if strings.Contains(s.Text, "denied") {
			t.Fatalf("the failure went to the status bar: %q", s.Text)
		}
	}
}

// TestDisableMappingFromTheDLQTab: C on a DLQ lists its sources, the
// pipe and the Lambda mapping; S on the mapping disables it.
func TestDisableMappingFromTheDLQTab(t *testing.T) {
	sc := newScene(t, backend.Env{})
	c := viewtest.NewCommon(&common.Env{Session: sc.s}, 100, 30, true)
	m := dlq.New(c, dlq.WithClock(fixedClock))
	d := viewtest.NewDriver(t, m)
	d.Run(m.Init())
	d.Press("C")
	view := plain(m)
	if !strings.Contains(view, "Sources of DLQ arn:aws:sqs:us-east-1:000000000000:orders-dlq") ||
		!strings.Contains(view, "orders-to-out") || !strings.Contains(view, sc.uuid[:24]) {
		t.Fatalf("pane:\n%s", view)
	}
	d.Press("down")
	if view := plain(m); !strings.Contains(view, "event source mapping "+sc.uuid+" → function orders-fn") {
		t.Fatalf("the mapping is not described:\n%s", view)
	}
	d.Press("S")
	confirmAndRun(t, d, "Disable event source mapping "+sc.uuid+"?")
	got, err := sc.e.Lambda().GetEventSourceMapping(context.Background(), &lambda.GetEventSourceMappingInput{UUID: aws.String(sc.uuid)})
	if err != nil || aws.ToString(got.State) != "Disabled" {
		t.Fatalf("engine says %v, %v", aws.ToString(got.State), err)
	}
	if view := plain(m); !strings.Contains(view, "Disabled") {
		t.Fatalf("pane after disable:\n%s", view)
	}
}

// TestReadOnlyRefusesWithTheReason: under read-only S asks nothing, says
// why it is refused, and the pipe runs on.
func TestReadOnlyRefusesWithTheReason(t *testing.T) {
	sc := newScene(t, backend.Env{ReadOnly: true})
	_, d := streamsTab(t, sc, 100, 30)
	d.Press("S")
	if asks := viewtest.Take[common.ConfirmRequest](d); len(asks) != 0 {
		t.Fatalf("asked %+v under read-only", asks)
	}
	got := statuses(d)
	if len(got) != 1 || got[0] != "stop pipe orders-to-out: refused, sluice runs read-only (drop --readonly)" {
		t.Fatalf("statuses %q", got)
	}
	if st := sc.pipeState(t); st != "RUNNING" {
		t.Fatalf("engine says %s", st)
	}
}

// TestGoldenPane: the pane at 80×24 and 160×48.
func TestGoldenPane(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		sc := newScene(t, backend.Env{})
		m, _ := streamsTab(t, sc, w, h)
		// The mapping's UUID is new each run: its digits (all, or as many
		// as the column shows) read 0.
		view := uuidDigits.ReplaceAllStringFunc(m.View(), func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == '-' || r == '…' {
					return r
				}
				return '0'
			}, s)
		})
		viewtest.Golden(t, view, w, h)
	})
}
