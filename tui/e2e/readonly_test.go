package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/demo"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// prepare waits for the demo's failures to reach the DLQ and hydrates one
// of them through the backend, so that the archive holds an event; it
// returns the DLQ's URL, the archive and the archived event.
func prepare(t *testing.T, rw *backend.Session) (string, backend.ArchiveLocation, archive.Object) {
	t.Helper()
	ctx := context.Background()
	dlqURL, err := inventory.QueueURL(ctx, rw, demo.DLQName)
	for deadline := time.Now().Add(longWait); ; time.Sleep(100 * time.Millisecond) {
		if err == nil {
			var res bdlq.BrowseResult
			if res, err = bdlq.Browse(ctx, rw, dlqURL, bdlq.BrowseOptions{Max: 10}); err == nil && len(res.Messages) >= 2 {
				loc, err := inventory.ArchiveForQueue(ctx, rw, nil, dlqURL, "")
				if err != nil {
					t.Fatal(err)
				}
				sum, err := hydrate.Queue(ctx, rw, dlqURL, hydrate.Options{Archive: loc, DLQ: demo.DLQName, IDs: []string{res.Messages[0].ID}})
				if err != nil || sum.Hydrated != 1 {
					t.Fatalf("hydrate one message: %+v, %v", sum, err)
				}
				objs, err := archive.List(rw, loc, archive.Query{Consumer: demo.PipeName}).All(ctx)
				if err != nil || len(objs) != 1 {
					t.Fatalf("archive: %d events, %v", len(objs), err)
				}
				return dlqURL, loc, objs[0]
			}
		} else {
			dlqURL, err = inventory.QueueURL(ctx, rw, demo.DLQName)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failures reached %s: %v", demo.DLQName, err)
		}
	}
}

// noWriteKeys fails when the footer offers one of keys.
func noWriteKeys(t *testing.T, screen string, keys ...string) {
	t.Helper()
	f := line(screen, -1)
	if !strings.Contains(f, "q/ctrl+c quit") {
		t.Fatalf("the footer shows no help: %q", f)
	}
	for _, k := range keys {
		if strings.Contains(f, k) {
			t.Fatalf("the footer offers %q under read-only: %q", k, f)
		}
	}
}

// TestReadOnlyRefusesEveryWrite runs the same app on a read-only session:
// hydrate on a DLQ message and replay (and mark) on an archived event open
// no dialog (y, which would answer one, copies instead), the status bar says read-only, the write keys are not
// offered, and nothing changed: the message is still in the DLQ, the
// event still waits in the archive, and the replay target got nothing.
func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	e := engine(t)
	replayURL, replayARN := inventorytest.Queue(t, e, "orders-replay", nil)
	ready := make(chan struct{})
	runDemo(t, e, func() { close(ready) })
	select {
	case <-ready:
	case <-time.After(longWait):
		t.Fatal("the demo did not start")
	}
	rw := session(t, e, false)
	dlqURL, loc, event := prepare(t, rw)

	ro := session(t, e, true)
	a := start(t, ro, replayConfig(replayARN), 160, 48)
	a.waitFor("the read-only badge", shortWait, func(s string) bool {
		return strings.Contains(line(s, -2), "local") && strings.Contains(line(s, -2), "READ-ONLY")
	})

	// DLQs: open orders-dlq and a message; h then y is refused.
	a.press("3")
	a.waitRefreshing("messages in orders-dlq", longWait, func(s string) bool {
		d := depth(s, demo.DLQName)
		return d != "" && d != "0"
	})
	noWriteKeys(t, a.screen(), "H hydrate all", "r redrive", "X purge")
	a.press("/")
	a.tm.Type(demo.DLQName)
	a.press("enter", "enter")
	a.waitFor("the messages of orders-dlq", shortWait, func(s string) bool {
		_, ok := lineWith(s, "RetryAttemptsExhausted", demo.PipeName)
		return strings.HasPrefix(bodyHeader(s), "DLQs › orders-dlq") && ok
	})
	a.press("enter")
	detail := a.waitFor("the message's detail", shortWait, func(s string) bool {
		return messageIDRe.MatchString(s) && strings.Contains(s, "condition RetryAttemptsExhausted")
	})
	msgID := messageIDRe.FindStringSubmatch(detail)[1]
	noWriteKeys(t, detail, "h hydrate", "d delete")
	a.press("h")
	s := a.waitText(shortWait, "hydrate: refused, read-only")
	if strings.Contains(s, "Hydrate orders-dlq?") {
		t.Fatalf("a hydrate dialog opened under read-only:\n%s", s)
	}
	if !strings.Contains(line(s, -2), "READ-ONLY") {
		t.Fatalf("the status bar lost the read-only badge: %q", line(s, -2))
	}
	a.press("y")
	a.waitText(shortWait, "copied message "+msgID[:8])

	// Archives: drill down to the event; r then y, m then y are refused.
	a.press("4")
	a.waitFor("the demo's consumer", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, replayARN)
		return ok
	})
	a.press("/")
	a.tm.Type(demo.PipeName)
	a.press("enter", "enter")
	a.waitFor("the days", shortWait, func(s string) bool { return dayRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the hours", shortWait, func(s string) bool { return hourRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the archived event, waiting", shortWait, func(s string) bool {
		_, ok := lineWith(s, event.ID[:12], "waiting")
		return ok
	})
	noWriteKeys(t, a.screen(), "r replay", "R replay many", "m mark replayed", "d delete", "space select")
	a.press("r")
	s = a.waitText(shortWait, "replay: refused, read-only")
	if strings.Contains(s, "Replay this event?") {
		t.Fatalf("a replay dialog opened under read-only:\n%s", s)
	}
	a.press("y")
	a.waitFor("y answered by the events list", shortWait, func(s string) bool {
		return strings.Contains(s, "copied event") || strings.Contains(s, "open the event (enter) to copy it")
	})
	a.press("m")
	s = a.waitText(shortWait, "mark replayed: refused, read-only")
	if strings.Contains(s, "Mark 1 event replayed?") {
		t.Fatalf("a mark dialog opened under read-only:\n%s", s)
	}
	a.quit()

	// Nothing changed.
	ctx := context.Background()
	res, err := bdlq.Browse(ctx, rw, dlqURL, bdlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Messages, func(m bdlq.Message) bool { return m.ID == msgID }) {
		t.Errorf("message %s left %s under read-only", msgID, demo.DLQName)
	}
	waiting, err := archive.List(rw, loc, archive.Query{Consumer: demo.PipeName}).All(ctx)
	if err != nil || len(waiting) != 1 || waiting[0].Key != event.Key {
		t.Errorf("waiting events %+v (%v), want %s alone", waiting, err, event.Key)
	}
	replayed, err := archive.List(rw, loc, archive.Query{Consumer: demo.PipeName, Replayed: true}).All(ctx)
	if err != nil || len(replayed) != 0 {
		t.Errorf("replayed copies %+v (%v), want none", replayed, err)
	}
	out, err := e.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(replayURL), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("the replay target got %d messages (%v), want none", len(out.Messages), err)
	}
}
