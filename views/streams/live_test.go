package streams

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// movable is a clock that stands still at the test's start until the
// test advances it. It starts at real time because the engine stamps its
// metrics with real time: a record written after the start is inside the
// hour ending at any time the test advances to.
type movable struct{ at time.Time }

func newMovable() *movable                 { return &movable{at: time.Now()} }
func (c *movable) now() time.Time          { return c.at }
func (c *movable) advance(d time.Duration) { c.at = c.at.Add(d) }

// TestTimerReadsAgainWhatFellDue: the root's timer, not ctrl+r, brings
// the records written and the DLQ filled since the last read to the
// screen once the list is due, and a tab shown again catches up at once.
// Before the fix a tab read only when the 30-second timer happened to
// fire while it was shown: one shown between two ticks kept what it had
// read at start-up.
func TestTimerReadsAgainWhatFellDue(t *testing.T) {
	s, e := backendtest.Open(t)
	alpha := inventorytest.Stream(t, e, "alpha", 1)
	dlqURL, dlqARN := inventorytest.Queue(t, e, "alpha-dlq", nil)
	_, targetARN := inventorytest.Queue(t, e, "alpha-target", nil)
	inventorytest.Pipe(t, e, "alpha-pipe", alpha, targetARN, dlqARN, nil)
	clock := newMovable()
	d := loaded(t, s, WithClock(clock.now))
	if c := d.cells("alpha"); !strings.HasSuffix(c[5], "–") || c[7] != "0" {
		t.Fatalf("before any record: %q", c)
	}
	ctx := context.Background()
	write := func(n int) {
		for i := range n {
			if _, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("alpha"),
				PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlqURL), MessageBody: aws.String("{}")}); err != nil {
			t.Fatal(err)
		}
	}

	// Hidden, the tab reads nothing; shown again after the cadence, it
	// reads at once.
	d.Send(common.FocusMsg{Focused: false})
	write(7)
	clock.advance(common.RefreshEvery)
	d.Send(common.FocusMsg{Focused: true})
	if c := d.cells("alpha"); !strings.HasSuffix(c[5], " 7") || c[7] != "1" {
		t.Fatalf("shown again after %v: %q, want 7 records and a depth of 1", common.RefreshEvery, c)
	}

	// The timer's ticks read again only when the list is due.
	write(5)
	clock.advance(common.RefreshEvery / 2)
	d.Send(common.AutoRefreshMsg{})
	if c := d.cells("alpha"); !strings.HasSuffix(c[5], " 7") || c[7] != "1" {
		t.Fatalf("read again before it was due: %q", c)
	}
	if h := ansi.Strip(d.m.header()); !strings.Contains(h, "updated 15s ago") {
		t.Fatalf("header %q, want updated 15s ago", h)
	}
	clock.advance(common.RefreshEvery / 2)
	d.Send(common.AutoRefreshMsg{})
	if c := d.cells("alpha"); !strings.HasSuffix(c[5], "12") || c[7] != "2" {
		t.Fatalf("after the timer: %q, want 12 records and a depth of 2", c)
	}
	if h := ansi.Strip(d.m.header()); !strings.Contains(h, "updated just now") {
		t.Fatalf("header %q", h)
	}
}

// TestFailedRefreshKeepsTheRowsAndSaysSo: with every Kinesis and SQS
// call denied by the fault proxy, a refresh leaves the figures read
// before on screen, says in the tab that it failed and when the rows were
// read, and puts nothing in the status bar; the next refresh that works
// clears it.
func TestFailedRefreshKeepsTheRowsAndSaysSo(t *testing.T) {
	_, e := backendtest.Open(t)
	inventorytest.Stream(t, e, "alpha", 2)
	p := faultproxy.Start(t, e.URL)
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	clock := newMovable()
	d := loaded(t, s, WithClock(clock.now))
	before := d.cells("alpha")
	if before[3] != "2" {
		t.Fatalf("alpha %q", before)
	}
	deny := p.Add(&faultproxy.Rule{Service: "kinesis", Fault: faultproxy.Denied("kinesis:*", "*")})
	p.Add(&faultproxy.Rule{Service: "monitoring", Fault: faultproxy.Throttled()})
	clock.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	if deny.Fired() == 0 {
		t.Fatal("no refresh was made")
	}
	if c := d.cells("alpha"); c[3] != "2" || c[2] != "active" || c[5] != before[5] {
		t.Fatalf("after a failed refresh alpha is %q, want the figures read before %q", c, before)
	}
	clock.advance(5 * time.Second)
	view := ansi.Strip(d.m.View())
	if !strings.Contains(view, "refresh failed 5s ago, showing what was read 35s ago") {
		t.Fatalf("the view does not say the refresh failed:\n%s", view)
	}
	for _, st := range viewtest.Take[common.StatusMsg](d.Driver) {
		t.Errorf("status bar got %q: a listing's failure belongs in the tab", st.Text)
	}
	p.Clear()
	clock.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	if view := ansi.Strip(d.m.View()); strings.Contains(view, "failed") || !strings.Contains(view, "updated just now") {
		t.Fatalf("after a refresh that worked:\n%s", view)
	}
}
