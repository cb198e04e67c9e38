package pipes_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
)

// TestReshardFollowed: the stream is split while the pipe runs; every
// record is delivered, and the parent's records before any child's.
func TestReshardFollowed(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 1)
	f.createStream("dst", 1)
	f.createPipe("reshard", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(10)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")}})
	parent := f.put("src", keys(150, 13), "parent")
	if _, err := f.k.SplitShard(f.ctx, &kinesis.SplitShardInput{StreamName: aws.String("src"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	child := f.put("src", keys(150, 13), "child")
	recs := f.waitStream("dst", 300)

	shardOf := map[string]string{}
	for d, r := range parent {
		shardOf[d] = r.shard
	}
	for d, r := range child {
		shardOf[d] = r.shard
		if r.shard == "shardId-000000000000" {
			t.Fatalf("record %s went to the closed parent", d)
		}
	}
	lastParent, firstChild := -1, len(recs)
	seen := map[string]bool{}
	var events []pipeEvent
	for i, r := range recs {
		ev := decodeEvent(t, string(r.Data))
		events = append(events, ev)
		d := ev.data(t)
		if seen[d] {
			t.Fatalf("%s delivered twice", d)
		}
		seen[d] = true
		if !strings.HasPrefix(ev.EventID, shardOf[d]+":") {
			t.Fatalf("event %s names the wrong shard (%s)", ev.EventID, shardOf[d])
		}
		if strings.HasPrefix(d, "parent-") {
			lastParent = i
		} else {
			firstChild = min(firstChild, i)
		}
	}
	if lastParent > firstChild {
		t.Fatalf("a child's record (at %d) went out before the parent's last (at %d)", firstChild, lastParent)
	}
	checkShardOrder(t, events)
}

// TestMergeFollowed: after a merge, the child starts only once both
// parents are finished.
func TestMergeFollowed(t *testing.T) {
	f := start(t)
	src := f.createStream("src", 2)
	f.createStream("dst", 1)
	f.createPipe("merge", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(25)},
		&ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")}})
	f.put("src", keys(200, 17), "parent")
	if _, err := f.k.MergeShards(f.ctx, &kinesis.MergeShardsInput{StreamName: aws.String("src"),
		ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatalf("MergeShards: %v", err)
	}
	f.put("src", keys(100, 17), "child")
	recs := f.waitStream("dst", 300)
	lastParent, firstChild := -1, len(recs)
	for i, r := range recs {
		if strings.HasPrefix(decodeEvent(t, string(r.Data)).data(t), "parent-") {
			lastParent = i
		} else {
			firstChild = min(firstChild, i)
		}
	}
	if lastParent > firstChild {
		t.Fatalf("a child's record (at %d) went out before a parent's (at %d)", firstChild, lastParent)
	}
}
