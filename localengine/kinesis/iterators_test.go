package kinesis_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

const shard0 = "shardId-000000000000"

func putN(t *testing.T, c *kinesis.Client, stream string, from, n int) []string {
	t.Helper()
	var seqs []string
	for i := from; i < from+n; i++ {
		seqs = append(seqs, *put(t, c, stream, "k", fmt.Sprint(i)).SequenceNumber)
	}
	return seqs
}

func datas(recs []types.Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, string(r.Data))
	}
	return fmt.Sprint(s)
}

func TestIteratorTypes(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "it", 1)
	seqs := putN(t, c, "it", 0, 3)
	latest := iter(t, c, "it", shard0, types.ShardIteratorTypeLatest)
	seqs = append(seqs, putN(t, c, "it", 3, 2)...)

	recs, _ := drain(t, c, iter(t, c, "it", shard0, types.ShardIteratorTypeTrimHorizon))
	if got := datas(recs); got != "[0 1 2 3 4]" {
		t.Errorf("TRIM_HORIZON read %s", got)
	}
	recs, _ = drain(t, c, latest)
	if got := datas(recs); got != "[3 4]" {
		t.Errorf("LATEST read %s", got)
	}
	recs, _ = drain(t, c, iter(t, c, "it", shard0, types.ShardIteratorTypeLatest))
	if len(recs) != 0 {
		t.Errorf("a fresh LATEST read %s", datas(recs))
	}
	bySeq := func(typ types.ShardIteratorType, seq string) []types.Record {
		t.Helper()
		out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("it"), ShardId: aws.String(shard0), ShardIteratorType: typ, StartingSequenceNumber: aws.String(seq)})
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := drain(t, c, *out.ShardIterator)
		return recs
	}
	if got := datas(bySeq(types.ShardIteratorTypeAtSequenceNumber, seqs[2])); got != "[2 3 4]" {
		t.Errorf("AT_SEQUENCE_NUMBER read %s", got)
	}
	if got := datas(bySeq(types.ShardIteratorTypeAfterSequenceNumber, seqs[2])); got != "[3 4]" {
		t.Errorf("AFTER_SEQUENCE_NUMBER read %s", got)
	}
	if got := datas(bySeq(types.ShardIteratorTypeAfterSequenceNumber, seqs[4])); got != "[]" {
		t.Errorf("AFTER_SEQUENCE_NUMBER of the last record read %s", got)
	}

	// AT_TIMESTAMP, to the millisecond.
	createStream(t, c, "ts", 1)
	for i := range 5 {
		put(t, c, "ts", "k", fmt.Sprint(i))
		e.Clock.Advance(10 * time.Millisecond)
	}
	all, _ := drain(t, c, iter(t, c, "ts", shard0, types.ShardIteratorTypeTrimHorizon))
	atTime := func(ts time.Time) string {
		t.Helper()
		out, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("ts"), ShardId: aws.String(shard0),
			ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(ts)})
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := drain(t, c, *out.ShardIterator)
		return datas(recs)
	}
	third := *all[3].ApproximateArrivalTimestamp
	if got := atTime(third); got != "[3 4]" {
		t.Errorf("AT_TIMESTAMP of record 3's arrival read %s", got)
	}
	if got := atTime(third.Add(time.Millisecond)); got != "[4]" {
		t.Errorf("AT_TIMESTAMP a millisecond later read %s", got)
	}
	if got := atTime(third.Add(-time.Hour)); got != "[0 1 2 3 4]" {
		t.Errorf("AT_TIMESTAMP an hour earlier read %s", got)
	}
	if got := atTime(e.Clock.Now()); got != "[]" {
		t.Errorf("AT_TIMESTAMP now read %s", got)
	}
	_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("ts"), ShardId: aws.String(shard0),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(e.Clock.Now().Add(time.Hour))})
	wantCode(t, err, "InvalidArgumentException")
}

func TestIteratorErrors(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "ie", 2)
	createStream(t, c, "other", 1)
	seq0 := *put(t, c, "other", "k", "x").SequenceNumber
	var onShard0, onShard1 string
	for i := 0; onShard0 == "" || onShard1 == ""; i++ {
		out := put(t, c, "ie", fmt.Sprint(i), "x")
		if *out.ShardId == shard0 {
			onShard0 = *out.SequenceNumber
		} else {
			onShard1 = *out.SequenceNumber
		}
	}
	get := func(in kinesis.GetShardIteratorInput) error {
		if in.StreamName == nil {
			in.StreamName = aws.String("ie")
		}
		if in.ShardId == nil {
			in.ShardId = aws.String(shard0)
		}
		_, err := c.GetShardIterator(ctx, &in)
		return err
	}
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(onShard1)}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seq0)}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("12345")}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("abc")}), "ValidationException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon, StartingSequenceNumber: aws.String(onShard0)}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp}), "InvalidArgumentException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: "SOMEWHERE"}), "ValidationException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest, ShardId: aws.String("shardId-000000000009")}), "ResourceNotFoundException")
	wantCode(t, get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest, StreamName: aws.String("nope")}), "ResourceNotFoundException")
	if err := get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(onShard0)}); err != nil {
		t.Fatal(err)
	}
	// The short shard id forms AWS accepts.
	for _, id := range []string{"shardId-1", "1"} {
		if err := get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest, ShardId: aws.String(id)}); err != nil {
			t.Errorf("shard id %q: %v", id, err)
		}
	}

	it := iter(t, c, "ie", shard0, types.ShardIteratorTypeTrimHorizon)
	records := func(it string, limit *int32) error {
		_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: limit})
		return err
	}
	wantCode(t, records("AAAAAAAAAAGarbage==", nil), "InvalidArgumentException")
	tampered := []byte(it)
	tampered[20] ^= 1
	wantCode(t, records(string(tampered), nil), "InvalidArgumentException")
	wantCode(t, records(it, aws.Int32(10001)), "ValidationException")
	wantCode(t, records(it, aws.Int32(0)), "ValidationException")
	if err := records(it, aws.Int32(10000)); err != nil {
		t.Fatal(err)
	}
	// The stream's ARN, when given, must be the iterator's stream.
	_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/other")})
	wantCode(t, err, "InvalidArgumentException")

	// An iterator of a stream that was deleted and created again is refused.
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("ie")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, records(it, nil), "ResourceNotFoundException")
	createStream(t, c, "ie", 2)
	wantCode(t, records(it, nil), "ResourceNotFoundException")
}

func TestIteratorExpiry(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "exp", 1)
	putN(t, c, "exp", 0, 2)
	it := iter(t, c, "exp", shard0, types.ShardIteratorTypeTrimHorizon)
	e.Clock.Advance(4 * time.Minute)
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Minute)
	// The first iterator is now 6 minutes old; the one GetRecords handed
	// out is 2 minutes old.
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, err, "ExpiredIteratorException")
	out, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if datas(out.Records) != "[1]" {
		t.Errorf("next iterator read %s", datas(out.Records))
	}
	e.Clock.Advance(6 * time.Minute)
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	wantCode(t, err, "ExpiredIteratorException")
}

func TestMillisBehindLatest(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "mbl", 1)
	putN(t, c, "mbl", 0, 3)
	e.Clock.Advance(10 * time.Second)
	it := iter(t, c, "mbl", shard0, types.ShardIteratorTypeTrimHorizon)
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if behind := aws.ToInt64(out.MillisBehindLatest); behind < 10_000 {
		t.Errorf("behind %d ms with records left, want at least 10000", behind)
	}
	out, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || aws.ToInt64(out.MillisBehindLatest) != 0 || out.NextShardIterator == nil {
		t.Errorf("at the tip: %d records, behind %d", len(out.Records), aws.ToInt64(out.MillisBehindLatest))
	}
	out, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 0 || aws.ToInt64(out.MillisBehindLatest) != 0 || out.NextShardIterator == nil || out.ChildShards != nil {
		t.Errorf("past the tip: %+v", out)
	}
}
