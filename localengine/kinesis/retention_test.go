package kinesis_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestRetentionHidesOldRecords(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ret", 1)
	old := putN(t, c, "ret", 0, 3)
	e.Clock.Advance(23 * time.Hour)
	putN(t, c, "ret", 3, 2)
	recs, _ := drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[0 1 2 3 4]" {
		t.Fatalf("within retention read %s", got)
	}
	e.Clock.Advance(2 * time.Hour)
	// The first three are now 25 hours old.
	recs, _ = drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[3 4]" {
		t.Fatalf("after 25 hours TRIM_HORIZON read %s", got)
	}
	out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("ret"), ShardId: aws.String(shard0),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(old[0])})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ = drain(t, c, *out.ShardIterator)
	if got := datas(recs); got != "[3 4]" {
		t.Fatalf("AT_SEQUENCE_NUMBER of an expired record read %s", got)
	}
	// A longer retention does not bring back what has expired.
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	recs, _ = drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[3 4]" {
		t.Fatalf("after increasing retention read %s", got)
	}
	e.Clock.Advance(2 * time.Hour)
	recs, _ = drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[3 4]" {
		t.Fatalf("with 48 hours' retention, 4 hours' old records read %s", got)
	}
	// Decreasing hides at once.
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	recs, _ = drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[3 4]" {
		t.Fatalf("after decreasing retention read %s", got)
	}

	e.Clock.Advance(22 * time.Hour)
	recs, last := drain(t, c, iter(t, c, "ret", shard0, types.ShardIteratorTypeTrimHorizon))
	if len(recs) != 0 || aws.ToInt64(last.MillisBehindLatest) != 0 {
		t.Fatalf("everything expired, yet read %s", datas(recs))
	}
	// Counters go on after expiry.
	next := put(t, c, "ret", "k", "new")
	if seqBig(*next.SequenceNumber).Cmp(seqBig(old[2])) <= 0 {
		t.Error("sequence numbers went back after expiry")
	}
}

func TestClosedShardsExpire(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "cse", 1)
	put(t, c, "cse", "k", "before")
	mid := new(big.Int).Lsh(big.NewInt(1), 127).String()
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("cse"), ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	if ids := shardIDs(t, c, "cse"); fmt.Sprint(ids) != "[shardId-000000000000 shardId-000000000001 shardId-000000000002]" {
		t.Fatalf("shards %v", ids)
	}
	e.Clock.Advance(25 * time.Hour)
	if ids := shardIDs(t, c, "cse"); fmt.Sprint(ids) != "[shardId-000000000001 shardId-000000000002]" {
		t.Fatalf("after retention shards %v", ids)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("cse")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.StreamDescription.Shards) != 2 || aws.ToString(d.StreamDescription.Shards[0].ParentShardId) != shard0 {
		t.Fatalf("described %+v", d.StreamDescription.Shards)
	}
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("cse"), ShardId: aws.String(shard0), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	wantCode(t, err, "ResourceNotFoundException")
}
