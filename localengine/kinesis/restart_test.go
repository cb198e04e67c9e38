package kinesis_test

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestRestartDurability(t *testing.T) {
	r := newRestartable(t)
	c := r.client()
	ctx := ctxT(t)
	createStream(t, c, "durable", 2)
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("durable"), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("durable"), RetentionPeriodHours: aws.Int32(72)}); err != nil {
		t.Fatal(err)
	}
	var entries []types.PutRecordsRequestEntry
	for i := range 100 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("k", i%10)), Data: []byte(fmt.Sprint(i))})
	}
	if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("durable"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	mid := new(big.Int).Lsh(big.NewInt(1), 126).String()
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("durable"), ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	last := map[string]*big.Int{}
	for i := range 10 {
		out := put(t, c, "durable", fmt.Sprint("k", i), "after split")
		last[*out.ShardId] = seqBig(*out.SequenceNumber)
	}
	heldIterator := iter(t, c, "durable", "shardId-000000000001", types.ShardIteratorTypeTrimHorizon)
	before := consumeAll(t, c, "durable")
	shardsBefore := fmt.Sprint(shardIDs(t, c, "durable"))

	r.stop(t)
	r.start(t)
	c = r.client()

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours) != 72 || aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount) != 3 {
		t.Errorf("after restart: %+v", sum.StreamDescriptionSummary)
	}
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("durable")})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("tags after restart %+v %v", tags, err)
	}
	if got := fmt.Sprint(shardIDs(t, c, "durable")); got != shardsBefore {
		t.Errorf("shards %s, before restart %s", got, shardsBefore)
	}
	if after := consumeAll(t, c, "durable"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("records after restart %v\nbefore %v", after, before)
	}
	// An iterator handed out before the restart still works.
	recs, _ := drain(t, c, heldIterator)
	if len(recs) == 0 {
		t.Error("the held iterator read nothing")
	}
	// Counters carry on above every number handed out before.
	for i := range 10 {
		out := put(t, c, "durable", fmt.Sprint("k", i), "after restart")
		if prev := last[*out.ShardId]; prev != nil && seqBig(*out.SequenceNumber).Cmp(prev) <= 0 {
			t.Fatalf("shard %s: %s after restart is not above %s", *out.ShardId, *out.SequenceNumber, prev)
		}
	}
	// Deleted streams stay deleted.
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	r.stop(t)
	r.start(t)
	_, err = r.client().DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("durable")})
	wantCode(t, err, "ResourceNotFoundException")
}
