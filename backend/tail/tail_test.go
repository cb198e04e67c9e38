package tail_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sluicehq/sluice/backend/tail"
)

func TestTrimHorizonReadsEverythingInOrderPerShard(t *testing.T) {
	v := open(t)
	v.createStream("orders", 4)
	want := v.put("orders", numbered("r", 300, 37)...)

	// Named by ARN: the tail then calls with the ARN.
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	tl := start(t, v.s, fast(arn))
	got := drain(t, tl)
	byData := checkExactlyOnce(t, got, want)
	for _, r := range byData {
		if r.StreamARN != arn || r.SubSequence != -1 || r.Aggregated || r.Size != len(r.Data) || r.Arrival.IsZero() {
			t.Fatalf("record %+v", r)
		}
		if !strings.HasPrefix(r.PartitionKey, "key-") {
			t.Fatalf("partition key %q", r.PartitionKey)
		}
	}
	st := tl.Stats()
	if st.Records != 300 || st.Delivered != 300 || len(st.Shards) != 4 {
		t.Fatalf("stats %+v", st)
	}
	for _, sh := range st.Shards {
		if sh.State != tail.CaughtUp || sh.MillisBehindLatest != 0 {
			t.Fatalf("shard %+v", sh)
		}
	}
	if tl.StreamARN() != arn || tl.Stream() != "orders" {
		t.Fatalf("stream %s %s", tl.Stream(), tl.StreamARN())
	}
}

func TestOneShardOnly(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	all := v.put("orders", numbered("r", 100, 10)...)
	var want []put
	for _, p := range all {
		if p.Shard == "shardId-000000000001" {
			want = append(want, p)
		}
	}
	o := fast("orders")
	o.Shards = []string{"shardId-000000000001"}
	got := drain(t, start(t, v.s, o))
	checkExactlyOnce(t, got, want)
}

func TestLatestSeesOnlyNewRecords(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	v.put("orders", numbered("old", 20, 5)...)
	o := tail.NewOptions("orders")
	o.ReadsPerSecond = tail.MaxReadsPerSecond
	tl := start(t, v.s, o)
	// A first read on each shard means its LATEST iterator is taken.
	eventually(t, "first reads", func() bool {
		for _, sh := range tl.Stats().Shards {
			if sh.Reads == 0 {
				return false
			}
		}
		return true
	})
	want := v.put("orders", numbered("new", 20, 5)...)
	got := collect(t, tl, 20)
	checkExactlyOnce(t, got, want)
}

func TestFromTimestamp(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	v.put("orders", numbered("before", 30, 7)...)
	v.e.Clock.Advance(time.Minute)
	point := v.e.Clock.Now().Add(-30 * time.Second)
	want := v.put("orders", numbered("after", 30, 7)...)

	o := fast("orders")
	o.From = tail.Position{Kind: tail.AtTimestamp, Time: point}
	checkExactlyOnce(t, drain(t, start(t, v.s, o)), want)

	// The same point said as "30s ago", by the engine's clock.
	o.From, _ = tail.ParsePosition("30s")
	o.Now = v.e.Clock.Now
	checkExactlyOnce(t, drain(t, start(t, v.s, o)), want)
}

func TestFromSequenceNumber(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	same := make([]put, 10)
	for i := range same {
		same[i] = put{Key: "one-key", Data: fmt.Sprintf("r-%d", i)}
	}
	same = v.put("orders", same...)
	shard := same[0].Shard
	// Records on the other shard are not read.
	for _, p := range v.put("orders", numbered("other", 40, 13)...) {
		if p.Shard == shard {
			same = append(same, p)
		}
	}

	for _, tc := range []struct {
		name  string
		from  tail.Position
		shard []string
		want  []put
	}{
		{"at, shard found", tail.Position{Kind: tail.AtSequence, Sequence: same[3].Seq}, nil, same[3:]},
		{"after, shard found", tail.Position{Kind: tail.AfterSequence, Sequence: same[3].Seq}, nil, same[4:]},
		{"at, shard named", tail.Position{Kind: tail.AtSequence, Sequence: same[5].Seq}, []string{shard}, same[5:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fast("orders")
			o.From, o.Shards = tc.from, tc.shard
			checkExactlyOnce(t, drain(t, start(t, v.s, o)), tc.want)
		})
	}

	t.Run("wrong shard", func(t *testing.T) {
		o := fast("orders")
		o.From = tail.Position{Kind: tail.AtSequence, Sequence: same[0].Seq}
		o.Shards = []string{"shardId-000000000000"}
		if shard == o.Shards[0] {
			o.Shards = []string{"shardId-000000000001"}
		}
		tl, err := tail.Start(ctxT(t), v.s, o)
		if err == nil {
			drain := func() error {
				for range tl.Records() {
				}
				return tl.Err()
			}
			err = drain()
		}
		if err == nil || !strings.Contains(err.Error(), "Invalid StartingSequenceNumber") {
			t.Fatalf("err %v", err)
		}
	})
}

// TestFollowsReshard splits and merges shards while a tail runs, then
// tails the resharded stream afresh: every record is read once, and for
// each partition key in the order it was put (parents before children).
func TestFollowsReshard(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	var want []put
	want = append(want, v.put("orders", numbered("a", 200, 23)...)...)

	o := fast("orders")
	o.UntilCaughtUp = false
	tl := start(t, v.s, o)
	got := collect(t, tl, len(want))

	split(t, v, "shardId-000000000000") // into 2 and 3
	want = append(want, v.put("orders", numbered("b", 200, 23)...)...)
	merge(t, v, "shardId-000000000003", "shardId-000000000001") // into 4
	want = append(want, v.put("orders", numbered("c", 200, 23)...)...)
	got = append(got, collect(t, tl, len(want)-len(got))...)
	checkReshardOrder(t, got, want)

	eventually(t, "parents finished", func() bool {
		return slices.Equal(tl.Stats().Finished(), []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000003"})
	})
	if active := tl.Stats().Active(); !slices.Equal(active, []string{"shardId-000000000002", "shardId-000000000004"}) {
		t.Fatalf("active shards %v", active)
	}
	tl.Close()

	// A new tail finds the lineage in the listing.
	checkReshardOrder(t, drain(t, start(t, v.s, fast("orders"))), want)
}

func checkReshardOrder(t *testing.T, got []tail.Record, want []put) {
	t.Helper()
	checkExactlyOnce(t, got, want)
	// Per key, the records came in the order they were put.
	pos := map[string]int{}
	for i, w := range want {
		pos[w.Data] = i
	}
	lastOfKey := map[string]int{}
	for _, r := range got {
		i := pos[string(r.Data)]
		if prev, ok := lastOfKey[r.PartitionKey]; ok && prev > i {
			t.Fatalf("key %s: %q read after %q", r.PartitionKey, want[prev].Data, want[i].Data)
		}
		lastOfKey[r.PartitionKey] = i
	}
}

func split(t *testing.T, v *env, shard string) {
	t.Helper()
	// Shard 0 of two covers the lower half of the hash key space, [0,
	// 2^127): split it at 2^126.
	_, err := v.kinesis.SplitShard(context.Background(), &kinesisSplit{
		StreamName: aws.String("orders"), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String("85070591730234615865843651857942052864"),
	})
	if err != nil {
		t.Fatalf("split %s: %v", shard, err)
	}
}

func merge(t *testing.T, v *env, a, b string) {
	t.Helper()
	_, err := v.kinesis.MergeShards(context.Background(), &kinesisMerge{
		StreamName: aws.String("orders"), ShardToMerge: aws.String(a), AdjacentShardToMerge: aws.String(b),
	})
	if err != nil {
		t.Fatalf("merge %s and %s: %v", a, b, err)
	}
}
