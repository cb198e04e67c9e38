package kinesis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func start(t testing.TB, opts ...enginetest.Option) (*enginetest.Engine, *kinesis.Client) {
	t.Helper()
	e := enginetest.Start(t, opts...)
	return e, e.Kinesis()
}

// restartable is an engine on a data directory the test keeps, so that
// the test can shut it down and start another on the same directory.
type restartable struct {
	dir string
	e   *enginetest.Engine
}

func newRestartable(t testing.TB) *restartable {
	r := &restartable{dir: t.TempDir()}
	r.start(t)
	return r
}

func (r *restartable) start(t testing.TB) {
	t.Helper()
	r.e = enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = r.dir }))
}

func (r *restartable) stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.e.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func (r *restartable) client() *kinesis.Client {
	return r.e.Kinesis()
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func createStream(t testing.TB, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	_, err := c.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
	if err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
}

// errCode is the error code of an API error, "" for success.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func put(t testing.TB, c *kinesis.Client, stream, pk, data string) *kinesis.PutRecordOutput {
	t.Helper()
	out, err := c.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(pk), Data: []byte(data)})
	if err != nil {
		t.Fatalf("put record: %v", err)
	}
	return out
}

func iter(t testing.TB, c *kinesis.Client, stream, shard string, typ types.ShardIteratorType) string {
	t.Helper()
	out, err := c.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: typ})
	if err != nil {
		t.Fatalf("get shard iterator: %v", err)
	}
	return aws.ToString(out.ShardIterator)
}

// drain reads a shard from it until the tip (or the end of a closed shard)
// and returns the records and the last answer.
func drain(t testing.TB, c *kinesis.Client, it string) ([]types.Record, *kinesis.GetRecordsOutput) {
	t.Helper()
	var recs []types.Record
	for range 1000 {
		out, err := c.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
		if err != nil {
			t.Fatalf("get records: %v", err)
		}
		recs = append(recs, out.Records...)
		if out.NextShardIterator == nil || (len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0) {
			return recs, out
		}
		it = *out.NextShardIterator
	}
	t.Fatal("shard never drained")
	return nil, nil
}

func shardIDs(t testing.TB, c *kinesis.Client, stream string) []string {
	t.Helper()
	out, err := c.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("list shards: %v", err)
	}
	var ids []string
	for _, s := range out.Shards {
		ids = append(ids, aws.ToString(s.ShardId))
	}
	return ids
}
