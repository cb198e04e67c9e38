package hydrate_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestHydrateWritesOneObjectPerRecordThenDeletes: every record of the
// failure becomes one object under its exact key, whose body decodes to
// the record's bytes and the failure; then the DLQ message is gone.
func TestHydrateWritesOneObjectPerRecordThenDeletes(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 2)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	data := [][]byte{datum(1), []byte("plain text"), {0xf3, 0x89, 0x9a, 0xc2, 0, 1, 0xff}, []byte("{\n \"pretty\": true\n}")}
	shard, recs := f.put("orders", "c/42 é", data...)
	failedAt := time.Date(2026, 11, 27, 9, 0, 0, 123e6, time.UTC)
	id := f.send(dlqURL, pipesFailure(arn, shard, recs, failedAt))

	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Hydrated != 1 || sum.Events != len(data) || len(sum.Results) != 1 || sum.Results[0].MessageID != id {
		t.Fatalf("summary %+v", sum)
	}
	got := f.keys()
	if want := sortedKeys(arn, shard, recs); !slices.Equal(got, want) {
		t.Fatalf("keys\n got %q\nwant %q", got, want)
	}
	if !slices.Equal(sum.Results[0].Keys, func() []string {
		var k []string
		for _, r := range recs {
			k = append(k, wantKey(arn, shard, r))
		}
		return k
	}()) {
		t.Fatalf("result keys %q are not the records' keys in order", sum.Results[0].Keys)
	}
	for i, rec := range recs {
		e := f.object(wantKey(arn, shard, rec))
		back, err := e.Record.Bytes()
		if err != nil || !bytes.Equal(back, data[i]) {
			t.Fatalf("record %d: data %q (%v), want %q", i, back, err, data[i])
		}
		if e.Consumer != pipe || e.Record.SequenceNumber != aws.ToString(rec.SequenceNumber) || e.Record.ShardID != shard ||
			e.Record.StreamARN != arn || e.Record.PartitionKey != "c/42 é" || !e.Record.ArrivalTime.Equal(aws.ToTime(rec.ApproximateArrivalTimestamp)) {
			t.Fatalf("record %d: %+v", i, e.Record)
		}
		fl := e.Failure
		if fl.Source != "pipe" || fl.Condition != "RetryAttemptsExhausted" || fl.ConsumerARN != "arn:aws:pipes:us-east-1:"+account+":pipe/"+pipe ||
			fl.DLQ != "orders-dlq" || fl.MessageID != id || !fl.FailedAt.Equal(failedAt) || e.HydratedAt.IsZero() {
			t.Fatalf("record %d: failure %+v", i, fl)
		}
	}
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ still holds %d visible and %d hidden messages", visible, hidden)
	}
}

// TestHydrateWithS3FailingKeepsTheMessage: with no bucket to write to, the
// message stays, visible again, and the error says why.
func TestHydrateWithS3FailingKeepsTheMessage(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	shard, recs := f.put("orders", "k", datum(1), datum(2))
	id := f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))

	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatalf("the run itself failed: %v", err)
	}
	if sum.Failed != 1 || sum.Hydrated != 0 || sum.Events != 0 {
		t.Fatalf("summary %+v", sum)
	}
	r := sum.Results[0]
	if r.MessageID != id || r.Err == nil || !strings.Contains(r.Reason, "NoSuchBucket") || !strings.Contains(r.Reason, "hydrate "+id) {
		t.Fatalf("result %+v: want a failure naming the message and NoSuchBucket", r)
	}
	// Released at once: visible again, not waiting out a timeout.
	if visible, hidden := f.counts(dlqURL); visible != 1 || hidden != 0 {
		t.Fatalf("DLQ holds %d visible and %d hidden messages, want the one message visible", visible, hidden)
	}

	// The same with one message received by the caller.
	msgs := f.receiveAll(dlqURL)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	r, err = hydrate.Message(f.ctx, f.s, f.options(), msgs[0])
	if err == nil || r.Outcome != hydrate.Failed || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Message: %+v, %v", r, err)
	}
	if visible, _ := f.counts(dlqURL); visible != 1 {
		t.Fatalf("message not released after a failed hydrate")
	}
}

// TestRecordsPastRetentionAreLeft: once the stream no longer holds the
// records, the message stays where it is and the reason says so plainly.
func TestRecordsPastRetentionAreLeft(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1), datum(2))
	id := f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))
	f.e.Clock.Advance(25 * time.Hour)
	f.put("orders", "k", datum(3)) // the stream lives on; the old records are gone

	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Left != 1 || sum.Events != 0 {
		t.Fatalf("summary %+v", sum)
	}
	r := sum.Results[0]
	want := "records of " + id + " are past the stream's retention (retention 24 h; "
	if r.Outcome != hydrate.Left || !strings.HasPrefix(r.Reason, want) || !strings.HasSuffix(r.Reason, "): left in the DLQ") || r.Err != nil {
		t.Fatalf("result %+v\nwant a reason starting %q", r, want)
	}
	if got := f.keys(); len(got) != 0 {
		t.Fatalf("objects written: %q", got)
	}
	if visible, hidden := f.counts(dlqURL); visible != 1 || hidden != 0 {
		t.Fatalf("DLQ holds %d visible, %d hidden; want the message visible", visible, hidden)
	}
}

// TestPartHydratedQueue: of two messages, the one whose records are gone
// stays, the other is hydrated; a message whose range is partly past
// retention keeps its message but archives what the stream still holds.
func TestPartHydratedQueue(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, old := f.put("orders", "k", datum(1), datum(2))
	goneID := f.send(dlqURL, pipesFailure(arn, shard, old, time.Now()))
	f.e.Clock.Advance(25 * time.Hour)
	_, fresh := f.put("orders", "k", datum(3), datum(4))
	freshID := f.send(dlqURL, pipesFailure(arn, shard, fresh, time.Now()))
	// One failure spanning an expired record and a fresh one.
	spanID := f.send(dlqURL, pipesFailure(arn, shard, []ktypes.Record{old[1], fresh[0]}, time.Now()))

	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Hydrated != 1 || sum.Left != 2 || sum.Events != 3 {
		t.Fatalf("summary %+v", sum)
	}
	byID := map[string]hydrate.Result{}
	for _, r := range sum.Results {
		byID[r.MessageID] = r
	}
	if r := byID[freshID]; r.Outcome != hydrate.Hydrated || r.Events != 2 {
		t.Fatalf("fresh: %+v", r)
	}
	if r := byID[goneID]; r.Outcome != hydrate.Left || r.Events != 0 || !strings.Contains(r.Reason, "past the stream's retention") {
		t.Fatalf("gone: %+v", r)
	}
	if r := byID[spanID]; r.Outcome != hydrate.Left || r.Events != 1 || r.Records != 1 ||
		!strings.Contains(r.Reason, "past the stream's retention") || !strings.Contains(r.Reason, "the 1 records still there are archived") {
		t.Fatalf("span: %+v", r)
	}
	if got, want := f.keys(), sortedKeys(arn, shard, fresh); !slices.Equal(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	left := f.receiveAll(dlqURL)
	var ids []string
	for _, m := range left {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	want := []string{goneID, spanID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("DLQ holds %q, want %q", ids, want)
	}
}

// TestHydrateTwiceWritesTheSameKeys: the same failure hydrated again (it
// was sent to the DLQ twice) rewrites the same objects, no more.
func TestHydrateTwiceWritesTheSameKeys(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1), datum(2), datum(3))
	body := pipesFailure(arn, shard, recs, time.Now())

	f.send(dlqURL, body)
	if sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options()); err != nil || sum.Hydrated != 1 {
		t.Fatalf("first: %+v %v", sum, err)
	}
	first := f.keys()
	f.send(dlqURL, body)
	if sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options()); err != nil || sum.Hydrated != 1 || sum.Events != 3 {
		t.Fatalf("second: %+v %v", sum, err)
	}
	if second := f.keys(); len(second) != 3 || !slices.Equal(first, second) {
		t.Fatalf("keys after the first run %q, after the second %q", first, second)
	}
}

// TestReadOnlyRefusesAndLeavesEverything: read-only refuses before it
// receives anything, so the queue is as it was.
func TestReadOnlyRefusesAndLeavesEverything(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1))
	f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))
	ro := backendtest.OpenOn(t, f.e, backend.Env{ReadOnly: true})

	if _, err := hydrate.Queue(f.ctx, ro, dlqURL, f.options()); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("Queue: %v, want a read-only refusal", err)
	}
	if err := hydrate.Watch(f.ctx, ro, dlqURL, f.options(), nil); !errors.Is(err, backend.ErrReadOnly) {
		t.Fatalf("Watch: %v, want a read-only refusal", err)
	}
	msgs := f.receiveAll(dlqURL)
	if len(msgs) != 1 || msgs[0].ReceiveCount != 1 {
		t.Fatalf("queue after the refusals: %+v (want one message, never received before)", msgs)
	}
	r, err := hydrate.Message(f.ctx, ro, f.options(), msgs[0])
	if !errors.Is(err, backend.ErrReadOnly) || r.Outcome != hydrate.Failed {
		t.Fatalf("Message: %+v %v", r, err)
	}
	if got := f.keys(); len(got) != 0 {
		t.Fatalf("objects written under read-only: %q", got)
	}
	if visible, _ := f.counts(dlqURL); visible != 1 {
		t.Fatal("the message is gone or hidden")
	}
}

// TestPayloadMessagesAreSkipped: a message from an SQS source holds its
// payload; it is left alone, with a sentence saying to redrive it. Only
// the messages asked for are hydrated, and an id not in the queue is
// reported missing.
func TestPayloadMessagesAreSkippedAndIDsSelect(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1), datum(2))
	payload := f.send(dlqURL, `{"orderId":"o-9"}`)
	one := f.send(dlqURL, pipesFailure(arn, shard, recs[:1], time.Now()))
	other := f.send(dlqURL, pipesFailure(arn, shard, recs[1:], time.Now()))

	o := f.options()
	o.IDs = []string{payload, one, "no-such-id"}
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Hydrated != 1 || sum.Skipped != 1 || len(sum.Results) != 2 || !slices.Equal(sum.Missing, []string{"no-such-id"}) {
		t.Fatalf("summary %+v", sum)
	}
	for _, r := range sum.Results {
		if r.MessageID == payload && (r.Outcome != hydrate.Skipped || r.Reason != "not a Kinesis failure: redrive it instead") {
			t.Fatalf("payload: %+v", r)
		}
	}
	var ids []string
	for _, m := range f.receiveAll(dlqURL) {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	want := []string{payload, other}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("queue holds %q, want %q", ids, want)
	}
}

// TestKPLAggregateIsArchivedWhole: a KPL aggregate is one Kinesis record
// and one event, its aggregated bytes kept, so that a replay to the
// stream puts back exactly what the producer wrote.
func TestKPLAggregateIsArchivedWhole(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	agg := decode.Aggregate([]decode.UserRecord{
		{PartitionKey: "a", Data: datum(1)}, {PartitionKey: "b", Data: datum(2)}, {PartitionKey: "a", Data: []byte{0, 1, 2}},
	})
	shard, recs := f.put("orders", "kpl", agg)
	f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil || sum.Hydrated != 1 || sum.Events != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	e := f.object(wantKey(arn, shard, recs[0]))
	data, err := e.Record.Bytes()
	if err != nil || !bytes.Equal(data, agg) || e.Record.DataEncoding != "base64" {
		t.Fatalf("archived %q (%s, %v), want the aggregate's bytes", data, e.Record.DataEncoding, err)
	}
	users, err := decode.Deaggregate(data)
	if err != nil || len(users) != 3 {
		t.Fatalf("archived aggregate does not de-aggregate: %d records, %v", len(users), err)
	}
}

// TestThrottledReadsBackOff: with AWS's per-shard read limit (5 reads a
// second) enforced, many messages of one shard are throttled, back off,
// and are all hydrated.
func TestThrottledReadsBackOff(t *testing.T) {
	f := start(t, enginetest.WithOptions(func(o *localengine.Options) { o.EnforceLimits = true }))
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	const n = 20
	var data [][]byte
	for i := range n {
		data = append(data, datum(i))
	}
	shard, recs := f.put("orders", "k", data...)
	for i := range recs {
		f.send(dlqURL, pipesFailure(arn, shard, recs[i:i+1], time.Now()))
	}
	o := f.options()
	o.Concurrency = 8
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, o)
	if err != nil || sum.Hydrated != n || sum.Events != n {
		t.Fatalf("%+v %v", sum, err)
	}
	throttled := 0
	for _, c := range f.s.Calls.Calls() {
		if c.Operation == "GetRecords" && c.Result == "ProvisionedThroughputExceededException" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("no read was throttled: the test did not exercise the backoff")
	}
}

// TestMessageFromAPeek: a message found by a dlq peek is hydrated with
// the receipt handle the peek got.
func TestMessageFromAPeek(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	shard, recs := f.put("orders", "k", datum(1))
	id := f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))
	peek, err := dlq.Peek(f.ctx, f.s, dlqURL, 10)
	if err != nil || len(peek.Messages) != 1 {
		t.Fatalf("peek: %+v %v", peek, err)
	}
	r, err := hydrate.Message(f.ctx, f.s, f.options(), hydrate.FromDLQ(dlqURL, peek.Messages[0]))
	if err != nil || r.Outcome != hydrate.Hydrated || r.MessageID != id || r.Events != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ holds %d+%d messages", visible, hidden)
	}
}

// TestQueueTrustsTheChecksumAndDeletesInBatches: each object is confirmed
// by the checksum the store echoes, not read back, and the hydrated
// messages are deleted with DeleteMessageBatch, never one by one.
func TestQueueTrustsTheChecksumAndDeletesInBatches(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	const n = 25
	for i := range n {
		shard, recs := f.put("orders", fmt.Sprint("k", i), datum(i))
		f.send(dlqURL, pipesFailure(arn, shard, recs, time.Now()))
	}
	before := len(f.s.Calls.Calls())
	o := f.options()
	o.Concurrency = 8
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, o)
	if err != nil || sum.Hydrated != n || sum.Events != n {
		t.Fatalf("%+v %v", sum, err)
	}
	ops := map[string]int{}
	for _, c := range f.s.Calls.Calls()[before:] {
		ops[c.Operation]++
	}
	t.Logf("calls: %v", ops)
	if ops["GetObject"] != 0 || ops["DeleteMessage"] != 0 || ops["PutObject"] != n || ops["DeleteMessageBatch"] == 0 || ops["DeleteMessageBatch"] > n {
		t.Fatalf("calls %v: want %d PutObject, no read-back, and the deletes in batches", ops, n)
	}
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ holds %d+%d messages", visible, hidden)
	}
	if keys := f.keys(); len(keys) != n {
		t.Fatalf("%d objects, want %d", len(keys), n)
	}
}
