package kinesis_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shardFor finds, as a client would, the shard whose range holds key.
func shardFor(t *testing.T, shards []types.Shard, key *big.Int) string {
	t.Helper()
	for _, sh := range shards {
		lo, _ := new(big.Int).SetString(*sh.HashKeyRange.StartingHashKey, 10)
		hi, _ := new(big.Int).SetString(*sh.HashKeyRange.EndingHashKey, 10)
		if key.Cmp(lo) >= 0 && key.Cmp(hi) <= 0 && sh.SequenceNumberRange.EndingSequenceNumber == nil {
			return *sh.ShardId
		}
	}
	t.Fatalf("no shard holds %s", key)
	return ""
}

func md5Key(pk string) *big.Int {
	sum := md5.Sum([]byte(pk))
	return new(big.Int).SetBytes(sum[:])
}

func TestRoutingByPartitionKey(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "route", 4)
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("route")})
	if err != nil {
		t.Fatal(err)
	}
	shards := d.StreamDescription.Shards
	seen := map[string]bool{}
	for i := range 64 {
		pk := fmt.Sprintf("customer-%d", i)
		out := put(t, c, "route", pk, "x")
		if want := shardFor(t, shards, md5Key(pk)); *out.ShardId != want {
			t.Fatalf("key %s went to %s, MD5 says %s", pk, *out.ShardId, want)
		}
		seen[*out.ShardId] = true
	}
	if len(seen) != 4 {
		t.Errorf("64 keys used only %d shards", len(seen))
	}

	// PutRecords routes the same way.
	var entries []types.PutRecordsRequestEntry
	for i := range 40 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("pk-%d", i)), Data: []byte{byte(i)}})
	}
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("route"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(pr.FailedRecordCount) != 0 || len(pr.Records) != 40 {
		t.Fatalf("failed %d, %d results", aws.ToInt32(pr.FailedRecordCount), len(pr.Records))
	}
	for i, r := range pr.Records {
		if want := shardFor(t, shards, md5Key(*entries[i].PartitionKey)); *r.ShardId != want {
			t.Fatalf("entry %d went to %s, MD5 says %s", i, *r.ShardId, want)
		}
	}
}

func TestExplicitHashKey(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ehk", 4)
	cases := map[string]string{
		"0":                                       "shardId-000000000000",
		"85070591730234615865843651857942052863":  "shardId-000000000000",
		"85070591730234615865843651857942052864":  "shardId-000000000001",
		"340282366920938463463374607431768211455": "shardId-000000000003",
	}
	for key, want := range cases {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ehk"), PartitionKey: aws.String("ignored"), ExplicitHashKey: aws.String(key), Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ShardId != want {
			t.Errorf("hash key %s went to %s, want %s", key, *out.ShardId, want)
		}
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ehk"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")})
	wantCode(t, err, "InvalidArgumentException")
	for _, bad := range []string{"-1", "abc", "01", ""} {
		_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ehk"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(bad), Data: []byte("x")})
		wantCode(t, err, "ValidationException")
	}
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("ehk"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("255211775190703847597530955573826158592"), Data: []byte("x")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *pr.Records[0].ShardId != "shardId-000000000003" {
		t.Errorf("PutRecords explicit hash key went to %s", *pr.Records[0].ShardId)
	}
}

func TestSequenceNumbersIncrease(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "seq", 2)
	prev := new(big.Int)
	var shard string
	for i := range 30 {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("seq"), PartitionKey: aws.String("same"), Data: []byte("x"),
			SequenceNumberForOrdering: aws.String(prev.String())})
		if err != nil {
			t.Fatal(err)
		}
		if len(*out.SequenceNumber) != 56 {
			t.Fatalf("sequence number %q is not 56 digits", *out.SequenceNumber)
		}
		n, ok := new(big.Int).SetString(*out.SequenceNumber, 10)
		if !ok || n.Cmp(prev) <= 0 {
			t.Fatalf("record %d: %s does not follow %s", i, *out.SequenceNumber, prev)
		}
		prev = n
		shard = *out.ShardId
	}
	var entries []types.PutRecordsRequestEntry
	for range 20 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("same"), Data: []byte("y")})
	}
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("seq"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pr.Records {
		n, _ := new(big.Int).SetString(*r.SequenceNumber, 10)
		if n.Cmp(prev) <= 0 || *r.ShardId != shard {
			t.Fatalf("batch entry %s on %s does not follow %s", *r.SequenceNumber, *r.ShardId, prev)
		}
		prev = n
	}
	// The shard's starting number precedes its first record.
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("seq")})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := drain(t, c, iter(t, c, "seq", shard, types.ShardIteratorTypeTrimHorizon))
	for _, sh := range d.StreamDescription.Shards {
		if *sh.ShardId == shard {
			start, _ := new(big.Int).SetString(*sh.SequenceNumberRange.StartingSequenceNumber, 10)
			first, _ := new(big.Int).SetString(*recs[0].SequenceNumber, 10)
			if start.Cmp(first) >= 0 {
				t.Errorf("starting sequence number %s is not below the first record's %s", start, first)
			}
		}
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("seq"), PartitionKey: aws.String("k"), Data: []byte("x"), SequenceNumberForOrdering: aws.String("x1")})
	wantCode(t, err, "ValidationException")
}

func TestDataRoundTrip(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "data", 1)
	binary := make([]byte, 1000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	keys := []string{"plain", `quote"back\slash`, "tab\tnew\nline\x01", "ünïcödé ключ 鍵 🔑", strings.Repeat("é", 256)}
	var entries []types.PutRecordsRequestEntry
	for i, k := range keys {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(k), Data: append([]byte{byte(i)}, binary[:i*100]...)})
	}
	entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("empty"), Data: []byte{}})
	if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("data"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	recs, _ := drain(t, c, iter(t, c, "data", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon))
	if len(recs) != len(entries) {
		t.Fatalf("read %d records, wrote %d", len(recs), len(entries))
	}
	for i, r := range recs {
		if *r.PartitionKey != *entries[i].PartitionKey || !bytes.Equal(r.Data, entries[i].Data) {
			t.Errorf("record %d: key %q data %x, want %q %x", i, *r.PartitionKey, r.Data, *entries[i].PartitionKey, entries[i].Data)
		}
		if r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.IsZero() {
			t.Errorf("record %d has no arrival time", i)
		}
	}
}

func TestPutValidation(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "v", 1)
	const mib = 1 << 20

	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("v"), PartitionKey: aws.String("k"), Data: make([]byte, mib+1)})
	wantCode(t, err, "ValidationException")
	// The limit counts the partition key too.
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("v"), PartitionKey: aws.String("k"), Data: make([]byte, mib)})
	wantCode(t, err, "ValidationException")
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("v"), PartitionKey: aws.String("k"), Data: make([]byte, mib-1)}); err != nil {
		t.Fatalf("a record of exactly 1 MiB: %v", err)
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("v"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("fine")}, {PartitionKey: aws.String("k"), Data: make([]byte, mib+5)},
	}})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("v"), PartitionKey: aws.String(strings.Repeat("k", 257)), Data: []byte("x")})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("v"), PartitionKey: aws.String(""), Data: []byte("x")})
	wantCode(t, err, "ValidationException")

	entries := make([]types.PutRecordsRequestEntry, 501)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("v"), Records: entries})
	wantCode(t, err, "ValidationException")
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("v"), Records: entries[:500]})
	if err != nil || len(pr.Records) != 500 {
		t.Fatalf("500 entries: %v", err)
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("v"), Records: []types.PutRecordsRequestEntry{}})
	wantCode(t, err, "ValidationException")
	// Eleven records of 1 MiB less their key are over the request's limit.
	big := make([]types.PutRecordsRequestEntry, 11)
	for i := range big {
		big[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: make([]byte, mib-1)}
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("v"), Records: big})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("nope"), Records: entries[:1]})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bad name"), Records: entries[:1]})
	wantCode(t, err, "ValidationException")
}
