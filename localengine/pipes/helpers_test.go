package pipes_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestMain(m *testing.M) {
	enginetest.RunChildIfAsked()
	os.Exit(m.Run())
}

const roleArn = "arn:aws:iam::000000000000:role/pipe-role"

// fastRetries keeps retry tests quick: backoff of at most 20 ms.
func fastRetries(o *localengine.Options) {
	o.RetryBase = time.Millisecond
	o.RetryCap = 20 * time.Millisecond
}

type fixture struct {
	t   testing.TB
	e   *enginetest.Engine
	ctx context.Context
	p   *pipes.Client
	k   *kinesis.Client
	q   *sqs.Client
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newFixture(t testing.TB, e *enginetest.Engine) *fixture {
	return &fixture{t: t, e: e, ctx: testCtx(t), p: e.Pipes(), k: e.Kinesis(), q: e.SQS()}
}

func start(t testing.TB, opts ...func(*localengine.Options)) *fixture {
	t.Helper()
	all := []enginetest.Option{enginetest.WithOptions(fastRetries)}
	for _, o := range opts {
		all = append(all, enginetest.WithOptions(o))
	}
	return newFixture(t, enginetest.Start(t, all...))
}

func streamArn(name string) string {
	return "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
}

func queueArn(name string) string { return "arn:aws:sqs:us-east-1:000000000000:" + name }

func (f *fixture) createStream(name string, shards int32) string {
	f.t.Helper()
	_, err := f.k.CreateStream(f.ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
	if err != nil {
		f.t.Fatalf("CreateStream %s: %v", name, err)
	}
	return streamArn(name)
}

func (f *fixture) createQueue(name string, attrs map[string]string) string {
	f.t.Helper()
	out, err := f.q.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		f.t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// put writes records with the given keys, data "<prefix>-<i>", in order,
// and returns their sequence numbers and shards by data.
func (f *fixture) put(stream string, keys []string, prefix string) map[string]putResult {
	f.t.Helper()
	out := map[string]putResult{}
	for start := 0; start < len(keys); start += 500 {
		end := min(start+500, len(keys))
		var entries []ktypes.PutRecordsRequestEntry
		for i := start; i < end; i++ {
			entries = append(entries, ktypes.PutRecordsRequestEntry{
				Data: []byte(fmt.Sprintf("%s-%d", prefix, i)), PartitionKey: aws.String(keys[i])})
		}
		res, err := f.k.PutRecords(f.ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			f.t.Fatalf("PutRecords: %v", err)
		}
		if aws.ToInt32(res.FailedRecordCount) != 0 {
			f.t.Fatalf("PutRecords: %d failed", aws.ToInt32(res.FailedRecordCount))
		}
		for i, r := range res.Records {
			out[string(entries[i].Data)] = putResult{seq: aws.ToString(r.SequenceNumber), shard: aws.ToString(r.ShardId)}
		}
	}
	return out
}

type putResult struct{ seq, shard string }

func keys(n int, distinct int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "key-" + strconv.Itoa(i%distinct)
	}
	return out
}

// createPipe creates a pipe with a Kinesis source and waits until it runs.
func (f *fixture) createPipe(name, source, target string, src *ptypes.PipeSourceKinesisStreamParameters, tp *ptypes.PipeTargetParameters) {
	f.t.Helper()
	if src == nil {
		src = &ptypes.PipeSourceKinesisStreamParameters{}
	}
	if src.StartingPosition == "" {
		src.StartingPosition = ptypes.KinesisStreamStartPositionTrimHorizon
	}
	_, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String(name), RoleArn: aws.String(roleArn), Source: aws.String(source), Target: aws.String(target),
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: src},
		TargetParameters: tp,
	})
	if err != nil {
		f.t.Fatalf("CreatePipe %s: %v", name, err)
	}
	f.waitState(name, ptypes.PipeStateRunning)
}

func (f *fixture) waitState(name string, want ptypes.PipeState) *pipes.DescribePipeOutput {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := f.p.DescribePipe(f.ctx, &pipes.DescribePipeInput{Name: aws.String(name)})
		if err != nil {
			f.t.Fatalf("DescribePipe %s: %v", name, err)
		}
		if out.CurrentState == want {
			return out
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("pipe %s is %s, want %s", name, out.CurrentState, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pipeEvent is the event Pipes hands a target for one Kinesis record.
type pipeEvent struct {
	EventSource                 string  `json:"eventSource"`
	EventVersion                string  `json:"eventVersion"`
	EventID                     string  `json:"eventID"`
	EventName                   string  `json:"eventName"`
	InvokeIdentityArn           string  `json:"invokeIdentityArn"`
	AwsRegion                   string  `json:"awsRegion"`
	EventSourceARN              string  `json:"eventSourceARN"`
	KinesisSchemaVersion        string  `json:"kinesisSchemaVersion"`
	PartitionKey                string  `json:"partitionKey"`
	SequenceNumber              string  `json:"sequenceNumber"`
	Data                        string  `json:"data"`
	ApproximateArrivalTimestamp float64 `json:"approximateArrivalTimestamp"`
}

func (ev pipeEvent) data(t testing.TB) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(ev.Data)
	if err != nil {
		t.Fatalf("event data %q is not base64: %v", ev.Data, err)
	}
	return string(raw)
}

func decodeEvent(t testing.TB, body string) pipeEvent {
	t.Helper()
	var ev pipeEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("event %q: %v", body, err)
	}
	return ev
}

// drain receives and deletes messages until want have arrived (or the
// timeout passes) and returns their bodies in the order received.
func (f *fixture) drain(url string, want int, timeout time.Duration) []string {
	f.t.Helper()
	var bodies []string
	deadline := time.Now().Add(timeout)
	for len(bodies) < want && time.Now().Before(deadline) {
		out, err := f.q.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url),
			MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			f.t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := f.q.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				f.t.Fatalf("DeleteMessage: %v", err)
			}
		}
	}
	return bodies
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

func wantErr[T error](t testing.TB, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T), want %T", err, err, target)
	}
	return target
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func (f *fixture) putOne(stream, key, data string) putResult {
	f.t.Helper()
	out, err := f.k.PutRecord(f.ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream),
		PartitionKey: aws.String(key), Data: []byte(data)})
	if err != nil {
		f.t.Fatalf("PutRecord: %v", err)
	}
	return putResult{seq: aws.ToString(out.SequenceNumber), shard: aws.ToString(out.ShardId)}
}

func bytesReader(s string) *strings.Reader { return strings.NewReader(s) }

// readStream reads every record of a stream's shards, shard by shard, in
// order.
func (f *fixture) readStream(name string) []ktypes.Record {
	f.t.Helper()
	shards, err := f.k.ListShards(f.ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		f.t.Fatalf("ListShards: %v", err)
	}
	var out []ktypes.Record
	for _, sh := range shards.Shards {
		it, err := f.k.GetShardIterator(f.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			f.t.Fatalf("GetShardIterator: %v", err)
		}
		iter := it.ShardIterator
		for iter != nil {
			res, err := f.k.GetRecords(f.ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				f.t.Fatalf("GetRecords: %v", err)
			}
			out = append(out, res.Records...)
			if len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0 {
				break
			}
			iter = res.NextShardIterator
		}
	}
	return out
}

// collect reads the events delivered to a target stream until want of
// them are there or the timeout passes.
func (f *fixture) collect(target string, want int, timeout time.Duration) []pipeEvent {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		recs := f.readStream(target)
		if len(recs) >= want || time.Now().After(deadline) {
			evs := make([]pipeEvent, len(recs))
			for i, r := range recs {
				evs[i] = decodeEvent(f.t, string(r.Data))
			}
			return evs
		}
		time.Sleep(50 * time.Millisecond)
	}
}
