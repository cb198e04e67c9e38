package kinesis_test

import (
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func describeShards(t *testing.T, c *kinesis.Client, stream string) map[string]types.Shard {
	t.Helper()
	out, err := c.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.Shard{}
	for _, sh := range out.Shards {
		m[*sh.ShardId] = sh
	}
	return m
}

func seqBig(s string) *big.Int {
	n, _ := new(big.Int).SetString(s, 10)
	return n
}

func TestSplitShard(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "split", 1)
	var before []string
	for i := range 10 {
		before = append(before, *put(t, c, "split", fmt.Sprint("k", i), "old").SequenceNumber)
	}
	parentIt := iter(t, c, "split", shard0, types.ShardIteratorTypeTrimHorizon)
	mid := new(big.Int).Lsh(big.NewInt(1), 127).String()
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("split"), ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	shards := describeShards(t, c, "split")
	if len(shards) != 3 {
		t.Fatalf("%d shards after a split", len(shards))
	}
	p, a, b := shards[shard0], shards["shardId-000000000001"], shards["shardId-000000000002"]
	if p.SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatal("the parent is still open")
	}
	if aws.ToString(a.ParentShardId) != shard0 || aws.ToString(b.ParentShardId) != shard0 || a.AdjacentParentShardId != nil {
		t.Errorf("children's parents: %v %v", a.ParentShardId, b.ParentShardId)
	}
	if *a.HashKeyRange.StartingHashKey != "0" || seqBig(*a.HashKeyRange.EndingHashKey).Cmp(new(big.Int).Sub(seqBig(mid), big.NewInt(1))) != 0 ||
		*b.HashKeyRange.StartingHashKey != mid || *b.HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
		t.Errorf("children's ranges: %+v %+v", *a.HashKeyRange, *b.HashKeyRange)
	}
	end := seqBig(*p.SequenceNumberRange.EndingSequenceNumber)
	if end.Cmp(seqBig(before[len(before)-1])) < 0 {
		t.Errorf("parent ends at %s, before its last record %s", end, before[len(before)-1])
	}

	// New records go to the children, numbered above all of the parent's.
	var after []string
	for i := range 10 {
		out := put(t, c, "split", fmt.Sprint("k", i), "new")
		if *out.ShardId == shard0 {
			t.Fatal("a record went to the closed parent")
		}
		after = append(after, *out.SequenceNumber)
		if seqBig(*out.SequenceNumber).Cmp(end) <= 0 {
			t.Errorf("child number %s is not above the parent's end %s", *out.SequenceNumber, end)
		}
	}

	// Reading the parent ends with its children and no next iterator.
	recs, last := drain(t, c, parentIt)
	if len(recs) != 10 || last.NextShardIterator != nil {
		t.Fatalf("parent: %d records, next iterator %v", len(recs), last.NextShardIterator)
	}
	if len(last.ChildShards) != 2 {
		t.Fatalf("child shards %+v", last.ChildShards)
	}
	for _, ch := range last.ChildShards {
		want := shards[*ch.ShardId]
		if fmt.Sprint(ch.ParentShards) != "["+shard0+"]" || *ch.HashKeyRange.StartingHashKey != *want.HashKeyRange.StartingHashKey {
			t.Errorf("child shard %+v", ch)
		}
	}
	n := 0
	for _, ch := range last.ChildShards {
		recs, _ := drain(t, c, iter(t, c, "split", *ch.ShardId, types.ShardIteratorTypeTrimHorizon))
		for _, r := range recs {
			if string(r.Data) != "new" {
				t.Errorf("child has record %q", r.Data)
			}
		}
		n += len(recs)
	}
	if n != 10 {
		t.Errorf("children hold %d records", n)
	}
	// LATEST and AFTER_SEQUENCE_NUMBER of the end on the closed parent are
	// at its end at once.
	_, last = drain(t, c, iter(t, c, "split", shard0, types.ShardIteratorTypeLatest))
	if last.NextShardIterator != nil || len(last.ChildShards) != 2 {
		t.Errorf("LATEST on a closed shard: %+v", last)
	}

	// Splitting errors.
	split := func(shard, key string) error {
		_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("split"), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(key)})
		return err
	}
	wantCode(t, split(shard0, "100"), "InvalidArgumentException")
	wantCode(t, split("shardId-000000000001", "0"), "InvalidArgumentException")
	wantCode(t, split("shardId-000000000001", "1"), "InvalidArgumentException")
	wantCode(t, split("shardId-000000000001", *a.HashKeyRange.EndingHashKey), "InvalidArgumentException")
	wantCode(t, split("shardId-000000000009", "100"), "ResourceNotFoundException")
	wantCode(t, split("shardId-000000000001", "-5"), "ValidationException")
	wantCode(t, split("shardId-000000000001", "340282366920938463463374607431768211456"), "InvalidArgumentException")
	if err := split("shardId-000000000001", "2"); err != nil {
		t.Errorf("splitting just above start+1: %v", err)
	}
}

func TestMergeShards(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "merge", 3)
	merge := func(a, b string) error {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("merge"), ShardToMerge: aws.String(a), AdjacentShardToMerge: aws.String(b)})
		return err
	}
	wantCode(t, merge("shardId-000000000000", "shardId-000000000002"), "InvalidArgumentException")
	wantCode(t, merge("shardId-000000000000", "shardId-000000000000"), "InvalidArgumentException")
	wantCode(t, merge("shardId-000000000000", "shardId-000000000007"), "ResourceNotFoundException")
	put(t, c, "merge", "a", "1")
	// The adjacent shard is the one whose range follows ShardToMerge's, as
	// AWS has it: the inverted pair is refused.
	wantCode(t, merge("shardId-000000000002", "shardId-000000000001"), "InvalidArgumentException")
	if err := merge("shardId-000000000001", "shardId-000000000002"); err != nil {
		t.Fatal(err)
	}
	shards := describeShards(t, c, "merge")
	m := shards["shardId-000000000003"]
	if aws.ToString(m.ParentShardId) != "shardId-000000000001" || aws.ToString(m.AdjacentParentShardId) != "shardId-000000000002" {
		t.Errorf("merged parents %v %v", m.ParentShardId, m.AdjacentParentShardId)
	}
	if *m.HashKeyRange.StartingHashKey != *shards["shardId-000000000001"].HashKeyRange.StartingHashKey || *m.HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
		t.Errorf("merged range %+v", *m.HashKeyRange)
	}
	wantCode(t, merge("shardId-000000000001", "shardId-000000000000"), "InvalidArgumentException")

	_, last := drain(t, c, iter(t, c, "merge", "shardId-000000000001", types.ShardIteratorTypeTrimHorizon))
	if last.NextShardIterator != nil || len(last.ChildShards) != 1 || *last.ChildShards[0].ShardId != "shardId-000000000003" ||
		fmt.Sprint(last.ChildShards[0].ParentShards) != "[shardId-000000000001 shardId-000000000002]" {
		t.Errorf("end of a merged parent: %+v", last.ChildShards)
	}
	if err := merge("shardId-000000000000", "shardId-000000000003"); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("merge")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount) != 1 {
		t.Errorf("%d open shards", aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount))
	}
}

// consumeAll reads every shard of a stream, each only after its parents,
// as KCL does, and returns the data in the order read per partition key.
func consumeAll(t *testing.T, c *kinesis.Client, stream string) map[string][]string {
	t.Helper()
	out, err := c.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	byKey := map[string][]string{}
	for len(done) < len(out.Shards) {
		progress := false
		for _, sh := range out.Shards {
			id := *sh.ShardId
			if done[id] || (sh.ParentShardId != nil && !done[*sh.ParentShardId]) || (sh.AdjacentParentShardId != nil && !done[*sh.AdjacentParentShardId]) {
				continue
			}
			recs, _ := drain(t, c, iter(t, c, stream, id, types.ShardIteratorTypeTrimHorizon))
			for _, r := range recs {
				byKey[*r.PartitionKey] = append(byKey[*r.PartitionKey], string(r.Data))
			}
			done[id] = true
			progress = true
		}
		if !progress {
			t.Fatal("shards wait on parents that are never read")
		}
	}
	return byKey
}

func TestUpdateShardCount(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "usc", 3)
	update := func(n int32) (*kinesis.UpdateShardCountOutput, error) {
		return c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("usc"), TargetShardCount: aws.Int32(n), ScalingType: types.ScalingTypeUniformScaling})
	}
	_, err := update(7)
	wantCode(t, err, "LimitExceededException")
	_, err = update(1)
	wantCode(t, err, "LimitExceededException")
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("usc"), TargetShardCount: aws.Int32(4), ScalingType: "RANDOM"})
	wantCode(t, err, "ValidationException")

	keys := 40
	write := func(round int) {
		for k := range keys {
			put(t, c, "usc", fmt.Sprint("key-", k), fmt.Sprint(round))
		}
	}
	write(0)
	for round, target := range []int32{5, 3, 6, 6, 4} {
		out, err := update(target)
		if err != nil {
			t.Fatalf("to %d shards: %v", target, err)
		}
		if aws.ToInt32(out.TargetShardCount) != target || aws.ToString(out.StreamName) != "usc" {
			t.Errorf("answer %+v", out)
		}
		write(round + 1)

		// The open shards are the uniform split of the key space.
		open := 0
		var starts []*big.Int
		for _, sh := range describeShards(t, c, "usc") {
			if sh.SequenceNumberRange.EndingSequenceNumber == nil {
				open++
				starts = append(starts, seqBig(*sh.HashKeyRange.StartingHashKey))
				if sh.ParentShardId == nil {
					t.Errorf("open shard %s has no parent", *sh.ShardId)
				}
			}
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i].Cmp(starts[j]) < 0 })
		width := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(int64(target)))
		for i, s := range starts {
			if want := new(big.Int).Mul(width, big.NewInt(int64(i))); s.Cmp(want) != 0 {
				t.Errorf("after scaling to %d, open shard %d starts at %s, want %s", target, i, s, want)
			}
		}
		if open != int(target) {
			t.Fatalf("%d open shards, want %d", open, target)
		}
	}
	// Read in parent-then-child order, every key's records arrive in the
	// order they were written.
	got := consumeAll(t, c, "usc")
	if len(got) != keys {
		t.Fatalf("%d keys read", len(got))
	}
	for k, v := range got {
		if fmt.Sprint(v) != "[0 1 2 3 4 5]" {
			t.Errorf("key %s read %v", k, v)
		}
	}

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("od"), TargetShardCount: aws.Int32(5), ScalingType: types.ScalingTypeUniformScaling})
	wantCode(t, err, "InvalidArgumentException")
}

func TestListShards(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ls", 2)
	created := time.Now()
	e.Clock.Advance(time.Minute)
	mid := new(big.Int).Lsh(big.NewInt(1), 126).String()
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("ls"), ShardToSplit: aws.String(shard0), NewStartingHashKey: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	list := func(in kinesis.ListShardsInput) ([]string, *string, error) {
		out, err := c.ListShards(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, sh := range out.Shards {
			ids = append(ids, (*sh.ShardId)[len(*sh.ShardId)-1:])
		}
		return ids, out.NextToken, nil
	}
	check := func(name string, in kinesis.ListShardsInput, want string) {
		t.Helper()
		if in.NextToken == nil {
			in.StreamName = aws.String("ls")
		}
		ids, _, err := list(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fmt.Sprint(ids) != want {
			t.Errorf("%s listed %v, want %s", name, ids, want)
		}
	}
	check("all", kinesis.ListShardsInput{}, "[0 1 2 3]")
	check("exclusive start", kinesis.ListShardsInput{ExclusiveStartShardId: aws.String("shardId-000000000001")}, "[2 3]")
	check("AT_LATEST", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}}, "[1 2 3]")
	check("AFTER_SHARD_ID", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000002")}}, "[3]")
	check("AT_TRIM_HORIZON", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}}, "[0 1]")
	check("FROM_TRIM_HORIZON", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}}, "[0 1 2 3]")
	check("AT_TIMESTAMP before the split", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(created.Add(time.Second))}}, "[0 1]")
	check("AT_TIMESTAMP after the split", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(e.Clock.Now())}}, "[1 2 3]")
	check("FROM_TIMESTAMP before the split", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(created)}}, "[0 1 2 3]")
	check("FROM_TIMESTAMP after the split", kinesis.ListShardsInput{ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(e.Clock.Now().Add(time.Second))}}, "[1 2 3]")

	// Pages.
	ids, tok, err := list(kinesis.ListShardsInput{StreamName: aws.String("ls"), MaxResults: aws.Int32(3)})
	if err != nil || fmt.Sprint(ids) != "[0 1 2]" || tok == nil {
		t.Fatalf("first page %v %v %v", ids, tok, err)
	}
	check("second page", kinesis.ListShardsInput{NextToken: tok}, "[3]")
	ids, tok2, err := list(kinesis.ListShardsInput{StreamName: aws.String("ls"), MaxResults: aws.Int32(1), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || fmt.Sprint(ids) != "[1]" || tok2 == nil {
		t.Fatalf("filtered first page %v %v", ids, err)
	}
	check("filtered second page", kinesis.ListShardsInput{NextToken: tok2, MaxResults: aws.Int32(5)}, "[2 3]")

	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("ls"), NextToken: tok})
	wantCode(t, err, "InvalidArgumentException")
	_, _, err = list(kinesis.ListShardsInput{NextToken: aws.String("bogus")})
	wantCode(t, err, "InvalidArgumentException")
	_, _, err = list(kinesis.ListShardsInput{})
	wantCode(t, err, "InvalidArgumentException")
	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("ls"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	wantCode(t, err, "InvalidArgumentException")
	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("ls"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId}})
	wantCode(t, err, "InvalidArgumentException")
	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("ls"), MaxResults: aws.Int32(0)})
	wantCode(t, err, "ValidationException")
	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException")

	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("ls")})
	if err != nil {
		t.Fatal(err)
	}
	check("matching creation time", kinesis.ListShardsInput{StreamCreationTimestamp: d.StreamDescriptionSummary.StreamCreationTimestamp}, "[0 1 2 3]")
	_, _, err = list(kinesis.ListShardsInput{StreamName: aws.String("ls"), StreamCreationTimestamp: aws.Time(d.StreamDescriptionSummary.StreamCreationTimestamp.Add(-time.Hour))})
	wantCode(t, err, "ResourceNotFoundException")

	e.Clock.Advance(6 * time.Minute)
	_, _, err = list(kinesis.ListShardsInput{NextToken: tok})
	wantCode(t, err, "ExpiredNextTokenException")
}
