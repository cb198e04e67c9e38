package shards

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// movable is a clock that stands still until the test advances it.
type movable struct{ at time.Time }

func (c *movable) now() time.Time          { return c.at }
func (c *movable) advance(d time.Duration) { c.at = c.at.Add(d) }

// proxied is a session on a real engine through the fault proxy (which
// counts the calls and can fail them), and the engine's own client.
func proxied(t *testing.T) (*backend.Session, *kinesis.Client, *faultproxy.Proxy) {
	t.Helper()
	e := enginetest.Start(t)
	p := faultproxy.Start(t, e.URL)
	return backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL}), e.Kinesis(), p
}

// listedOnce opens the stream on a model with a movable clock and waits
// for its first listing.
func listedOnce(t *testing.T, s *backend.Session, stream string, n int) (*driver, *movable) {
	t.Helper()
	clock := &movable{at: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
	m := newModel(t, s, 160, 48, true)
	m.now = clock.now
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: stream})
	d.until("first listing", func() bool { return !m.loading && len(m.shardList) == n })
	return d, clock
}

func split(t *testing.T, k *kinesis.Client, stream, shard, at string) {
	t.Helper()
	if _, err := k.SplitShard(context.Background(), &kinesis.SplitShardInput{
		StreamName: aws.String(stream), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(at),
	}); err != nil {
		t.Fatalf("split %s: %v", shard, err)
	}
}

func selectedShard(m *Model) string {
	r, _ := m.shards.Selected()
	return r.ID
}

// TestSplitSeenOnTheTick: a SplitShard made after the first read reaches
// the screen on the root's tick once the list is 30 seconds old, without
// a key press, with the cursor on the shard it was on; the header says
// how old the list is. A hidden tab makes no calls and catches up once
// shown. Before, the list was read once and never again.
func TestSplitSeenOnTheTick(t *testing.T) {
	s, k, p := proxied(t)
	createStream(t, k, "orders", 2)
	d, clock := listedOnce(t, s, "orders", 2)
	m := d.m
	d.key("j")
	if got := selectedShard(m); got != "shardId-000000000001" {
		t.Fatalf("cursor on %q", got)
	}
	split(t, k, "orders", "shardId-000000000001", "255211775190703847597530955573826158592")

	clock.advance(common.RefreshEvery / 2)
	d.send(common.AutoRefreshMsg{})
	if m.loading {
		t.Fatal("read again before the list was due")
	}
	if h := ansi.Strip(m.header()); !strings.Contains(h, "updated 15s ago") {
		t.Fatalf("header %q, want updated 15s ago", h)
	}

	clock.advance(common.RefreshEvery / 2)
	d.send(common.AutoRefreshMsg{})
	if !m.loading {
		t.Fatalf("no read on the tick once the list was %v old", common.RefreshEvery)
	}
	d.until("the refresh", func() bool { return !m.loading })
	if len(m.shardList) != 4 {
		t.Fatalf("after the refresh %d shards, want 4", len(m.shardList))
	}
	if got := selectedShard(m); got != "shardId-000000000001" {
		t.Fatalf("cursor moved to %q", got)
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"4 shards, 3 open", "updated just now", "– → 2, 3", "shardId-000000000003"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	d.until("a SucceededMsg per good read", func() bool { return len(viewtest.Of[common.SucceededMsg](d.kept())) == 2 })

	// Hidden: no calls, whatever falls due; shown again: a read at once.
	d.send(common.FocusMsg{Focused: false})
	calls := p.Count("kinesis", "ListShards")
	clock.advance(2 * common.RefreshEvery)
	d.send(common.AutoRefreshMsg{})
	d.send(common.SessionMsg{})
	if m.loading || p.Count("kinesis", "ListShards") != calls {
		t.Fatal("a hidden tab read its shards")
	}
	d.send(common.FocusMsg{Focused: true})
	if !m.loading {
		t.Fatal("shown again after the cadence, no read")
	}
	d.until("read when shown", func() bool { return !m.loading && len(m.shardList) == 4 })
}

// TestFailedRefreshKeepsTheShards: with ListShards denied, a refresh
// leaves the shards read before on screen and says in the tab that it
// failed, when, and AWS's message, with nothing in the status bar; the
// next refresh that works clears it.
func TestFailedRefreshKeepsTheShards(t *testing.T) {
	s, k, p := proxied(t)
	createStream(t, k, "orders", 2)
	d, clock := listedOnce(t, s, "orders", 2)
	m := d.m
	d.key("j")
	deny := p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "ListShards", Fault: faultproxy.Denied("kinesis:ListShards", "orders")})
	clock.advance(common.RefreshEvery)
	d.send(common.AutoRefreshMsg{})
	d.until("the refresh", func() bool { return !m.loading })
	if deny.Fired() == 0 {
		t.Fatal("no refresh was made")
	}
	if len(m.shardList) != 2 || selectedShard(m) != "shardId-000000000001" {
		t.Fatalf("after a failed refresh %d shards, cursor on %q", len(m.shardList), selectedShard(m))
	}
	clock.advance(5 * time.Second)
	v := ansi.Strip(m.View())
	for _, want := range []string{"refresh failed 5s ago, showing what was read 35s ago", "not authorized to perform", "shardId-000000000000", "shardId-000000000001", "2 shards, 2 open"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	check(t, m) // the banner keeps the tab its size
	m.SetSize(80, 24)
	check(t, m)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "refresh failed 5s ago") || !strings.Contains(v, "shardId-000000000001") {
		t.Errorf("at 80x24:\n%s", v)
	}
	m.SetSize(160, 48)
	for _, st := range d.statuses() {
		t.Errorf("status bar got %q: a listing's failure belongs in the tab", st.Text)
	}

	p.Clear()
	clock.advance(common.RefreshEvery)
	d.send(common.AutoRefreshMsg{})
	d.until("the refresh", func() bool { return !m.loading })
	if v := ansi.Strip(m.View()); strings.Contains(v, "failed") || !strings.Contains(v, "updated just now") {
		t.Fatalf("after a refresh that worked:\n%s", v)
	}
}
