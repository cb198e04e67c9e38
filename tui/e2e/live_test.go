package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/tui"
	"github.com/sluicehq/sluice/views/archives"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/metrics"
	"github.com/sluicehq/sluice/views/shards"
	"github.com/sluicehq/sluice/views/streams"
)

// ops counts a session's calls by operation, through its call log's
// sink (the log itself keeps only the last thousand).
type ops struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *ops) Write(p []byte) (int, error) {
	var c backend.Call
	if err := json.Unmarshal(p, &c); err == nil {
		o.mu.Lock()
		if o.n == nil {
			o.n = map[string]int{}
		}
		o.n[c.Operation]++
		o.mu.Unlock()
	}
	return len(p), nil
}

func (o *ops) count(op string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[op]
}

func (o *ops) total() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.n {
		n += c
	}
	return n
}

// countedSession is session with every call counted.
func countedSession(t *testing.T, e *enginetest.Engine, readOnly bool) (*backend.Session, *ops) {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	o := &ops{}
	calls := backend.NewCallLog(0)
	calls.SetSink(o)
	return backendtest.OpenOn(t, e, backend.Env{ReadOnly: readOnly, Calls: calls, HTTPClient: &http.Client{Transport: bodyOnly{tr}}}), o
}

// clockedModel is newModel with the tabs on clock: moving it on makes
// their lists due, and the root's own tick (every second) reads them
// again.
func clockedModel(s *backend.Session, cfg config.File, clock func() time.Time) *tui.Model {
	return tui.New(tui.Options{
		Profiles: []backend.Profile{s.Profile}, Session: s, Config: cfg, Keys: keymap.Default(),
		Tabs: func(c *common.Common) []common.Tab {
			return []common.Tab{streams.New(c, streams.WithClock(clock)), shards.New(c), dlq.New(c, dlq.WithClock(clock)),
				archives.New(c, archives.WithClock(clock)), metrics.New(c, metrics.WithClock(clock))}
		},
		ReadOnly: s.ReadOnly(), Dark: true,
	})
}

// waitAging is waitFor moving clock on by more than a refresh cadence
// every so often (never pressing a key): what the screen comes to show
// is what the tabs read on their own.
func (a *app) waitAging(what string, d time.Duration, clock *enginetest.Clock, cond func(screen string) bool) string {
	a.t.Helper()
	last := time.Now()
	return a.waitFor(what, d, func(s string) bool {
		if cond(s) {
			return true
		}
		if time.Since(last) > 500*time.Millisecond {
			clock.Advance(common.RefreshEvery + time.Second)
			last = time.Now()
		}
		return false
	})
}

// ordersRow is the demo stream's row in the Streams list, "" before it
// is listed or while its figures are still being read.
func ordersRow(screen string) string {
	l, ok := lineWith(screen, "  "+demo.StreamName+" ", "active")
	if !ok || strings.Contains(l, "…") {
		return ""
	}
	return l
}

// TestStreamsFiguresMoveOnTheirOwn: the Streams tab showed RECORDS/MIN
// "–" for minutes while the demo wrote 20 records a second, until
// ctrl+r. Here the demo starts after the first frame, no key is pressed,
// and only the tabs' clock moves (past the 30-second cadence; the
// root's tick is the real one): the orders stream comes to be listed,
// with figures, and its figures change again on their own; the header
// says how fresh the list is.
func TestStreamsFiguresMoveOnTheirOwn(t *testing.T) {
	e := engine(t)
	clock := enginetest.NewClock()
	s := session(t, e, false)
	a := startModel(t, clockedModel(s, config.File{}, clock.Now), 160, 48)
	a.waitText(shortWait, "Streams", "local", "account 000000000000")
	runDemo(t, e, nil)

	// Figures are read once per load of the list: three different rows
	// after the first take three loads at least.
	rows := map[string]bool{}
	a.waitAging("the orders stream's figures to change three times", longWait, clock, func(s string) bool {
		if r := ordersRow(s); r != "" {
			rows[r] = true
		}
		return len(rows) > 3
	})
	a.waitFor("the list's freshness", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), "Streams") && strings.Contains(bodyHeader(s), "updated ")
	})
	a.quit()
}

// TestLookingDoesNotReceive: refreshes, trace and tab switches each
// received from every DLQ, raising receive counts with no consumer.
// Here t on a tailed record, before any browse, traces without
// browsing (and offers to); the DLQs list is refreshed (ctrl+r and the
// clock) until the demo's failures arrive, without one ReceiveMessage;
// orders-dlq is opened (the one browse); then t on a message traces it with what was browsed,
// ctrl+r is pressed several times, every tab is shown and refreshed and
// the lists fall due again: the session makes no ReceiveMessage call
// beyond the browse's.
func TestLookingDoesNotReceive(t *testing.T) {
	e := engine(t)
	clock := enginetest.NewClock()
	s, calls := countedSession(t, e, false)
	a := startModel(t, clockedModel(s, config.File{}, clock.Now), 160, 48)
	a.waitText(shortWait, "Streams", "local")
	// The tail below needs the stream: wait for the demo to have built it.
	ready := make(chan struct{})
	var once sync.Once
	runDemo(t, e, func() { once.Do(func() { close(ready) }) })
	select {
	case <-ready:
	case <-time.After(longWait):
		t.Fatal("the demo pipeline was never ready")
	}

	// t on a tailed record before any browse: the trace says orders-dlq
	// was not looked in, and offers to browse it, at a cost it names.
	a.command("tail " + demo.StreamName)
	a.waitFor("orders records in the tail", shortWait, func(s string) bool {
		_, ok := lineWith(s, `{"type":"OrderCreated","orderId":"ord-`)
		return strings.HasPrefix(bodyHeader(s), demo.StreamName+" · all shards") && ok
	})
	a.press("t")
	a.waitText(shortWait, "Dead-letter queues", "? "+demo.DLQName+": not browsed, not looked in",
		"b browses "+demo.DLQName+" and traces again", "SQS counts every receive")
	if n := calls.count("ReceiveMessage"); n != 0 {
		t.Fatalf("a trace made %d ReceiveMessage calls before any browse", n)
	}
	a.press("esc")
	a.waitFor("the trace closed", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), demo.StreamName+" · all shards") })
	a.press("esc")

	a.press("3")
	a.waitRefreshing("messages in orders-dlq", longWait, func(s string) bool {
		clock.Advance(time.Second)
		d := depth(s, demo.DLQName)
		return d != "" && d != "0"
	})
	if n := calls.count("ReceiveMessage"); n != 0 {
		t.Fatalf("listing the DLQs made %d ReceiveMessage calls", n)
	}
	a.press("/")
	a.tm.Type(demo.DLQName)
	a.press("enter", "enter")
	a.waitFor("the messages of orders-dlq", shortWait, func(s string) bool {
		_, ok := lineWith(s, "RetryAttemptsExhausted", demo.PipeName)
		return strings.HasPrefix(bodyHeader(s), "DLQs › orders-dlq") && ok
	})
	browse := calls.count("ReceiveMessage")
	if browse == 0 {
		t.Fatal("opening orders-dlq made no ReceiveMessage call")
	}

	// t on a message: the trace looks in orders-dlq as browsed.
	a.press("t")
	a.waitText(shortWait, "Dead-letter queues", "● "+demo.DLQName+" · ", demo.DLQName+": as browsed ")
	a.press("esc")
	a.waitFor("the trace closed", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), "DLQs › orders-dlq") })

	// refreshed waits until the session made more calls than before,
	// pressing keys first: each refresh is seen to happen.
	refreshed := func(what string, keys ...string) {
		t.Helper()
		before := calls.total()
		a.press(keys...)
		a.waitFor(what, shortWait, func(string) bool { return calls.total() > before })
	}
	for range 3 {
		refreshed("ctrl+r on orders-dlq", "ctrl+r")
	}
	for _, tab := range []string{"1", "2", "4", "5", "3"} {
		refreshed("tab "+tab+" refreshed", tab, "ctrl+r")
	}
	clock.Advance(common.RefreshEvery + time.Second)
	refreshed("the lists due again", "1", "3")
	a.waitFor("orders-dlq shown again", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), "DLQs") })
	if n := calls.count("ReceiveMessage"); n != browse {
		t.Fatalf("%d ReceiveMessage calls after the browse's %d: trace, refreshes or tab switches received", n-browse, browse)
	}
	a.quit()
}

// TestSmallReadOnlyEssentials: at 80×24 the READ-ONLY badge was cut to
// "RE", and help was clipped at the bottom with no way to scroll to the
// focused tab's keys. Here, read-only at 80×24 on the demo, the status
// bar shows profile, region, account and READ-ONLY whole (also with news
// on screen), and help on the DLQs tab scrolls (j) through every one of
// the tab's keys to its last line.
func TestSmallReadOnlyEssentials(t *testing.T) {
	e := engine(t)
	ready := make(chan struct{})
	runDemo(t, e, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(longWait):
		t.Fatal("the demo did not start")
	}
	s := session(t, e, true)
	a := start(t, s, config.File{}, 80, 24)
	essentials := func(s string) bool {
		bar := line(s, -2)
		for _, x := range []string{"local", "us-east-1", "000000000000", "READ-ONLY"} {
			if !strings.Contains(bar, x) {
				return false
			}
		}
		return true
	}
	a.waitFor("profile, region, account and READ-ONLY whole", shortWait, essentials)

	a.press("3")
	a.waitRefreshing("orders-dlq listed", longWait, func(s string) bool { return depth(s, demo.DLQName) != "" })
	a.press("X")
	a.waitFor("purge refused, beside the essentials", shortWait, func(s string) bool {
		return strings.Contains(s, "purge: refused, read-only") && essentials(s)
	})

	a.press("?")
	first := a.waitText(shortWait, "DLQs", "lines 1–")
	if strings.Contains(first, "keys can be rebound") {
		t.Fatalf("help fits at 80×24, nothing to scroll:\n%s", first)
	}
	want := []string{"browse again", "export", "trace", "copy", "filter", "quit", "keys can be rebound"}
	seen := map[string]bool{}
	look := func(s string) {
		for _, w := range want {
			if strings.Contains(s, w) {
				seen[w] = true
			}
		}
	}
	look(first)
	for range 40 {
		if len(seen) == len(want) {
			break
		}
		prev := a.screen()
		a.press("j")
		look(a.waitFor("help scrolled by j", shortWait, func(s string) bool {
			return s != prev || strings.Contains(s, "keys can be rebound")
		}))
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("help never showed %q while scrolling", w)
		}
	}
	if !essentials(a.screen()) {
		t.Errorf("help covers the essentials:\n%s", a.screen())
	}
	a.press("esc")
	a.waitFor("help closed", shortWait, func(s string) bool { return !strings.Contains(s, "lines ") })
	a.quit()
}

var hydrateAllRe = regexp.MustCompile(`Count:   all (\d+) Kinesis failures as browsed`)

// queueDepth is every message of the queue, visible or not.
func queueDepth(t *testing.T, e *enginetest.Engine, name string) int {
	t.Helper()
	ctx := context.Background()
	u, err := e.SQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		d, _ := strconv.Atoi(v)
		n += d
	}
	return n
}

// TestHydrateAllActsOnTheConfirmedSet: "Hydrate all 57 messages"
// hydrated 102, what had arrived meanwhile included. Here, on the demo
// whose DLQ keeps filling, H on orders-dlq names the set browsed; more
// failures arrive before y; the hydration hydrates exactly the messages
// named and reports those that arrived since as left in the queue.
func TestHydrateAllActsOnTheConfirmedSet(t *testing.T) {
	e := engine(t)
	s := session(t, e, false)
	a := start(t, s, config.File{}, 160, 48)
	a.waitText(shortWait, "Streams", "local")
	runDemo(t, e, func() { a.tm.Send(tui.ReloadMsg{Status: "demo pipeline ready"}) })
	a.waitText(shortWait, "demo pipeline ready")

	a.press("3")
	a.waitRefreshing("messages in orders-dlq", longWait, func(s string) bool {
		d := depth(s, demo.DLQName)
		return d != "" && d != "0"
	})
	a.press("/")
	a.tm.Type(demo.DLQName)
	a.press("enter", "enter")
	a.waitFor("the messages of orders-dlq", shortWait, func(s string) bool {
		_, ok := lineWith(s, "RetryAttemptsExhausted", demo.PipeName)
		return strings.HasPrefix(bodyHeader(s), "DLQs › orders-dlq") && ok
	})
	a.press("H")
	dialog := a.waitFor("the hydrate-all dialog naming its set", shortWait, func(s string) bool {
		return hydrateAllRe.MatchString(s) && strings.Contains(s, "Messages that arrived since the browse are left in the queue and")
	})
	n, _ := strconv.Atoi(hydrateAllRe.FindStringSubmatch(dialog)[1])
	// More failures arrive while the dialog is open.
	before := queueDepth(t, e, demo.DLQName)
	for deadline := time.Now().Add(longWait); queueDepth(t, e, demo.DLQName) <= before; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no failure reached %s after the browse (%d messages)", demo.DLQName, before)
		}
	}
	// The summary is news: a later success may clear it before the
	// terminal is read, so the frames that showed it are kept.
	a.rec.watchFor(" of " + demo.DLQName + " into s3://")
	a.press("y")
	var done string
	a.waitFor("the hydration's summary", longWait, func(string) bool {
		if f := a.rec.watchedFrames(); len(f) > 0 {
			done = f[0]
			return true
		}
		return false
	})
	if !strings.Contains(done, fmt.Sprintf("hydrated %d messages of %s into s3://", n, demo.DLQName)) {
		t.Fatalf("confirmed %d messages, the summary says:\n%s", n, done)
	}
	if !strings.Contains(done, "the set confirmed (arrived since the browse) left in the queue") {
		t.Fatalf("the messages that arrived since are not reported:\n%s", done)
	}
	if left := queueDepth(t, e, demo.DLQName); left <= before-n {
		t.Fatalf("%d messages left in %s, want more than the %d not confirmed at the browse", left, demo.DLQName, before-n)
	}
	a.quit()
}

// lastAttemptRe is a waiting event's row with a refused attempt in LAST
// ATTEMPT ("rejected 400 · now").
var lastAttemptRe = regexp.MustCompile(`waiting (rejected|failed) \d{3} · `)

// openEvents drills the Archives tab down to the hour of the demo's
// consumer that holds the event, and waits for its row to meet cond.
func (a *app) openEvents(eventID string, cond func(row string) bool) {
	a.t.Helper()
	a.press("4")
	a.waitFor("the demo's consumer", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, "s3://orders-archive/")
		return ok
	})
	a.press("/")
	a.tm.Type(demo.PipeName)
	a.press("enter", "enter")
	a.waitFor("the days", shortWait, func(s string) bool { return dayRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the hours", shortWait, func(s string) bool { return hourRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the archived event", shortWait, func(s string) bool {
		r, ok := lineWith(s, eventID[:12])
		return ok && cond(r)
	})
}

// TestFailedReplayIsRecorded: a failed replay left no trace on the event
// (state "waiting", x empty, a status line cut in the middle). Here an
// event of the demo's DLQ, hydrated into the archive, is replayed to the
// demo's own target, the orders API, which rejects it: the row says
// "waiting" with the refused attempt in LAST ATTEMPT ("rejected 400"), and a program
// started afresh on the same archive shows it too.
func TestFailedReplayIsRecorded(t *testing.T) {
	e := engine(t)
	ready := make(chan struct{})
	runDemo(t, e, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(longWait):
		t.Fatal("the demo did not start")
	}
	rw := session(t, e, false)
	_, _, event := prepare(t, rw)

	a := start(t, rw, config.File{}, 160, 48)
	a.waitText(shortWait, "Streams", "local")
	a.openEvents(event.ID, func(r string) bool { return strings.Contains(r, "waiting") })
	a.press("r")
	a.waitText(shortWait, "Replay this event?", "Event:           "+event.ID)
	a.press("y")
	failed := lastAttemptRe.MatchString
	a.waitFor("the refused attempt on the event's row", longWait, func(s string) bool {
		r, ok := lineWith(s, event.ID[:12])
		return ok && failed(r)
	})
	a.quit()

	b := start(t, session(t, e, false), config.File{}, 160, 48)
	b.waitText(shortWait, "Streams", "local")
	b.openEvents(event.ID, failed)
	b.quit()
}
