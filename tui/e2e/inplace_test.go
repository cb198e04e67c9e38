package e2e

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
)

// badFrames fails the test with the frames that held a forbidden text.
func (a *app) badFrames() {
	a.t.Helper()
	a.rec.mu.Lock()
	defer a.rec.mu.Unlock()
	if len(a.rec.bad) > 0 {
		n := min(len(a.rec.bad), 5)
		a.t.Errorf("of %d frames, %d held what they must not: %s", a.rec.frames, len(a.rec.bad), strings.Join(a.rec.bad[:n], "; "))
	}
}

// TestErrorsAreSaidWhereTheyHappen: a DLQs list whose sources were all
// denied said "no dead-letter queues found"; the Metrics tab's failure to
// list queues went to the status bar as "metrics: list queues: …", read
// there as the failure of whatever tab was shown; a failure in the status
// bar stayed after things worked again. Here, on the demo behind a fault
// proxy denying ListStreams, ListQueues, Pipes and EventBridge: the
// Streams tab names its own failure (streams; kinesis, denied,
// ListStreams, AWS's code, not the SDK's chain); the Metrics tab says
// what it could not list in its header; the DLQs tab says which sources
// could not be read; no frame ever holds "metrics: " (the Metrics tab's
// failure in the status bar) or "no dead-letter queues found". A bad jq expression puts a failure in
// the status bar, and once the proxy lets everything through, the next
// whole read clears it.
func TestErrorsAreSaidWhereTheyHappen(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "ListStreams", Fault: faultproxy.Denied("kinesis:ListStreams", "*")})
	p.Add(&faultproxy.Rule{Service: "sqs", Operation: "ListQueues", Fault: faultproxy.Denied("sqs:ListQueues", "*")})
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	p.Add(&faultproxy.Rule{Service: "events", Fault: faultproxy.Denied("events:ListRules", "*")})
	s := sessionVia(t, e, p.URL)
	a := start(t, s, config.File{}, 160, 48, "metrics: ", "no dead-letter queues found")

	// Streams: the listing's failure, named as the streams'.
	a.waitFor("the streams failure in the Streams tab", shortWait, func(s string) bool {
		l, ok := lineWith(s, "✗ streams: read failed", "kinesis: denied: list streams: ListStreams: AccessDeniedException")
		return ok && strings.HasPrefix(bodyHeader(s), "Streams") && !strings.Contains(l, "metrics")
	})
	// Metrics: what it could not list, in its own header.
	a.press("5")
	a.waitFor("the metrics listing's failure in its header", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), "Metrics") && strings.Contains(bodyHeader(s), "could not list")
	})
	a.press("1")
	a.waitFor("the Streams tab again", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), "Streams") })
	// DLQs: what could not be read, never "none found".
	a.press("3")
	a.waitFor("the DLQ sources' failures in the DLQs tab", shortWait, func(s string) bool {
		_, banner := lineWith(s, "✗ ", "could not be read", "denied")
		return strings.HasPrefix(bodyHeader(s), "DLQs") && banner
	})

	// A failure in the status bar...
	a.press("4", "J")
	a.tm.Type("(((")
	a.press("enter")
	a.waitFor("the jq failure in the status bar", shortWait, func(s string) bool { return strings.Contains(line(s, -2), "jq: ") })
	// ...is cleared by the next whole read.
	p.Clear()
	a.press("1", "ctrl+r")
	a.waitFor("the streams listed and the failure gone", longWait, func(s string) bool {
		_, listed := lineWith(s, "  "+demo.StreamName+" ", "active")
		return listed && !strings.Contains(s, "✗ streams") && !strings.Contains(line(s, -2), "jq: ")
	})
	a.quit()
	a.badFrames()
}

// TestArchivesKeepsConsumersARefreshCouldNotRead: a refresh of the
// Archives consumers with Pipes denied emptied the list (the demo's
// archive is known through its pipe's tag), as if the consumer were
// gone. Here the demo's consumer, read once, stays after such a refresh,
// marked as not re-read, with a banner naming it and the failure's source
// and kind, under the failure in the header; once Pipes answers again,
// it is read again, unmarked.
func TestArchivesKeepsConsumersARefreshCouldNotRead(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	p := faultproxy.Start(t, e.URL)
	s := sessionVia(t, e, p.URL)
	a := start(t, s, config.File{}, 160, 48)
	a.press("4")
	a.waitFor("the demo's consumer", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, "s3://orders-archive/")
		return ok
	})
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	a.press("ctrl+r")
	a.waitFor("the consumer kept, marked, under the failure", shortWait, func(s string) bool {
		_, kept := lineWith(s, demo.PipeName+" (not re-read)", "s3://orders-archive/")
		_, banner := lineWith(s, "✗ 1 consumer not re-read, shown as last read: "+demo.PipeName+" (pipes denied)")
		return kept && banner && strings.Contains(bodyHeader(s), "could not read: pipes: denied")
	})
	p.Clear()
	a.press("ctrl+r")
	a.waitFor("the consumer read again", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, "s3://orders-archive/")
		return ok && !strings.Contains(s, "not re-read") && !strings.Contains(s, "could not read")
	})
	a.quit()
}
