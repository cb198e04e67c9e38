package hydrate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

const (
	account = "000000000000"
	bucket  = "archive"
	pipe    = "orders-to-api"
)

var archiveLoc = backend.ArchiveLocation{Bucket: bucket, Prefix: "failed/"}

// fixture is an engine, a session on it, and the SDK clients a test uses
// to set up and to check, apart from the code under test.
type fixture struct {
	t   testing.TB
	s   *backend.Session
	e   *enginetest.Engine
	ctx context.Context
	k   *kinesis.Client
	q   *sqs.Client
	s3  *s3.Client
}

func start(t testing.TB, opts ...enginetest.Option) *fixture {
	t.Helper()
	opts = append([]enginetest.Option{enginetest.WithOptions(func(o *localengine.Options) {
		o.RetryBase, o.RetryCap = time.Millisecond, 20*time.Millisecond
	})}, opts...)
	s, e := backendtest.Open(t, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &fixture{t: t, s: s, e: e, ctx: ctx, k: e.Kinesis(), q: e.SQS(), s3: e.S3()}
}

func (f *fixture) options() hydrate.Options {
	return hydrate.Options{Archive: archiveLoc}
}

func streamARN(name string) string { return "arn:aws:kinesis:us-east-1:" + account + ":stream/" + name }

func queueARN(name string) string { return "arn:aws:sqs:us-east-1:" + account + ":" + name }

func (f *fixture) createStream(name string, shards int32) string {
	f.t.Helper()
	if _, err := f.k.CreateStream(f.ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		f.t.Fatalf("CreateStream: %v", err)
	}
	return streamARN(name)
}

func (f *fixture) createQueue(name string) string {
	f.t.Helper()
	out, err := f.q.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		f.t.Fatalf("CreateQueue: %v", err)
	}
	return aws.ToString(out.QueueUrl)
}

func (f *fixture) createBucket(name string) {
	f.t.Helper()
	if _, err := f.s3.CreateBucket(f.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		f.t.Fatalf("CreateBucket: %v", err)
	}
}

// put writes records under one partition key, in order, and returns their
// shard and the records as the stream holds them.
func (f *fixture) put(stream, key string, data ...[]byte) (string, []ktypes.Record) {
	f.t.Helper()
	var seqs []string
	var shard string
	for _, d := range data {
		out, err := f.k.PutRecord(f.ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(key), Data: d})
		if err != nil {
			f.t.Fatalf("PutRecord: %v", err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
		shard = aws.ToString(out.ShardId)
	}
	return shard, f.readShard(stream, shard, seqs[0], len(seqs))
}

// readShard reads n records of a shard from seq on.
func (f *fixture) readShard(stream, shard, seq string, n int) []ktypes.Record {
	f.t.Helper()
	it, err := f.k.GetShardIterator(f.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard),
		ShardIteratorType: ktypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seq)})
	if err != nil {
		f.t.Fatalf("GetShardIterator: %v", err)
	}
	out, err := f.k.GetRecords(f.ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(int32(n))})
	if err != nil {
		f.t.Fatalf("GetRecords: %v", err)
	}
	if len(out.Records) != n {
		f.t.Fatalf("GetRecords: %d records, want %d", len(out.Records), n)
	}
	return out.Records
}

// pipesFailure is a Pipes DLQ message for records first..last of a shard,
// in the captured format of the wire reference.
func pipesFailure(streamARN, shard string, recs []ktypes.Record, at time.Time) string {
	return pipesFailureOf(streamARN, shard, recs[0], recs[len(recs)-1], len(recs), at)
}

// pipesFailureOf is the Pipes DLQ message of a batch of n records from
// first to last.
func pipesFailureOf(streamARN, shard string, first, last ktypes.Record, n int, at time.Time) string {
	body := map[string]any{
		"context":   map[string]any{"partnerResourceArn": "arn:aws:pipes:us-east-1:" + account + ":pipe/" + pipe, "condition": "RetryAttemptsExhausted"},
		"version":   "1.0",
		"timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"),
		"KinesisBatchInfo": map[string]any{
			"shardId": shard, "startSequenceNumber": aws.ToString(first.SequenceNumber), "endSequenceNumber": aws.ToString(last.SequenceNumber),
			"approximateArrivalOfFirstRecord": aws.ToTime(first.ApproximateArrivalTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
			"approximateArrivalOfLastRecord":  aws.ToTime(last.ApproximateArrivalTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
			"batchSize":                       n, "streamArn": streamARN,
		},
	}
	b, _ := json.Marshal(body)
	return string(b)
}

func (f *fixture) send(queueURL, body string) string {
	f.t.Helper()
	out, err := f.q.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)})
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return aws.ToString(out.MessageId)
}

// counts is the queue's visible and hidden messages.
func (f *fixture) counts(queueURL string) (visible, hidden int) {
	f.t.Helper()
	out, err := f.q.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		f.t.Fatalf("GetQueueAttributes: %v", err)
	}
	visible, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	hidden, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible, hidden
}

// receiveAll takes every visible message (and leaves them hidden).
func (f *fixture) receiveAll(queueURL string) []hydrate.Received {
	f.t.Helper()
	var msgs []hydrate.Received
	for {
		out, err := f.q.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 300,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}})
		if err != nil {
			f.t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 0 {
			return msgs
		}
		for _, m := range out.Messages {
			n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			msgs = append(msgs, hydrate.Received{QueueURL: queueURL, ID: aws.ToString(m.MessageId),
				ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body), ReceiveCount: n})
		}
	}
}

// keys lists every object of the bucket, paging fully.
func (f *fixture) keys() []string {
	f.t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(f.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		out, err := p.NextPage(f.ctx)
		if err != nil {
			f.t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

// object reads and decodes one archived event through the S3 client.
func (f *fixture) object(key string) archive.Event {
	f.t.Helper()
	out, err := f.s3.GetObject(f.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		f.t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	e, err := archive.Unmarshal(body)
	if err != nil {
		f.t.Fatalf("%s: %v", key, err)
	}
	return e
}

// wantKey is the key the archive must hold for rec.
func wantKey(streamARN, shard string, rec ktypes.Record) string {
	seq := aws.ToString(rec.SequenceNumber)
	return archive.Key(archiveLoc.Prefix, archive.KeyParts{Consumer: pipe, Arrival: aws.ToTime(rec.ApproximateArrivalTimestamp),
		PartitionKey: aws.ToString(rec.PartitionKey), ID: archive.EventID(streamARN, shard, seq)})
}

func sortedKeys(streamARN, shard string, recs []ktypes.Record) []string {
	var keys []string
	for _, r := range recs {
		keys = append(keys, wantKey(streamARN, shard, r))
	}
	sort.Strings(keys)
	return keys
}

func datum(i int) []byte { return []byte(fmt.Sprintf(`{"orderId":"o-%d"}`, i)) }

func (f *fixture) deleteMessage(m hydrate.Received) {
	f.t.Helper()
	if _, err := f.q.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(m.QueueURL), ReceiptHandle: aws.String(m.ReceiptHandle)}); err != nil {
		f.t.Fatalf("DeleteMessage: %v", err)
	}
}
