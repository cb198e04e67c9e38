package deadline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// calls counts the session's calls of one operation.
func calls(s *backend.Session, op string) int {
	n := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == op {
			n++
		}
	}
	return n
}

// A DLQ whose records arrived 23 h ago on a 24 h stream: once browsed,
// its deadline is exact and under an hour, critical at the default
// thresholds; hydrating archives the records and deletes the message, and
// the deadline is gone.
func TestRecords23HoursOldOnA24HourStream(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	streamARN := inventorytest.Stream(t, e, "orders", 1)
	url, _ := inventorytest.Queue(t, e, "orders-dlq", nil)
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	shard, recs := putRecords(t, e, "orders", 3)
	id := send(t, e, url, pipesFailure(streamARN, shard, recs, time.Now().Add(-23*time.Hour)))
	declared := []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq"}}

	l := inventory.ListDLQs(ctx, s, declared)
	if len(l.DLQs) != 1 {
		t.Fatalf("DLQs %+v, failures %v", l.DLQs, l.Failures)
	}
	if _, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{}); err != nil {
		t.Fatal(err)
	}
	receivesBefore := calls(s, "ReceiveMessage")
	now := time.Now()
	qs, fs := deadline.ForDLQs(ctx, s, l.DLQs, deadline.Options{Now: now})
	if len(fs) > 0 {
		t.Fatalf("failures: %v", fs)
	}
	q := qs[0]
	if !q.Exact || q.MessageID != id || q.Cause != deadline.CauseStream || q.Messages != 1 {
		t.Fatalf("deadline %+v: want exact, of %s, by the stream's retention", q, id)
	}
	if left := q.Left(now); left <= 55*time.Minute || left >= time.Hour {
		t.Fatalf("left %s: want under an hour and more than 55 minutes", left)
	}
	if lvl := q.Level(deadline.DefaultThresholds, now); lvl != deadline.Critical {
		t.Errorf("level %v, want Critical", lvl)
	}
	if n, ok := deadline.Nearest(qs, now); !ok || n.Queue != "orders-dlq" {
		t.Errorf("nearest %+v %v: want orders-dlq", n, ok)
	}
	if len(q.Each) != 1 || q.Each[0].MessageID != id || q.Each[0].RecordsGone {
		t.Errorf("per message %+v", q.Each)
	}
	if got := calls(s, "ReceiveMessage"); got != receivesBefore {
		t.Errorf("the countdown received: %d ReceiveMessage calls, had %d", got, receivesBefore)
	}

	sum, err := hydrate.Queue(ctx, s, url, hydrate.Options{Archive: backend.ArchiveLocation{Bucket: "archive"}})
	if err != nil || sum.Hydrated != 1 {
		t.Fatalf("hydrate: %+v, %v", sum, err)
	}
	l = inventory.ListDLQs(ctx, s, declared)
	qs, _ = deadline.ForDLQs(ctx, s, l.DLQs, deadline.Options{Now: now})
	if qs[0].Known() || qs[0].Messages != 0 {
		t.Fatalf("after hydrate: %+v, want no deadline", qs[0])
	}
	if n, ok := deadline.Nearest(qs, now); ok {
		t.Errorf("after hydrate the nearest is still %+v", n)
	}
	if got := qs[0].Text(now); got != "-" {
		t.Errorf("after hydrate the cell reads %q", got)
	}
}

// Records past the stream's retention are said to be gone, and the
// queue's deadline is the nearest of the others.
func TestRecordsGone(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	streamARN := inventorytest.Stream(t, e, "orders", 1)
	url, _ := inventorytest.Queue(t, e, "orders-dlq", nil)
	shard, recs := putRecords(t, e, "orders", 2)
	send(t, e, url, pipesFailure(streamARN, shard, recs[:1], time.Now().Add(-25*time.Hour)))
	later := send(t, e, url, pipesFailure(streamARN, shard, recs[1:], time.Now().Add(-20*time.Hour)))
	res, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := deadline.NewStreams(s)
	st.Load(ctx, []string{streamARN})
	now := time.Now()
	q := deadline.Exact(res, st, now)
	if q.RecordsGone != 1 || q.MessageID != later || q.Messages != 2 {
		t.Fatalf("%+v: want one gone and the nearest of %s", q, later)
	}
	if left := q.Left(now); left <= 3*time.Hour+55*time.Minute || left > 4*time.Hour {
		t.Errorf("left %s, want about 4h", left)
	}
	texts := map[string]string{}
	for _, m := range q.Each {
		texts[m.MessageID] = m.Text(now)
	}
	if texts[later] == "records gone" || len(texts) != 2 {
		t.Errorf("cells %v", texts)
	}
	gone := 0
	for _, v := range texts {
		if v == "records gone" {
			gone++
		}
	}
	if gone != 1 {
		t.Errorf("cells %v: want one \"records gone\"", texts)
	}
}

// Without a browse the deadline is a bound from the oldest message's age,
// the pipe's maximum record age and the stream's retention: nothing is
// received, the stream is read once, and the ages of all the queues cost
// one CloudWatch call.
func TestBoundWithoutBrowsing(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	streamARN := inventorytest.Stream(t, e, "orders", 1)
	_, targetARN := inventorytest.Queue(t, e, "target", nil)
	url, dlqARN := inventorytest.Queue(t, e, "orders-dlq", nil)
	inventorytest.Pipe(t, e, "orders-to-api", streamARN, targetARN, dlqARN, nil) // max record age 600 s
	shard, recs := putRecords(t, e, "orders", 1)
	send(t, e, url, pipesFailure(streamARN, shard, recs, time.Now()))

	l := inventory.ListDLQs(ctx, s, nil)
	var d inventory.DLQ
	for _, x := range l.DLQs {
		if x.Queue.Name == "orders-dlq" {
			d = x
		}
	}
	if len(d.Sources) != 1 || d.Sources[0].Stream != streamARN || d.Sources[0].MaxRecordAgeSeconds != 600 {
		t.Fatalf("sources %+v: want the pipe with its stream and max record age", d.Sources)
	}
	before := s.Calls.Total()
	now := time.Now()
	qs, fs := deadline.ForDLQs(ctx, s, []inventory.DLQ{d}, deadline.Options{Now: now, Ages: map[string]float64{"orders-dlq": 7200}})
	if len(fs) > 0 {
		t.Fatal(fs)
	}
	q := qs[0]
	want := now.Add(-2*time.Hour - 10*time.Minute + 24*time.Hour)
	if q.Exact || !q.At.Equal(want) || q.Cause != deadline.CauseStream {
		t.Fatalf("bound %+v: want %s by the stream", q, want)
	}
	if got := q.Text(now); got != "≥21h50m" {
		t.Errorf("cell %q", got)
	}
	if n := s.Calls.Total() - before; n != 1 || calls(s, "DescribeStreamSummary") == 0 {
		t.Errorf("%d calls, want one DescribeStreamSummary", n)
	}
	if n := calls(s, "ReceiveMessage"); n != 0 {
		t.Errorf("%d ReceiveMessage calls: the bound must receive nothing", n)
	}

	// Ages not given are read, all in one GetMetricData call.
	before = s.Calls.Total()
	qs, _ = deadline.ForDLQs(ctx, s, []inventory.DLQ{d, d, d}, deadline.Options{Now: now, ReadAges: true})
	if n := s.Calls.Total() - before; n != 2 {
		t.Errorf("%d calls for three queues on one stream: want one DescribeStreamSummary and one GetMetricData", n)
	}
	if !qs[0].Known() || qs[0].Exact {
		t.Errorf("bound %+v", qs[0])
	}
}

func TestOfMessage(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	failure := func(arrival, sent time.Time) dlq.Message {
		return dlq.Message{ID: "m", SentAt: sent, Failure: &dlq.Failure{Batch: dlq.BatchInfo{FirstArrival: arrival}}}
	}
	for _, c := range []struct {
		name     string
		m        dlq.Message
		stream   time.Duration
		queue    time.Duration
		ok, gone bool
		at       time.Time
		cause    deadline.Cause
	}{
		{"stream first", failure(now.Add(-23*time.Hour), now.Add(-time.Hour)), 24 * time.Hour, 4 * 24 * time.Hour, true, false, now.Add(time.Hour), deadline.CauseStream},
		{"queue first", failure(now.Add(-time.Hour), now.Add(-59*time.Minute)), 7 * 24 * time.Hour, time.Hour, true, false, now.Add(time.Minute), deadline.CauseQueue},
		{"records gone", failure(now.Add(-25*time.Hour), now.Add(-time.Hour)), 24 * time.Hour, 4 * 24 * time.Hour, true, true, now.Add(-time.Hour), deadline.CauseStream},
		{"no arrival", failure(time.Time{}, now.Add(-time.Hour)), 24 * time.Hour, 2 * time.Hour, true, false, now.Add(time.Hour), deadline.CauseQueue},
		{"retention unknown", failure(now.Add(-time.Hour), time.Time{}), 0, 0, false, false, time.Time{}, ""},
		{"payload", dlq.Message{ID: "p", SentAt: now}, 24 * time.Hour, time.Hour, false, false, time.Time{}, ""},
	} {
		d, ok := deadline.OfMessage(c.m, c.stream, c.queue, now)
		if ok != c.ok || d.RecordsGone != c.gone || !d.At.Equal(c.at) || d.Cause != c.cause {
			t.Errorf("%s: %+v %v", c.name, d, ok)
		}
	}
}

func TestThresholds(t *testing.T) {
	th := deadline.Thresholds{Warn: 6 * time.Hour, Critical: time.Hour}
	for left, want := range map[time.Duration]deadline.Level{
		7 * time.Hour: deadline.Far, 5 * time.Hour: deadline.Near, 59 * time.Minute: deadline.Critical, 0: deadline.Gone,
	} {
		if got := th.Level(left); got != want {
			t.Errorf("%s: %v, want %v", left, got, want)
		}
	}
	if got := (deadline.Thresholds{}).Or(th); got != th {
		t.Errorf("defaults %+v", got)
	}
}

// A browse that saw part of the queue gives no exact deadline: the
// messages it did not see are bounded as if unbrowsed, the nearer of the
// two stands, labelled a bound, and the seen messages keep their own.
// Hydrating what a browse read while more wait must not read as "no
// deadline" either.
func TestAPartialBrowseGivesABound(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	streamARN := inventorytest.Stream(t, e, "orders", 1)
	url, _ := inventorytest.Queue(t, e, "orders-dlq", nil)
	shard, recs := putRecords(t, e, "orders", 2)
	send(t, e, url, pipesFailure(streamARN, shard, recs[:1], time.Now().Add(-2*time.Hour)))
	send(t, e, url, pipesFailure(streamARN, shard, recs[1:], time.Now().Add(-3*time.Hour)))
	declared := []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq"}}

	res, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{Max: 1})
	if err != nil || len(res.Messages) != 1 || res.Complete {
		t.Fatalf("browse of 1: %d messages, complete %v, %v", len(res.Messages), res.Complete, err)
	}
	l := inventory.ListDLQs(ctx, s, declared)
	now := time.Now()
	qs, _ := deadline.ForDLQs(ctx, s, l.DLQs, deadline.Options{Now: now})
	q := qs[0]
	if q.Exact || !q.Known() {
		t.Fatalf("deadline %+v: want a bound, known", q)
	}
	if !strings.Contains(q.Basis, "browsed 1 of 2 messages") {
		t.Errorf("basis %q: want it to say what was browsed", q.Basis)
	}
	if len(q.Each) != 1 || q.Each[0].MessageID != res.Messages[0].ID {
		t.Errorf("per message %+v: want the browsed one's", q.Each)
	}
	if want := q.Each[0].At; q.At.After(want) {
		t.Errorf("queue deadline %s after its browsed message's %s", q.At, want)
	}

	// The whole queue browsed: exact again.
	if _, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{}); err != nil {
		t.Fatal(err)
	}
	l = inventory.ListDLQs(ctx, s, declared)
	qs, _ = deadline.ForDLQs(ctx, s, l.DLQs, deadline.Options{Now: now})
	if !qs[0].Exact || qs[0].Messages != 2 {
		t.Fatalf("after a whole browse: %+v, want exact over 2", qs[0])
	}
}
