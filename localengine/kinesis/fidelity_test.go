package kinesis_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// errMessage is the message of an API error.
func errMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func wantError(t testing.TB, err error, code, inMessage string) {
	t.Helper()
	wantCode(t, err, code)
	if !strings.Contains(errMessage(err), inMessage) {
		t.Fatalf("message %q does not contain %q", errMessage(err), inMessage)
	}
}

// MergeShards takes ShardToMerge and the shard whose hash key range starts
// right after it, both open, as AWS does (kinesalite's suite, run against
// AWS, refuses the inverted pair too).
func TestMergeShardsAdjacency(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "adj", 3)
	merge := func(a, b string) error {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("adj"), ShardToMerge: aws.String(a), AdjacentShardToMerge: aws.String(b)})
		return err
	}
	wantError(t, merge("shardId-000000000000", "shardId-000000000002"), "InvalidArgumentException",
		"Shards shardId-000000000000 and shardId-000000000002 in stream adj under account 000000000000 are not an adjacent pair of shards eligible for merging")
	wantError(t, merge("shardId-000000000001", "shardId-000000000000"), "InvalidArgumentException",
		"Shards shardId-000000000001 and shardId-000000000000 in stream adj under account 000000000000 are not an adjacent pair of shards eligible for merging")
	wantError(t, merge("shardId-000000000002", "shardId-000000000001"), "InvalidArgumentException", "not an adjacent pair")
	wantCode(t, merge("shardId-000000000001", "shardId-000000000001"), "InvalidArgumentException")
	if err := merge("shardId-000000000001", "shardId-000000000002"); err != nil {
		t.Fatal(err)
	}
	// Shard 0 and the closed shard 1 had adjacent ranges; a closed shard
	// is not eligible.
	wantError(t, merge("shardId-000000000000", "shardId-000000000001"), "InvalidArgumentException", "not eligible for merging")
	if err := merge("shardId-000000000000", "shardId-000000000003"); err != nil {
		t.Fatal(err)
	}
}

func TestTagCharacters(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "tags", 1)
	add := func(tags map[string]string) error {
		_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tags"), Tags: tags})
		return err
	}
	const invalid = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . : / = + - % @."
	for _, bad := range []map[string]string{
		{"abc;def": "1"}, {"abc\tdef": "1"}, {"abc\ndef": "1"}, {"abc,def": "1"}, {"a<b>": "1"},
		{"a": "abc;def"}, {"a": "abc\tdef"}, {"a": "abc\ndef"}, {"a": "abc,def"}, {"a": "\x00"},
	} {
		wantError(t, add(bad), "InvalidArgumentException", invalid)
	}
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tagged"), ShardCount: aws.Int32(1), Tags: map[string]string{"team": "a\tb"}})
	wantError(t, err, "InvalidArgumentException", invalid)
	wantCode(t, add(map[string]string{strings.Repeat("k", 129): "v"}), "ValidationException")
	wantCode(t, add(map[string]string{"k": strings.Repeat("v", 257)}), "ValidationException")
	wantCode(t, add(map[string]string{"": "v"}), "ValidationException")

	good := map[string]string{"a": "a", "ü0 _.": "a", "/=+-@%": "a", "b": "ü0 _./=+-@%", "aws:cdk:path": "x:y", "c": "", "数据": "٣ 三\u00a0x\u3000y",
		strings.Repeat("k", 128): strings.Repeat("v", 256)}
	if err := add(good); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tags")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tag := range out.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if fmt.Sprint(got) != fmt.Sprint(good) {
		t.Fatalf("tags %q, want %q", got, good)
	}
}

func TestSequenceNumberForOrdering(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ord", 1)
	createStream(t, c, "other", 1)
	prev := put(t, c, "ord", "k", "1")
	putOrdered := func(stream, seq string) error {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte("x"),
			SequenceNumberForOrdering: aws.String(seq)})
		return err
	}
	if err := putOrdered("ord", aws.ToString(prev.SequenceNumber)); err != nil {
		t.Fatalf("a sequence number of the stream: %v", err)
	}
	// A number shorter than a sequence number comes before every record,
	// and another stream's sequence number is one too.
	for _, ok := range []string{"0", "12345", aws.ToString(put(t, c, "other", "k", "1").SequenceNumber)} {
		if err := putOrdered("ord", ok); err != nil {
			t.Fatalf("SequenceNumberForOrdering %s: %v", ok, err)
		}
	}
	seq := aws.ToString(prev.SequenceNumber)
	last := seq[len(seq)-1]
	flipped := seq[:len(seq)-1] + string('0'+(last-'0'+1)%10)
	for _, bad := range []string{flipped, "1" + strings.Repeat("0", 55), seq + "0", strings.Repeat("9", 129)} {
		wantError(t, putOrdered("ord", bad), "InvalidArgumentException",
			"ExclusiveMinimumSequenceNumber "+bad+" used in PutRecord on stream ord under account 000000000000 is invalid.")
	}
	for _, bad := range []string{"abc", "12a", "-1", "01", strings.Repeat("9", 130)} {
		wantError(t, putOrdered("ord", bad), "ValidationException", "sequenceNumberForOrdering")
	}
}

func TestShardIDForms(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ids", 3)
	// Shard 1 of 3 holds the middle third of the hash key space.
	const inShard1 = "170141183460469231731687303715884105728"
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ids"), PartitionKey: aws.String("k"), Data: []byte("one"), ExplicitHashKey: aws.String(inShard1)})
	if err != nil || aws.ToString(out.ShardId) != "shardId-000000000001" {
		t.Fatalf("put: %v %v", out, err)
	}
	getIter := func(stream, id string) (string, error) {
		out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ShardIterator), nil
	}
	for _, id := range []string{"shardId-000000000001", "shardId-1", "1", "000001", "anything-1", "-1", "00000000000000000001", "x-0000000000000000000000001"} {
		it, err := getIter("ids", id)
		if err != nil {
			t.Fatalf("shard id %q: %v", id, err)
		}
		recs, _ := drain(t, c, it)
		if len(recs) != 1 || string(recs[0].Data) != "one" {
			t.Fatalf("shard id %q read %d records", id, len(recs))
		}
	}
	_, err = getIter("ids", "shardId-7")
	wantError(t, err, "ResourceNotFoundException", "Shard shardId-000000000007 in stream ids under account 000000000000 does not exist")
	for _, id := range []string{"2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4", "a-b-1", "shardId-"} {
		_, err = getIter("ids", id)
		wantError(t, err, "ResourceNotFoundException", "Could not find shard "+id+" in stream ids under account 000000000000.")
		// An id that names no shard is refused before the stream is looked up.
		_, err = getIter("missing", id)
		wantError(t, err, "ResourceNotFoundException", "Could not find shard "+id+" in stream missing")
	}
	_, err = getIter("missing", "3")
	wantError(t, err, "ResourceNotFoundException", "Shard shardId-000000000003 in stream missing under account 000000000000 does not exist")

	// Resharding actions resolve ids the same way.
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("ids"), ShardToSplit: aws.String("x-2"),
		NewStartingHashKey: aws.String("300000000000000000000000000000000000000")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("ids"), ShardToMerge: aws.String("3"), AdjacentShardToMerge: aws.String("shardId-4")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("ids"), ShardToSplit: aws.String("shardId-9"), NewStartingHashKey: aws.String("1")})
	wantError(t, err, "ResourceNotFoundException", "Could not find shard shardId-000000000009 in stream ids under account 000000000000.")
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("ids"), ShardToMerge: aws.String("2.14E4"), AdjacentShardToMerge: aws.String("1")})
	wantError(t, err, "ResourceNotFoundException", "Could not find shard 2.14E4 in stream ids")

	ls, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("ids"), ExclusiveStartShardId: aws.String("x-4")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Shards) != 1 || aws.ToString(ls.Shards[0].ShardId) != "shardId-000000000005" {
		t.Fatalf("ListShards after x-4: %v", ls.Shards)
	}
	ds, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("ids"), ExclusiveStartShardId: aws.String("4")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.StreamDescription.Shards) != 1 || aws.ToString(ds.StreamDescription.Shards[0].ShardId) != "shardId-000000000005" {
		t.Fatalf("DescribeStream after 4: %v", ds.StreamDescription.Shards)
	}
}

func TestWrongTypeIsSerializationException(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "typed", 1)
	_, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(10)}, rewriteBody(`"Limit":10`, `"Limit":"10"`))
	wantCode(t, err, "SerializationException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t2"), ShardCount: aws.Int32(2)}, rewriteBody(`"ShardCount":2`, `"ShardCount":true`))
	wantCode(t, err, "SerializationException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t3"), ShardCount: aws.Int32(2)}, rewriteBody(`"t3"`, `3`))
	wantCode(t, err, "SerializationException")
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("typed"), Limit: aws.Int32(5)}, rewriteBody(`"Limit":5`, `"Limit":[5]`))
	wantCode(t, err, "SerializationException")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("typed"), PartitionKey: aws.String("MARK"), Data: []byte("x")}, rewriteBody(`"MARK"`, `5`))
	wantCode(t, err, "SerializationException")
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("typed"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("MARK"), Data: []byte("x")}}},
		rewriteBody(`"MARK"`, `{}`))
	wantCode(t, err, "SerializationException")
	// A timestamp is epoch seconds, a JSON number; a string is refused.
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("typed"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp},
		rewriteBody(`"StreamName":"typed"`, `"StreamName":"typed","Timestamp":"1600000000"`))
	wantCode(t, err, "SerializationException")
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("typed"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}},
		rewriteBody(`"Type":"AT_TIMESTAMP"`, `"Type":"AT_TIMESTAMP","Timestamp":true`))
	wantCode(t, err, "SerializationException")
	// The same timestamp as a number is fine.
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("typed"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtTimestamp},
		rewriteBody(`"StreamName":"typed"`, `"StreamName":"typed","Timestamp":1600000000`))
	if err != nil {
		t.Fatal(err)
	}
}

// The shard quota counts open shards across every stream of the account in
// a region, as AWS's does.
func TestShardQuota(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "big", 300)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("more"), ShardCount: aws.Int32(201)})
	wantError(t, err, "LimitExceededException",
		"This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 300. Limit: 500. Number of additional shards that would have resulted from this request: 201.")
	createStream(t, c, "more", 200)
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("more"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
	wantError(t, err, "LimitExceededException", "Current shard count for the account: 500. Limit: 500. Number of additional shards that would have resulted from this request: 1.")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantCode(t, err, "LimitExceededException")
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("more"), TargetShardCount: aws.Int32(250), ScalingType: types.ScalingTypeUniformScaling})
	wantCode(t, err, "LimitExceededException")
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("more"), ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("more"), ShardToSplit: aws.String("shardId-000000000002"), NewStartingHashKey: aws.String("4000000000000000000000000000000000000")}); err != nil {
		t.Fatalf("split after a merge freed a shard: %v", err)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	createStream(t, c, "after", 300)
}
