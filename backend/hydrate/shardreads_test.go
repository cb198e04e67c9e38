package hydrate_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/hydrate"
)

// streamCalls counts a run's Kinesis reads by operation, from every
// call it made (the session's log keeps only the last thousand).
func streamCalls(t *testing.T, f *fixture, run func()) map[string]int {
	t.Helper()
	var sink bytes.Buffer
	f.s.Calls.SetSink(&sink)
	run()
	calls, err := backend.ReadCalls(&sink)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, c := range calls {
		if c.Service == "Kinesis" {
			n[c.Operation]++
		}
	}
	return n
}

// TestFailuresInARowShareTheirReads: 300 failures of one record each,
// one after the other in a shard (a pipe failing on every batch), are
// read in a few calls instead of an iterator and a read each (AWS allows
// 5 of each a second per shard: 300 messages took a minute), and each
// is archived exactly.
func TestFailuresInARowShareTheirReads(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	const n = 300
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
	var sum hydrate.Summary
	calls := streamCalls(t, f, func() {
		var err error
		if sum, err = hydrate.Queue(f.ctx, f.s, dlqURL, o); err != nil {
			t.Fatal(err)
		}
	})
	if sum.Hydrated != n || sum.Events != n {
		t.Fatalf("hydrated %d messages, %d events; want %d", sum.Hydrated, sum.Events, n)
	}
	if got, want := f.keys(), sortedKeys(arn, shard, recs); !slices.Equal(got, want) {
		t.Fatalf("archived %d keys, want %d", len(got), len(want))
	}
	if calls["GetShardIterator"] > 10 || calls["GetRecords"] > 30 {
		t.Errorf("%d GetShardIterator and %d GetRecords for %d failures in a row", calls["GetShardIterator"], calls["GetRecords"], n)
	}
}

// TestScatteredFailuresReadExactlyTheirRecords: failures far apart in the
// shard, received newest first, overlapping, and inside one another,
// each archive exactly their own records, whatever an earlier message's
// read left.
func TestScatteredFailuresReadExactlyTheirRecords(t *testing.T) {
	f := start(t)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	var data [][]byte
	for i := range 600 {
		data = append(data, datum(i))
	}
	shard, recs := f.put("orders", "k", data...)
	ranges := [][2]int{{500, 504}, {300, 309}, {100, 101}, {0, 3}, {2, 6}, {3, 4}, {590, 599}, {200, 250}, {251, 251}, {252, 260}}
	want := map[string][]ktypes.Record{}
	for _, r := range ranges {
		id := f.send(dlqURL, pipesFailure(arn, shard, recs[r[0]:r[1]+1], time.Now()))
		want[id] = recs[r[0] : r[1]+1]
	}
	o := f.options()
	o.Concurrency = 1 // in the order sent, so that each read follows the last
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, o)
	if err != nil || sum.Hydrated != len(ranges) {
		t.Fatalf("%+v %v", sum, err)
	}
	for _, r := range sum.Results {
		var keys []string
		for _, rec := range want[r.MessageID] {
			keys = append(keys, wantKey(arn, shard, rec))
		}
		if !slices.Equal(r.Keys, keys) {
			t.Errorf("message %s archived %d keys %q, want %d", r.MessageID, len(r.Keys), r.Keys, len(keys))
		}
	}
}
