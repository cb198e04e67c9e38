package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/replay"
	"github.com/sluicehq/sluice/tui"
)

// streamARN is the demo stream's ARN on the engine.
const streamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/" + demo.StreamName

var (
	messageIDRe = regexp.MustCompile(`│message ([0-9a-f-]{36})`)
	shardRe     = regexp.MustCompile(`shard (shardId-\d{12})`)
	startSeqRe  = regexp.MustCompile(`start seq (\d{20,})`)
	dayRowRe    = regexp.MustCompile(`(?m)^  \d{4}-\d\d-\d\d [A-Z][a-z]{2} `)
	hourRowRe   = regexp.MustCompile(`(?m)^  \d\d:00–\d\d:00 `)
)

// replayConfig overrides the replay target of the demo's pipeline with an
// SQS queue: the demo's orders API rejects the poison records that end up
// in the DLQ, so a replay to it would fail, while the queue accepts.
func replayConfig(queueARN string) config.File {
	return config.File{Pipelines: []config.Pipeline{{Pipe: demo.PipeName, ReplayTarget: queueARN}}}
}

// bodyHeader is the first line of the focused tab.
func bodyHeader(screen string) string { return strings.TrimSpace(line(screen, 1)) }

// openTab presses the tab's number and waits for its title and the
// column titles of its list.
func (a *app) openTab(key, title string, columns ...string) string {
	a.t.Helper()
	a.press(key)
	return a.waitFor("the "+title+" tab", shortWait, func(s string) bool {
		if !strings.HasPrefix(bodyHeader(s), title) {
			return false
		}
		_, ok := lineWith(s, columns...)
		return ok
	})
}

// depth is the DEPTH column of a queue's row in the DLQs list, or "".
func depth(screen, queue string) string {
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == queue {
			return f[1]
		}
	}
	return ""
}

// TestDemoEndToEnd drives the UI as an operator would, on the real demo
// pipeline: every tab, a live tail of orders, a dead-lettered message
// opened and hydrated into the archive, found there, replayed and shown
// as replayed with its result, then q.
func TestDemoEndToEnd(t *testing.T) {
	began := time.Now()
	e := engine(t)
	replayURL, replayARN := inventorytest.Queue(t, e, "orders-replay", nil)
	s := session(t, e, false)
	a := start(t, s, replayConfig(replayARN), 160, 48)
	a.waitText(shortWait, "Streams", "local", "region us-east-1", "account 000000000000")
	runDemo(t, e, func() { a.tm.Send(tui.ReloadMsg{Status: "demo pipeline ready"}) })
	a.waitText(shortWait, "demo pipeline ready")

	// Each tab by its number: its title, its columns.
	a.openTab("2", "Shards")
	a.openTab("3", "DLQs", "NAME", "DEPTH", "IN FLIGHT", "SOURCES")
	a.openTab("4", "Archives", "CONSUMER", "ARCHIVE", "REPLAY TARGET")
	a.openTab("5", "Metrics", "KIND", "NAME")
	a.openTab("1", "Streams", "NAME", "MODE", "SHARDS", "RECORDS/MIN")
	a.waitFor("the orders stream", shortWait, func(s string) bool {
		_, ok := lineWith(s, "  orders ", "active")
		return ok
	})

	// :tail orders: the Shards tab tails every shard, records arrive.
	a.command("tail orders")
	a.waitFor("orders records in the tail", shortWait, func(s string) bool {
		_, ok := lineWith(s, `{"type":"OrderCreated","orderId":"ord-`)
		return strings.HasPrefix(bodyHeader(s), "orders · all shards · from latest") && ok
	})

	// DLQs: refresh until the pipe's failures arrive, then open the queue
	// and one message.
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
	a.press("enter")
	detail := a.waitFor("the message's detail", shortWait, func(s string) bool {
		return messageIDRe.MatchString(s) && strings.Contains(s, "condition RetryAttemptsExhausted") &&
			shardRe.MatchString(s) && startSeqRe.MatchString(s)
	})
	msgID := messageIDRe.FindStringSubmatch(detail)[1]
	shard := shardRe.FindStringSubmatch(detail)[1]
	seq := startSeqRe.FindStringSubmatch(detail)[1]
	eventID := archive.EventID(streamARN, shard, seq)

	// h, then y: the message's record goes to the archive.
	a.press("h")
	a.waitText(shortWait, "Hydrate orders-dlq?", "Count:   1 message ("+msgID+")", "s3://orders-archive/")
	a.press("y")
	a.waitText(shortWait, "hydrated 1 message of orders-dlq into s3://orders-archive/: 1 event written")

	// Archives: consumer → day → hour → events, where the event waits.
	a.press("4")
	a.waitFor("the demo's consumer with its replay target", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, "s3://orders-archive/", replayARN)
		return ok
	})
	a.press("/")
	a.tm.Type(demo.PipeName)
	a.press("enter", "enter")
	a.waitFor("the days", shortWait, func(s string) bool {
		return bodyHeader(s) != "" && strings.HasPrefix(bodyHeader(s), "Archives › orders-to-api") && dayRowRe.MatchString(s)
	})
	a.press("enter")
	a.waitFor("the hours", shortWait, func(s string) bool { return hourRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the hydrated event, waiting", shortWait, func(s string) bool {
		_, ok := lineWith(s, eventID[:12], "waiting")
		return strings.Contains(bodyHeader(s), " UTC") && ok
	})

	// r, then y: replayed to the queue, and marked.
	a.press("r")
	a.waitText(shortWait, "Replay this event?", "Event:           "+eventID, "Target:          "+replayARN, "Idempotency key: "+eventID)
	a.press("y")
	a.waitText(shortWait, "replayed "+eventID[:12]+" to "+replayARN+": accepted (message ", "; marked replayed")

	// x: the replayed copies, with the result of the replay.
	a.press("x")
	a.waitFor("the event marked replayed with its result", shortWait, func(s string) bool {
		_, ok := lineWith(s, eventID[:12], "accepted · ")
		return strings.Contains(bodyHeader(s), "replayed copies") && ok
	})

	// The queue the replay went to holds the event, once.
	out, err := e.SQS().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(replayURL),
		MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].MessageAttributes[replay.AttrEventID].StringValue) != eventID {
		t.Fatalf("the replay target holds %d messages, want the event %s: %+v", len(out.Messages), eventID, out.Messages)
	}

	// Stop the tail (esc on the Shards tab), then q ends the program.
	a.press("2", "esc")
	a.waitFor("the shards of orders, the tail stopped", shortWait, func(s string) bool {
		_, ok := lineWith(s, "shardId-000000000003", "open")
		return strings.HasPrefix(bodyHeader(s), "orders · 4 shards, 4 open") && ok
	})
	// The terminal shows exactly what the app drew last: what the tests
	// read is what an operator sees.
	a.waitFor("the terminal to show the last frame", shortWait, func(s string) bool { return shows(s, a.rec.lastFrame()) })
	a.quit()
	t.Logf("the whole run took %v", time.Since(began).Round(time.Millisecond))
}
