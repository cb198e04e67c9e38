package metrics_test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/metrics"
)

// hashKeyOf is a hash key inside shard i of n even shards.
func hashKeyOf(i, n int) string {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	k := new(big.Int).Mul(space, big.NewInt(int64(2*i+1)))
	return k.Div(k, big.NewInt(int64(2*n))).String()
}

// putToShards writes counts[i] records of 10 bytes to shard i.
func putToShards(t *testing.T, e interface {
	Kinesis() *kinesis.Client
}, stream string, counts []int) {
	t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for shard, n := range counts {
		for j := range n {
			entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf(`{"n":%04d}`, j)),
				PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(hashKeyOf(shard, len(counts)))})
		}
	}
	out, err := e.Kinesis().PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("put records: %v", err)
	}
}

// TestShardLoadsShowTheHotShard: 40 records to one shard of four and 4 to
// each other: its load per minute is what was written over the window,
// and it alone is hot.
func TestShardLoadsShowTheHotShard(t *testing.T) {
	s, e := backendtest.Open(t)
	inventorytest.Stream(t, e, "orders", 4)
	putToShards(t, e, "orders", []int{4, 40, 4, 4})
	ids := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}
	got, err := metrics.ReadShardLoads(context.Background(), s, "orders", ids, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Monitoring() {
		t.Fatalf("the engine's stream reports no enhanced monitoring: %v", got.Monitored)
	}
	minutes := metrics.ShardWindow.Minutes()
	hot := got.Loads[ids[1]]
	// Each record counts its data and its one-byte partition key.
	if hot.RecordsPerMinute != 40/minutes || hot.BytesPerMinute != 40*11/minutes {
		t.Errorf("hot shard %+v, want %v records and %v bytes a minute", hot, 40/minutes, 40*11/minutes)
	}
	if cold := got.Loads[ids[0]]; cold.RecordsPerMinute != 4/minutes {
		t.Errorf("cold shard %+v", cold)
	}
	if h := got.Hot(ids); len(h) != 1 || !h[ids[1]] {
		t.Errorf("hot %v, want shard 1 alone", h)
	}
	if h := got.Hot(ids[:1]); len(h) != 0 {
		t.Errorf("one shard alone is hot: %v", h)
	}
}

// TestShardLoadsAgeIsTheConsumersLag: a read of the shard publishes its
// iterator age; a shard nobody read has none.
func TestShardLoadsAgeIsTheConsumersLag(t *testing.T) {
	s, e := backendtest.Open(t)
	inventorytest.Stream(t, e, "orders", 2)
	putToShards(t, e, "orders", []int{3, 3})
	ctx := context.Background()
	it, err := e.Kinesis().GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Fatal(err)
	}
	got, err := metrics.ReadShardLoads(ctx, s, "orders", []string{"shardId-000000000000", "shardId-000000000001"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Loads["shardId-000000000000"].HasAge || got.Loads["shardId-000000000001"].HasAge {
		t.Errorf("ages: %+v", got.Loads)
	}
}
