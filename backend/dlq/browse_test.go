package dlq_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
)

// TestBrowseReleasesEveryMessage: after a browse every message is visible
// again at once, and each browse raises receive counts by exactly one.
func TestBrowseReleasesEveryMessage(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "plain-dlq", nil)
	ids := send(t, e, url, numbered(25))

	for round := 1; round <= 2; round++ {
		res, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
		if err != nil {
			t.Fatalf("browse %d: %v", round, err)
		}
		if len(res.Messages) != 25 || res.Released != 25 || len(res.ReleaseFailures) > 0 || !res.Complete {
			t.Fatalf("browse %d: %d messages, released %d, failures %v, complete %v",
				round, len(res.Messages), res.Released, res.ReleaseFailures, res.Complete)
		}
		for _, m := range res.Messages {
			if m.ReceiveCount != round {
				t.Fatalf("browse %d: message %s receive count %d", round, m.ID, m.ReceiveCount)
			}
		}
		if !strings.Contains(res.Warning, "raised the receive count of each of the 25 messages") {
			t.Errorf("warning %q", res.Warning)
		}
		if v, inFlight := count(t, e, url); v != 25 || inFlight != 0 {
			t.Fatalf("after browse %d: %d visible, %d in flight", round, v, inFlight)
		}
	}
	// A consumer right after gets every message, each received twice by
	// the browses and once by itself.
	counts := receiveAll(t, e, url)
	if len(counts) != 25 {
		t.Fatalf("a receive after the browses got %d messages", len(counts))
	}
	for _, id := range ids {
		if counts[id] != 3 {
			t.Errorf("message %s receive count %d, want 3", id, counts[id])
		}
	}
}

func TestBrowseShowsMessageDetails(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "details", nil)
	send(t, e, url, []string{`{"order":7}`})
	res, err := dlq.Peek(testCtx(t), s, url, 0)
	if err != nil || len(res.Messages) != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	m := res.Messages[0]
	if m.Body != `{"order":7}` || m.MD5 == "" || m.ReceiptHandle == "" || m.SentAt.IsZero() || m.FirstReceivedAt.IsZero() ||
		m.MessageAttributes["n"] != "0" || m.MessageAttributes["bin"] != "AAH/" || m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("%+v", m)
	}
	if !m.IsPayload() || m.Failure != nil {
		t.Errorf("a payload parsed as a failure: %+v", m)
	}
}

// TestBrowseBatchesAndLimits reads 250 messages in batches of ten, with
// no message twice, and stops at Max when told.
func TestBrowseBatchesAndLimits(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "big", nil)
	ids := send(t, e, url, numbered(250))

	all, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range all.Messages {
		got = append(got, m.ID)
	}
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) || all.Released != 250 || !all.Complete || all.Queue.Visible != 250 {
		t.Fatalf("browse of all: %d messages (%d distinct wanted), released %d, complete %v, visible %d",
			len(got), len(want), all.Released, all.Complete, all.Queue.Visible)
	}

	page, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{Max: dlq.DefaultBrowse})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 100 || page.Released != 100 || page.Complete {
		t.Fatalf("browse of 100: %d messages, released %d, complete %v", len(page.Messages), page.Released, page.Complete)
	}
	if v, inFlight := count(t, e, url); v != 250 || inFlight != 0 {
		t.Fatalf("after the browses: %d visible, %d in flight", v, inFlight)
	}
}

// TestBrowseWarnsOfTheQueuesOwnDLQ: on a queue with a redrive policy the
// warning names its DLQ and the messages a next receive will move there,
// and it is right: the next receive moves them.
func TestBrowseWarnsOfTheQueuesOwnDLQ(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "orders-dlq", nil)
	url, _ := createQueue(t, e, "orders", redrivePolicy(dlqARN, 2))
	send(t, e, url, numbered(3))

	first, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Queue.Redrive == nil || first.Queue.Redrive.MaxReceiveCount != 2 ||
		!strings.Contains(first.Warning, "orders has a redrive policy") || !strings.Contains(first.Warning, "into orders-dlq") ||
		strings.Contains(first.Warning, "now have") {
		t.Fatalf("first browse warning %q", first.Warning)
	}
	second, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(second.Warning, "3 of the messages read now have a receive count ≥ 2") ||
		!strings.Contains(second.Warning, "moves them into orders-dlq") {
		t.Fatalf("second browse warning %q", second.Warning)
	}
	// The warning holds: the next receive moves them all.
	if got := receiveAll(t, e, url); len(got) != 0 {
		t.Fatalf("a receive still got %d messages", len(got))
	}
	if v, _ := count(t, e, dlqURL); v != 3 {
		t.Fatalf("orders-dlq holds %d messages, want 3", v)
	}
}

func TestBrowseOfAMissingQueue(t *testing.T) {
	s, e := backendtest.Open(t)
	_, err := dlq.Browse(testCtx(t), s, e.URL+"/000000000000/nope", dlq.BrowseOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err %v", err)
	}
}

func TestResolveQueue(t *testing.T) {
	s, e := backendtest.Open(t)
	url, arn := createQueue(t, e, "named", nil)
	for _, in := range []string{"named", url, arn} {
		got, err := dlq.ResolveQueue(testCtx(t), s, in)
		if err != nil || got != url {
			t.Errorf("%s: %q %v", in, got, err)
		}
	}
	if _, err := dlq.ResolveQueue(testCtx(t), s, "missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing queue: %v", err)
	}
}

// TestBrowseOfALongPollingQueue: the SDK cannot ask for a zero wait, so a
// queue whose receives long-poll by default must not make the browse wait
// out twenty seconds at its end.
func TestBrowseOfALongPollingQueue(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "long-poll", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	send(t, e, url, numbered(15))
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	res, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{})
	if err != nil || len(res.Messages) != 15 || res.Released != 15 {
		t.Fatalf("%v: %d messages, %d released", err, len(res.Messages), res.Released)
	}
}

// TestBrowseSaysWhereMessagesWent: a peek of messages that reached
// maxReceiveCount moves them into the DLQ; the warning says so.
func TestBrowseSaysWhereMessagesWent(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "tasks-dlq", nil)
	url, _ := createQueue(t, e, "tasks", redrivePolicy(dlqARN, 1))
	send(t, e, url, numbered(4))
	if _, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) != 0 || !strings.Contains(res.Warning, "About 4 messages left tasks while this browse ran") ||
		!strings.Contains(res.Warning, "moved them into tasks-dlq") {
		t.Fatalf("%d messages, warning %q", len(res.Messages), res.Warning)
	}
	if v, _ := count(t, e, dlqURL); v != 4 {
		t.Fatalf("tasks-dlq holds %d, want 4", v)
	}
}
