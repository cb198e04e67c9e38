package kinesis_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// startLimited starts an engine that enforces the throughput limits, on a
// clock that moves only when the test moves it, so that token buckets
// refill exactly when the test says.
func startLimited(t *testing.T) (*frozenClock, *kinesis.Client) {
	clock := &frozenClock{now: time.Now()}
	_, c := start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.EnforceLimits = true
		o.Now = clock.Now
	}))
	return clock, c
}

type frozenClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *frozenClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *frozenClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestWriteLimits(t *testing.T) {
	e, c := startLimited(t)
	ctx := ctxT(t)
	createStream(t, c, "lim", 1)
	const chunk = 400 << 10
	// A shard takes 1 MiB a second. The entries of one call are weighed at
	// the same instant: two 400 KiB records fit, the third does not.
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lim"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: make([]byte, chunk)},
		{PartitionKey: aws.String("k"), Data: make([]byte, chunk)},
		{PartitionKey: aws.String("k"), Data: make([]byte, chunk)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 1 {
		t.Fatalf("%d records failed, want 1: %+v", aws.ToInt32(out.FailedRecordCount), out.Records)
	}
	r := out.Records[2]
	if aws.ToString(r.ErrorCode) != "ProvisionedThroughputExceededException" || r.ErrorMessage == nil || r.SequenceNumber != nil || r.ShardId != nil {
		t.Errorf("failed entry %+v", r)
	}
	if out.Records[0].SequenceNumber == nil || out.Records[1].SequenceNumber == nil {
		t.Errorf("entries within the limit failed: %+v", out.Records)
	}
	// Nor is there room for another large record until time passes.
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("lim"), PartitionKey: aws.String("k"), Data: make([]byte, 1<<20-1)})
	wantCode(t, err, "ProvisionedThroughputExceededException")

	// A second later the shard takes writes again, 1,000 records a second.
	e.Advance(time.Second)
	put(t, c, "lim", "k", string(make([]byte, 1<<20-1)))
	e.Advance(time.Second)
	entries := make([]types.PutRecordsRequestEntry, 500)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	failed := 0
	for range 3 {
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("lim"), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		failed += int(aws.ToInt32(out.FailedRecordCount))
		for _, r := range out.Records {
			if (r.ErrorCode != nil) != (r.SequenceNumber == nil) {
				t.Fatalf("entry with both or neither of an error and a number: %+v", r)
			}
		}
	}
	if failed != 500 {
		t.Errorf("1,500 records in the same second: %d refused, want 500", failed)
	}
}

func TestReadLimits(t *testing.T) {
	e, c := startLimited(t)
	ctx := ctxT(t)
	createStream(t, c, "rl", 1)
	put(t, c, "rl", "k", "x")
	it := iter(t, c, "rl", shard0, types.ShardIteratorTypeTrimHorizon)
	var err error
	calls := 0
	for ; calls < 20 && err == nil; calls++ {
		_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	}
	wantCode(t, err, "ProvisionedThroughputExceededException")
	if calls != 6 {
		t.Errorf("refused after %d calls; a shard takes 5 a second", calls)
	}
	e.Advance(time.Second)
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
		t.Fatalf("a second later: %v", err)
	}

	// 2 MiB a second: one large read puts the shard in debt for the next
	// calls (here for seconds).
	e.Advance(time.Second)
	for range 7 {
		put(t, c, "rl", "k", string(make([]byte, 900<<10)))
		e.Advance(time.Second)
	}
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter(t, c, "rl", shard0, types.ShardIteratorTypeTrimHorizon))}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, err, "ProvisionedThroughputExceededException")
}
