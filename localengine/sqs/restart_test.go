package sqs_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// reopen starts an engine on a data directory a raw engine used before,
// on the same clock.
func reopen(t *testing.T, dir string, clock *enginetest.Clock) *fixture {
	t.Helper()
	f := start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.DataDir = dir
		o.Now = clock.Now
	}))
	f.e.Clock = clock
	return f
}

func TestRestartKeepsMessagesAndState(t *testing.T) {
	dir := t.TempDir()
	clock := enginetest.NewClock()
	r := openRaw(t, dir, clock)
	f := &fixture{t: t, c: r.client, ctx: testCtx(t)}
	url := f.createQueue("durable", map[string]string{"VisibilityTimeout": "100"})
	if _, err := f.c.TagQueue(f.ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		f.send(url, "m"+strconv.Itoa(i))
	}
	inflight := f.receive(url, 1)[0]       // m0, hidden for 100 s
	f.deleteMsg(url, f.receive(url, 1)[0]) // m1 gone
	equalSlices(t, "before", bodies([]types.Message{inflight}), []string{"m0"})

	furl := f.createQueue("durable.fifo", map[string]string{"FifoQueue": "true"})
	first := f.sendFifo(furl, "once", "g", "dedup-1")
	f.sendFifo(furl, "locked-1", "locked", "l1")
	f.sendFifo(furl, "locked-2", "locked", "l2")
	lockedMsg := f.receive(furl, 1)
	equalSlices(t, "group head", bodies(lockedMsg), []string{"once"})
	lockedMsg = f.receive(furl, 1)
	equalSlices(t, "locked group head", bodies(lockedMsg), []string{"locked-1"})
	r.shutdown(t)

	g := reopen(t, dir, clock)
	url = g.e.URL + "/000000000000/durable"
	furl = g.e.URL + "/000000000000/durable.fifo"
	equal(t, "counts after restart", g.counts(url), [3]string{"2", "1", "0"})
	equal(t, "attributes", g.attrs(url, types.QueueAttributeNameVisibilityTimeout)["VisibilityTimeout"], "100")
	tags, err := g.c.ListQueueTags(g.ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "tags", tags.Tags["k"], "v")
	equalSlices(t, "visible ones", bodies(g.receive(url, 10)), []string{"m2", "m3"})

	// The in-flight message comes back when its deadline passes, with its
	// receive count.
	g.e.Clock.Advance(101 * time.Second)
	back := g.receive(url, 10)
	bs := bodies(back)
	if len(bs) != 3 || bs[0] != "m0" {
		t.Fatalf("after visibility expiry: %v", bs)
	}
	equal(t, "receive count survived", back[0].Attributes["ApproximateReceiveCount"], "2")
	// A receipt handle from before the restart still works.
	g.deleteMsg(url, inflight)
	equal(t, "deleted with old handle", g.counts(url), [3]string{"0", "2", "0"})

	// FIFO deduplication survives, and sequence numbers keep growing. The
	// groups' in-flight messages were visible again after 101 s (the FIFO
	// queue has the default 30 s timeout), so both groups deliver in order.
	again := g.sendFifo(furl, "once", "g", "dedup-1")
	equal(t, "dedup survived", aws.ToString(again.MessageId), aws.ToString(first.MessageId))
	next := g.sendFifo(furl, "twice", "g", "dedup-2")
	if aws.ToString(next.SequenceNumber) <= aws.ToString(first.SequenceNumber) {
		t.Fatalf("sequence went back: %s after %s", aws.ToString(next.SequenceNumber), aws.ToString(first.SequenceNumber))
	}
	equalSlices(t, "fifo messages", bodies(g.receive(furl, 10)), []string{"once", "twice", "locked-1", "locked-2"})
}

func TestRestartKeepsFifoGroupLocked(t *testing.T) {
	dir := t.TempDir()
	clock := enginetest.NewClock()
	r := openRaw(t, dir, clock)
	f := &fixture{t: t, c: r.client, ctx: testCtx(t)}
	furl := f.createQueue("locks.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "60"})
	f.sendFifo(furl, "a1", "A", "1")
	f.sendFifo(furl, "a2", "A", "2")
	f.sendFifo(furl, "b1", "B", "3")
	equalSlices(t, "head of A", bodies(f.receive(furl, 1)), []string{"a1"})
	r.shutdown(t)

	g := reopen(t, dir, clock)
	furl = g.e.URL + "/000000000000/locks.fifo"
	// A is still locked by a1's visibility deadline.
	equalSlices(t, "only B", bodies(g.receive(furl, 10)), []string{"b1"})
	g.e.Clock.Advance(61 * time.Second)
	equalSlices(t, "A unlocked", bodies(g.receive(furl, 10)), []string{"a1", "a2", "b1"})
}

func TestRestartResumesMoveTask(t *testing.T) {
	dir := t.TempDir()
	clock := enginetest.NewClock()
	r := openRaw(t, dir, clock)
	f := &fixture{t: t, c: r.client, ctx: testCtx(t), e: &enginetest.Engine{Clock: clock}}
	src, dlq := f.withDLQ("app", "app-dlq", 1, nil)
	f.deadLetter(src, dlq, 10)
	dlqArn := f.arn(dlq)
	if _, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
		MaxNumberOfMessagesPerSecond: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "some moved", func() bool { return f.tasks(dlqArn, 1)[0].ApproximateNumberOfMessagesMoved >= 1 })
	r.shutdown(t)

	g := reopen(t, dir, clock)
	eventually(t, "resumed task completes", func() bool { return aws.ToString(g.tasks(dlqArn, 1)[0].Status) == "COMPLETED" })
	equal(t, "all moved", g.tasks(dlqArn, 1)[0].ApproximateNumberOfMessagesMoved, int64(10))
	srcURL := g.e.URL + "/000000000000/app"
	equal(t, "back in source", g.counts(srcURL)[0], "10")
}
