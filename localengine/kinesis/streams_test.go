package kinesis_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestCreateDescribeStream(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	before := time.Now().Add(-time.Second)
	createStream(t, c, "orders", 4)

	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if aws.ToString(sd.StreamARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/orders" {
		t.Errorf("ARN = %s", aws.ToString(sd.StreamARN))
	}
	if sd.StreamStatus != types.StreamStatusActive || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Errorf("status %s mode %s", sd.StreamStatus, sd.StreamModeDetails.StreamMode)
	}
	if aws.ToInt32(sd.RetentionPeriodHours) != 24 || sd.EncryptionType != types.EncryptionTypeNone || aws.ToBool(sd.HasMoreShards) {
		t.Errorf("retention %d encryption %s more %v", aws.ToInt32(sd.RetentionPeriodHours), sd.EncryptionType, aws.ToBool(sd.HasMoreShards))
	}
	if sd.StreamCreationTimestamp.Before(before) || sd.StreamCreationTimestamp.After(time.Now().Add(time.Second)) {
		t.Errorf("creation time %v", sd.StreamCreationTimestamp)
	}
	if sd.EnhancedMonitoring == nil {
		t.Error("EnhancedMonitoring missing")
	}
	want := [][2]string{
		{"0", "85070591730234615865843651857942052863"},
		{"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
		{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"},
		{"255211775190703847597530955573826158592", "340282366920938463463374607431768211455"},
	}
	if len(sd.Shards) != 4 {
		t.Fatalf("%d shards", len(sd.Shards))
	}
	for i, sh := range sd.Shards {
		if id := aws.ToString(sh.ShardId); id != fmt.Sprintf("shardId-%012d", i) {
			t.Errorf("shard %d id %s", i, id)
		}
		if r := [2]string{*sh.HashKeyRange.StartingHashKey, *sh.HashKeyRange.EndingHashKey}; r != want[i] {
			t.Errorf("shard %d range %v, want %v", i, r, want[i])
		}
		if sh.ParentShardId != nil || sh.SequenceNumberRange.EndingSequenceNumber != nil {
			t.Errorf("shard %d has a parent or an end", i)
		}
		if n := aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber); len(n) != 56 {
			t.Errorf("starting sequence number %q", n)
		}
	}

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	ss := sum.StreamDescriptionSummary
	if aws.ToInt32(ss.OpenShardCount) != 4 || aws.ToInt32(ss.ConsumerCount) != 0 || aws.ToString(ss.StreamName) != "orders" ||
		ss.StreamStatus != types.StreamStatusActive || aws.ToInt32(ss.RetentionPeriodHours) != 24 {
		t.Errorf("summary %+v", ss)
	}

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	wantCode(t, err, "ResourceInUseException")
}

func TestCreateStreamModes(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	if err != nil {
		t.Fatal(err)
	}
	if sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount) != 4 {
		t.Errorf("on-demand stream: %+v", sum.StreamDescriptionSummary)
	}
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("both"), ShardCount: aws.Int32(2),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("none"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("badmode"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: "SOMETIMES"}})
	wantCode(t, err, "ValidationException")
}

func TestCreateStreamValidation(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	for _, name := range []string{"bad name", "slash/name", strings.Repeat("x", 129), "ünïcode"} {
		_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
		wantCode(t, err, "ValidationException")
	}
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(""), ShardCount: aws.Int32(1)})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("zero"), ShardCount: aws.Int32(0)})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("huge"), ShardCount: aws.Int32(5000)})
	wantCode(t, err, "LimitExceededException")
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{})
	wantCode(t, err, "InvalidArgumentException")
	createStream(t, c, "ok.name_with-chars", 1)
}

func TestDeleteStream(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "gone", 2)
	put(t, c, "gone", "k", "v")
	_, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("gone"), EnforceConsumerDeletion: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("gone")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("gone")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("gone"), PartitionKey: aws.String("k"), Data: []byte("v")})
	wantCode(t, err, "ResourceNotFoundException")

	// A stream created again under the same name starts empty.
	createStream(t, c, "gone", 2)
	for _, id := range shardIDs(t, c, "gone") {
		recs, _ := drain(t, c, iter(t, c, "gone", id, types.ShardIteratorTypeTrimHorizon))
		if len(recs) != 0 {
			t.Errorf("recreated stream has %d old records", len(recs))
		}
	}
	_ = e
}

func TestListStreams(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	names := []string{"a1", "a2", "b1", "b2", "c1"}
	for _, n := range names {
		createStream(t, c, n, 1)
	}
	all, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(all.StreamNames, ",") != strings.Join(names, ",") || aws.ToBool(all.HasMoreStreams) {
		t.Fatalf("names %v more %v", all.StreamNames, aws.ToBool(all.HasMoreStreams))
	}
	if len(all.StreamSummaries) != 5 || aws.ToString(all.StreamSummaries[2].StreamARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/b1" ||
		all.StreamSummaries[2].StreamStatus != types.StreamStatusActive || all.StreamSummaries[2].StreamModeDetails.StreamMode != types.StreamModeProvisioned ||
		all.StreamSummaries[2].StreamCreationTimestamp == nil {
		t.Errorf("summaries %+v", all.StreamSummaries)
	}

	page, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(2), ExclusiveStartStreamName: aws.String("a2")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(page.StreamNames, ",") != "b1,b2" || !aws.ToBool(page.HasMoreStreams) || page.NextToken == nil {
		t.Fatalf("page %v more %v", page.StreamNames, aws.ToBool(page.HasMoreStreams))
	}

	var got []string
	p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.StreamNames...)
		pages++
	}
	if strings.Join(got, ",") != strings.Join(names, ",") || pages != 3 {
		t.Errorf("paginated %v in %d pages", got, pages)
	}

	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(0)})
	wantCode(t, err, "ValidationException")

	// Streams belong to their region.
	other := kinesis.NewFromConfig(aws.Config{Region: "eu-west-1", Credentials: c.Options().Credentials, BaseEndpoint: c.Options().BaseEndpoint, RetryMaxAttempts: 1})
	out, err := other.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.StreamNames) != 0 {
		t.Errorf("eu-west-1 sees %v", out.StreamNames)
	}
}

func TestDescribeStreamPagination(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "many", 7)
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("many"), Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.StreamDescription.Shards) != 3 || !aws.ToBool(d.StreamDescription.HasMoreShards) {
		t.Fatalf("first page: %d shards, more %v", len(d.StreamDescription.Shards), aws.ToBool(d.StreamDescription.HasMoreShards))
	}
	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("many"), Limit: aws.Int32(3), ExclusiveStartShardId: aws.String("shardId-000000000004")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.StreamDescription.Shards) != 2 || aws.ToBool(d.StreamDescription.HasMoreShards) || *d.StreamDescription.Shards[0].ShardId != "shardId-000000000005" {
		t.Fatalf("last page: %+v", d.StreamDescription.Shards)
	}
	var ids []string
	p := kinesis.NewDescribeStreamPaginator(c, &kinesis.DescribeStreamInput{StreamName: aws.String("many"), Limit: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range out.StreamDescription.Shards {
			ids = append(ids, *sh.ShardId)
		}
	}
	if len(ids) != 7 || ids[6] != "shardId-000000000006" {
		t.Errorf("paginated shards %v", ids)
	}
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("many"), Limit: aws.Int32(10001)})
	wantCode(t, err, "ValidationException")
}

func TestRetentionPeriod(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "r", 1)
	retention := func() int32 {
		d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(d.StreamDescriptionSummary.RetentionPeriodHours)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(168)}); err != nil {
		t.Fatal(err)
	}
	if got := retention(); got != 168 {
		t.Fatalf("retention %d", got)
	}
	_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(48)})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(200)})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(12)})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(8761)})
	wantCode(t, err, "ValidationException")
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	if got := retention(); got != 24 {
		t.Fatalf("retention %d", got)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("r"), RetentionPeriodHours: aws.Int32(8760)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("nope"), RetentionPeriodHours: aws.Int32(48)})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestStreamARNInPlaceOfName(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	createStream(t, c, "byarn", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/byarn")
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.StreamDescriptionSummary.StreamName) != "byarn" {
		t.Fatalf("described %s", aws.ToString(d.StreamDescriptionSummary.StreamName))
	}
	p, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: arn, PartitionKey: aws.String("k"), Data: []byte("by arn")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: arn, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("2")}}}); err != nil {
		t.Fatal(err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamARN: arn, ShardId: p.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{StreamARN: arn, ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || string(out.Records[0].Data) != "by arn" {
		t.Fatalf("records %+v", out.Records)
	}
	if _, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: arn, Tags: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamARN: arn, RetentionPeriodHours: aws.Int32(25)}); err != nil {
		t.Fatal(err)
	}
	// Name and ARN together must agree.
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn, StreamName: aws.String("other")})
	wantCode(t, err, "InvalidArgumentException")
	// Another region's ARN, another account's, a malformed one.
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/byarn")})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/byarn")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:sqs:us-east-1:000000000000:byarn")})
	wantCode(t, err, "ValidationException")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/missing")})
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: arn}); err != nil {
		t.Fatal(err)
	}
}
