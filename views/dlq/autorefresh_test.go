package dlq

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// movable is a clock that stands still until the test advances it.
type movable struct{ at time.Time }

func (c *movable) now() time.Time          { return c.at }
func (c *movable) advance(d time.Duration) { c.at = c.at.Add(d) }

// TestAutoRefreshReloadsTheListButNeverBrowsesAgain: a browse raises
// receive counts, so the timer's reload must not repeat it.
func TestAutoRefreshReloadsTheListButNeverBrowsesAgain(t *testing.T) {
	sc := newScene(t, 2)
	clk := &movable{at: time.Now()}
	m := New(newCommon(sc.s, 120, 30, true), WithClock(clk.now))
	drive(t, m, m.Init())
	sc.fail(2)
	clk.advance(common.RefreshEvery)
	_, cmd := m.Update(common.AutoRefreshMsg{})
	drive(t, m, cmd)
	if rows := m.list.Rows(); len(rows) != 1 || rows[0].Cells[1] != "3" {
		t.Fatalf("after the auto refresh the list shows %+v, want depth 3", rows)
	}

	press(t, m, "enter")
	counted := m.byID
	clk.advance(common.RefreshEvery)
	_, cmd = m.Update(common.AutoRefreshMsg{})
	drive(t, m, cmd)
	for id, msg := range m.byID {
		if counted[id].ReceiveCount != msg.ReceiveCount {
			t.Fatalf("message %s received again by the auto refresh", id)
		}
	}
	if v, h := sc.counts(sc.queueURL); v != 3 || h != 0 {
		t.Fatalf("%d visible, %d in flight after the auto refresh", v, h)
	}
	// One browse, then this receive: a count of 2 each, not 3.
	got, err := sc.e.SQS().ReceiveMessage(sc.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.queueURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(got.Messages) != 3 {
		t.Fatalf("receive: %d messages, %v", len(got.Messages), err)
	}
	for _, msg := range got.Messages {
		if n := msg.Attributes["ApproximateReceiveCount"]; n != "2" {
			t.Errorf("message %s received %s times, want 2", aws.ToString(msg.MessageId), n)
		}
	}
}

// TestRefreshesNeverReceive: the list's refreshes (the timer's, ctrl+r,
// a tab shown again) read depths with GetQueueAttributes and CloudWatch,
// never ReceiveMessage, and the figures follow the queue as it fills.
// "updated … ago" moves with the clock; a refresh the fault proxy denies
// keeps the rows and says so in the tab, not the status bar. Before the
// fix the tab, shown again, kept its start-up depth.
func TestRefreshesNeverReceive(t *testing.T) {
	sc := newScene(t, 1)
	p := faultproxy.Start(t, sc.e.URL)
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	clk := &movable{at: time.Now()}
	m := New(newCommon(s, 120, 30, true), WithClock(clk.now))
	d := viewtest.NewDriver(t, m)
	d.Run(m.Init())
	depth := func() string {
		t.Helper()
		rows := m.list.Rows()
		if len(rows) != 1 {
			t.Fatalf("rows %+v", rows)
		}
		return rows[0].Cells[1]
	}
	if depth() != "1" {
		t.Fatalf("depth %s", depth())
	}
	d.Send(common.FocusMsg{Focused: false})
	sc.fail(1)
	clk.advance(common.RefreshEvery)
	d.Send(common.FocusMsg{Focused: true})
	if depth() != "2" {
		t.Fatalf("shown again after %v: depth %s, want 2", common.RefreshEvery, depth())
	}
	clk.advance(12 * time.Second)
	d.Send(common.AutoRefreshMsg{})
	if h := ansi.Strip(m.header()); !strings.Contains(h, "updated 12s ago") {
		t.Fatalf("header %q", h)
	}
	sc.fail(2)
	d.Send(common.RefreshMsg{})
	if depth() != "3" {
		t.Fatalf("after ctrl+r: depth %s", depth())
	}

	p.Add(&faultproxy.Rule{Service: "sqs", Fault: faultproxy.Denied("sqs:*", "*")})
	clk.advance(common.RefreshEvery)
	d.Send(common.AutoRefreshMsg{})
	clk.advance(3 * time.Second)
	if depth() != "3" {
		t.Fatalf("a denied refresh changed the depth to %s", depth())
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "refresh failed 3s ago, showing what was read 33s ago") || !strings.Contains(view, "AccessDenied") {
		t.Fatalf("the tab does not say its refresh failed:\n%s", view)
	}
	for _, st := range viewtest.Take[common.StatusMsg](d) {
		t.Errorf("status bar got %q: the list's failure belongs in the tab", st.Text)
	}
	if n := p.Count("sqs", "ReceiveMessage"); n != 0 {
		t.Fatalf("%d ReceiveMessage calls across refreshes", n)
	}
}
