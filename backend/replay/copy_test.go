package replay

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// openProfileOn opens a profile of the given name on engine e: two of them
// on two engines stand for production and a developer's bundled engine.
func openProfileOn(t testing.TB, e *enginetest.Engine, name string, readOnly bool) *backend.Session {
	t.Helper()
	p := backend.Profile{Name: name, Kind: backend.KindLocal, Region: e.Region, ReadOnly: readOnly}
	s, err := backend.Open(context.Background(), p, backend.Env{
		Local:      func(context.Context) (string, error) { return e.URL, nil },
		HTTPClient: enginetest.HTTPClient(),
	})
	must(t, err)
	return s
}

// bucketState is every object of a bucket with its ETag, _replayed/ and
// manifests included: what "unchanged" is checked against.
func bucketState(t testing.TB, s *backend.Session, bucket string) map[string]string {
	t.Helper()
	state := map[string]string{}
	p := s3.NewListObjectsV2Paginator(s.S3(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		must(t, err)
		for _, o := range out.Contents {
			state[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
	}
	return state
}

// TestCopyToAnotherProfileLandsTheEventsAndLeavesTheSourceUnchanged:
// production's archive (a read-only profile on one engine) copied into
// the queue and the stream of another profile's engine. Every event lands
// with its id and partition key and its exact bytes; production's bucket
// holds afterwards exactly the objects it held before, byte for byte.
func TestCopyToAnotherProfileLandsTheEventsAndLeavesTheSourceUnchanged(t *testing.T) {
	prodEngine, devEngine := enginetest.Start(t), enginetest.Start(t)
	prod := openProfileOn(t, prodEngine, "prod", true)
	dev := openProfileOn(t, devEngine, "dev", false)
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	_, err := prodEngine.S3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)})
	must(t, err)
	events := archiveEvents(t, openProfileOn(t, prodEngine, "prod-writer", false), loc, "orders-to-api", time.Now().Add(-time.Hour), 12)
	before := bucketState(t, prod, loc.Bucket)

	q, err := devEngine.SQS().CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("debug")})
	must(t, err)
	queue, err := backend.ParseTarget("arn:aws:sqs:" + devEngine.Region + ":000000000000:debug")
	must(t, err)
	plan := Plan{Archive: loc, Target: queue, Query: archive.Query{Consumer: "orders-to-api"}}
	var progressed []Result
	sum, err := Bulk(ctxT(t), prod, plan, Options{CopyTo: dev, Progress: func(p Progress) { progressed = append(progressed, p.Last) }})
	must(t, err)
	if sum.Sent != len(events) || sum.Failed != 0 || sum.Skipped != 0 || sum.CopiedTo != "dev" {
		t.Fatalf("summary %+v", sum)
	}
	for _, r := range progressed {
		if r.Status != Accepted || !r.Copied || r.Marked != "" || !r.Done() {
			t.Errorf("result %+v: want accepted, copied, not marked", r)
		}
	}
	for _, m := range receive(t, devEngine.SQS(), aws.ToString(q.QueueUrl), len(events)) {
		ev, ok := events[attr(m, AttrEventID)]
		if !ok {
			t.Fatalf("a message with id %q, not one of the archived events", attr(m, AttrEventID))
		}
		data, _ := ev.Record.Bytes()
		if aws.ToString(m.Body) != string(data) {
			t.Errorf("%s: body %q, want %q", ev.ID, aws.ToString(m.Body), data)
		}
	}

	kc := devEngine.Kinesis()
	_, err = kc.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String("orders-debug"), ShardCount: aws.Int32(1)})
	must(t, err)
	stream, err := backend.ParseTarget("arn:aws:kinesis:" + devEngine.Region + ":000000000000:stream/orders-debug")
	must(t, err)
	plan.Target = stream
	if sum, err := Bulk(ctxT(t), prod, plan, Options{CopyTo: dev}); err != nil || sum.Sent != len(events) {
		t.Fatalf("copy to the stream: %+v %v", sum, err)
	}
	it, err := kc.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String("orders-debug"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	must(t, err)
	recs, err := kc.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	must(t, err)
	want := map[string]int{}
	for _, ev := range events {
		data, _ := ev.Record.Bytes()
		want[ev.Record.PartitionKey+" "+string(data)]++
	}
	got := map[string]int{}
	for _, r := range recs.Records {
		got[aws.ToString(r.PartitionKey)+" "+string(r.Data)]++
	}
	if !maps.Equal(got, want) {
		t.Errorf("the stream holds %v, want %v", got, want)
	}

	if after := bucketState(t, prod, loc.Bucket); !maps.Equal(after, before) {
		t.Errorf("the source archive changed:\nbefore %v\nafter  %v", before, after)
	}
	if n := len(listAll(t, prod, loc, "orders-to-api", true)); n != 0 {
		t.Errorf("%d replayed copies in the source", n)
	}
}

// TestCopyIsRefusedByAReadOnlyDestination: the destination is what a copy
// writes, so its read-only setting refuses it; nothing is sent.
func TestCopyIsRefusedByAReadOnlyDestination(t *testing.T) {
	prodEngine, devEngine := enginetest.Start(t), enginetest.Start(t)
	prod := openProfileOn(t, prodEngine, "prod", false)
	shared := openProfileOn(t, devEngine, "shared", true)
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	_, err := prodEngine.S3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)})
	must(t, err)
	archiveEvents(t, prod, loc, "orders-to-api", time.Now().Add(-time.Hour), 3)
	q, err := devEngine.SQS().CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("debug")})
	must(t, err)
	queue, err := backend.ParseTarget("arn:aws:sqs:" + devEngine.Region + ":000000000000:debug")
	must(t, err)
	_, err = Bulk(ctxT(t), prod, Plan{Archive: loc, Target: queue, Query: archive.Query{Consumer: "orders-to-api"}}, Options{CopyTo: shared})
	if !errors.Is(err, backend.ErrReadOnly) || !bytes.Contains([]byte(err.Error()), []byte("copy to profile shared")) {
		t.Fatalf("copy into a read-only profile: %v", err)
	}
	noMore(t, devEngine.SQS(), aws.ToString(q.QueueUrl))
}
