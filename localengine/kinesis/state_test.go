package kinesis_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestShardQuotaOption(t *testing.T) {
	_, c := start(t, enginetest.WithOptions(func(o *localengine.Options) { o.KinesisShardQuota = 10 }))
	ctx := ctxT(t)
	createStream(t, c, "a", 8)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("b"), ShardCount: aws.Int32(3)})
	wantError(t, err, "LimitExceededException", "Limit: 10.")
	createStream(t, c, "b", 2)
}

// With a state delay a new stream is CREATING, and a resharded one
// UPDATING, for that long: the SDK's waiter sees it become ACTIVE.
func TestStateDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	_, c := start(t, enginetest.WithOptions(func(o *localengine.Options) { o.KinesisStateDelay = delay }))
	ctx := ctxT(t)
	began := time.Now()
	createStream(t, c, "slow", 2)
	status := func() types.StreamStatus {
		t.Helper()
		out, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("slow")})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("slow")})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescription.StreamStatus != sum.StreamDescriptionSummary.StreamStatus {
			t.Fatalf("DescribeStream says %s, DescribeStreamSummary %s", out.StreamDescription.StreamStatus, sum.StreamDescriptionSummary.StreamStatus)
		}
		return out.StreamDescription.StreamStatus
	}
	if s := status(); s != types.StreamStatusCreating {
		t.Fatalf("status %s right after CreateStream", s)
	}
	ls, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamStatus != types.StreamStatusCreating {
		t.Fatalf("ListStreams while creating: %+v %v", ls, err)
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("slow"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantError(t, err, "ResourceNotFoundException", "Stream slow under account 000000000000 not found.")
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("slow"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("slow"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("slow"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
	wantError(t, err, "ResourceInUseException", "Stream slow under account 000000000000 not ACTIVE, instead in state CREATING")

	waiter := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 50*time.Millisecond
	})
	if err := waiter.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("slow")}, 10*time.Second); err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if waited := time.Since(began); waited < delay {
		t.Fatalf("ACTIVE after %v, before the delay", waited)
	}
	if s := status(); s != types.StreamStatusActive {
		t.Fatalf("status %s after the waiter", s)
	}
	put(t, c, "slow", "k", "x")

	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("slow"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != types.StreamStatusUpdating {
		t.Fatalf("status %s right after SplitShard", s)
	}
	// Writes go on while UPDATING; another reshard waits.
	put(t, c, "slow", "k", "x")
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("slow"), ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")})
	wantError(t, err, "ResourceInUseException", "not ACTIVE, instead in state UPDATING")
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("slow"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	wantCode(t, err, "ResourceInUseException")
	if err := waiter.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("slow")}, 10*time.Second); err != nil {
		t.Fatalf("waiter after split: %v", err)
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("slow"), ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")}); err != nil {
		t.Fatal(err)
	}
}
