package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// sessionVia is session with every call sent through a fault proxy at
// endpoint, in front of e.
func sessionVia(t *testing.T, e *enginetest.Engine, endpoint string) *backend.Session {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	return backendtest.OpenOn(t, e, backend.Env{Endpoint: endpoint, HTTPClient: &http.Client{Transport: bodyOnly{tr}}})
}

// demoReady runs the demo on e and waits until its resources exist.
func demoReady(t *testing.T, e *enginetest.Engine) {
	t.Helper()
	ready := make(chan struct{})
	runDemo(t, e, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(longWait):
		t.Fatal("the demo did not start")
	}
}

// TestRedriveOfAPipesDLQIsRefusedBeforeAsking: r on a pipe's DLQ opened
// "Redrive orders-dlq?" and only after y did SQS refuse (a queue no SQS
// queue feeds cannot be redriven). Here Pipes is denied, so the DLQs list
// knows orders-dlq only from the config, not as a pipe's DLQ, and only
// SQS's own check (ListDeadLetterSourceQueues) can tell: r says why it
// cannot be redriven and what to do instead, no frame ever holds the
// dialog, and no move task is started.
func TestRedriveOfAPipesDLQIsRefusedBeforeAsking(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	s := sessionVia(t, e, p.URL)
	cfg := config.File{Pipelines: []config.Pipeline{{Pipe: demo.PipeName, DLQ: demo.DLQName}}}
	dialog := "Redrive " + demo.DLQName + "?"
	a := start(t, s, cfg, 160, 48, dialog)

	a.press("3")
	a.waitRefreshing("messages in orders-dlq, its pipe unknown", longWait, func(s string) bool {
		d := depth(s, demo.DLQName)
		return d != "" && d != "0" && strings.Contains(s, "pipes: denied")
	})
	a.press("/")
	a.tm.Type(demo.DLQName)
	a.press("enter", "r")
	screen := a.waitText(shortWait, "redrive "+demo.DLQName+": no SQS queue's redrive policy names "+demo.DLQName+" as its DLQ")
	if strings.Contains(screen, dialog) {
		t.Fatalf("a redrive dialog opened:\n%s", screen)
	}
	// y would answer a dialog; with none open it starts nothing (quit
	// comes after it is handled).
	a.press("y")
	a.quit()
	if n := p.Count("sqs", "ListDeadLetterSourceQueues"); n == 0 {
		t.Error("the refusal was not SQS's check: no ListDeadLetterSourceQueues call")
	}
	if n := p.Count("sqs", "StartMessageMoveTask"); n != 0 {
		t.Errorf("%d move tasks started", n)
	}
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	if len(a.rec.bad) > 0 {
		t.Errorf("of %d frames: %s", a.rec.frames, strings.Join(a.rec.bad, "; "))
	}
}
