package hydrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/hydrate"
)

// watching runs Watch until the test cancels it, and hands its reports
// over a channel.
type watching struct {
	reports chan hydrate.Result
	cancel  context.CancelFunc
	done    chan error
}

func (f *fixture) watch(queueURL string, o hydrate.Options) *watching {
	ctx, cancel := context.WithCancel(f.ctx)
	w := &watching{reports: make(chan hydrate.Result, 100), cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- hydrate.Watch(ctx, f.s, queueURL, o, func(r hydrate.Result) { w.reports <- r }) }()
	f.t.Cleanup(func() {
		cancel()
		<-w.done
	})
	return w
}

// next waits for the next report.
func (w *watching) next(t testing.TB) hydrate.Result {
	t.Helper()
	select {
	case r := <-w.reports:
		return r
	case err := <-w.done:
		t.Fatalf("watch ended: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("no report within a minute")
	}
	return hydrate.Result{}
}

func (w *watching) stop(t testing.TB) {
	t.Helper()
	w.cancel()
	select {
	case err := <-w.done:
		if err != nil {
			t.Fatalf("watch returned %v after a cancel", err)
		}
		w.done <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop after a cancel")
	}
}

// TestWatchHydratesMessagesAsTheyArrive: messages sent after the watch
// started are hydrated; a cancel stops it cleanly.
func TestWatchHydratesMessagesAsTheyArrive(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	w := f.watch(dlqURL, f.options())

	shard, recs := f.put("orders", "k", datum(1), datum(2), datum(3))
	sent := map[string]bool{}
	for i := range recs {
		sent[f.send(dlqURL, pipesFailure(arn, shard, recs[i:i+1], time.Now()))] = true
	}
	for range recs {
		r := w.next(t)
		if r.Outcome != hydrate.Hydrated || r.Events != 1 || !sent[r.MessageID] {
			t.Fatalf("report %+v", r)
		}
		delete(sent, r.MessageID)
	}
	w.stop(t)
	f.checkArchived(arn, recs)
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ holds %d+%d messages", visible, hidden)
	}
}

// TestWatchRetriesAFailureAfterItsTimeout: a message that failed stays
// hidden for RetryAfter instead of coming straight back, and is hydrated
// on a later try once the cause is fixed.
func TestWatchRetriesAFailureAfterItsTimeout(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	w := f.watch(dlqURL, f.options()) // no bucket yet

	shard, recs := f.put("orders", "k", datum(1), datum(2))
	first := f.send(dlqURL, pipesFailure(arn, shard, recs[:1], time.Now()))
	if r := w.next(t); r.Outcome != hydrate.Failed || r.MessageID != first || !strings.Contains(r.Reason, "NoSuchBucket") {
		t.Fatalf("report %+v", r)
	}
	if visible, hidden := f.counts(dlqURL); visible != 0 || hidden != 1 {
		t.Fatalf("after a failure the DLQ holds %d visible, %d hidden; want it hidden until its retry", visible, hidden)
	}

	f.createBucket(bucket)
	f.e.Clock.Advance(61 * time.Second)
	// A new failure wakes the watch's long poll; the first is due again.
	second := f.send(dlqURL, pipesFailure(arn, shard, recs[1:], time.Now()))
	got := map[string]bool{}
	for range 2 {
		r := w.next(t)
		if r.Outcome != hydrate.Hydrated {
			t.Fatalf("report %+v", r)
		}
		got[r.MessageID] = true
	}
	if !got[first] || !got[second] {
		t.Fatalf("hydrated %v, want %s and %s", got, first, second)
	}
	w.stop(t)
	f.checkArchived(arn, recs)
}

// TestClosedShard: the records of a shard closed by a reshard are read to
// its end; once the closed shard has outlived the retention, its failures
// are left with the reason.
func TestClosedShard(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1), datum(2))
	if _, err := f.k.UpdateShardCount(f.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("orders"),
		TargetShardCount: aws.Int32(2), ScalingType: ktypes.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("UpdateShardCount: %v", err)
	}
	body := pipesFailure(arn, shard, recs, time.Now())
	f.send(dlqURL, body)
	if sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options()); err != nil || sum.Hydrated != 1 || sum.Events != 2 {
		t.Fatalf("closed shard: %+v %v", sum, err)
	}

	f.e.Clock.Advance(25 * time.Hour)
	f.send(dlqURL, body)
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil || sum.Left != 1 {
		t.Fatalf("expired shard: %+v %v", sum, err)
	}
	if r := sum.Results[0].Reason; !strings.Contains(r, "past the stream's retention") || !strings.Contains(r, shard+" is no longer in stream orders") {
		t.Fatalf("reason %q", r)
	}
}
