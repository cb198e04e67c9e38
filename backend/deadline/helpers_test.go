package deadline_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

const pipeARN = "arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api"

// putRecords writes n records under one key and reads them back as the
// stream holds them, with their shard.
func putRecords(t testing.TB, e *enginetest.Engine, stream string, n int) (string, []ktypes.Record) {
	t.Helper()
	ctx := context.Background()
	var first, shard string
	for i := range n {
		out, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"),
			Data: []byte(`{"orderId":"o-` + string(rune('0'+i)) + `"}`)})
		if err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
		if i == 0 {
			first, shard = aws.ToString(out.SequenceNumber), aws.ToString(out.ShardId)
		}
	}
	it, err := e.Kinesis().GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard),
		ShardIteratorType: ktypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(first)})
	if err != nil {
		t.Fatalf("GetShardIterator: %v", err)
	}
	got, err := e.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(int32(n))})
	if err != nil || len(got.Records) != n {
		t.Fatalf("GetRecords: %d records, %v", len(got.Records), err)
	}
	return shard, got.Records
}

// pipesFailure is Pipes' DLQ message for recs, in the captured format of
// the wire reference, its first record said to have arrived at arrival.
func pipesFailure(streamARN, shard string, recs []ktypes.Record, arrival time.Time) string {
	const layout = "2006-01-02T15:04:05.000Z"
	body := map[string]any{
		"context":   map[string]any{"partnerResourceArn": pipeARN, "condition": "RetryAttemptsExhausted"},
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format(layout),
		"KinesisBatchInfo": map[string]any{
			"shardId": shard, "startSequenceNumber": aws.ToString(recs[0].SequenceNumber),
			"endSequenceNumber":               aws.ToString(recs[len(recs)-1].SequenceNumber),
			"approximateArrivalOfFirstRecord": arrival.UTC().Format(layout),
			"approximateArrivalOfLastRecord":  arrival.UTC().Format(layout),
			"batchSize":                       len(recs), "streamArn": streamARN,
		},
	}
	b, _ := json.Marshal(body)
	return string(b)
}

func send(t testing.TB, e *enginetest.Engine, queueURL, body string) string {
	t.Helper()
	out, err := e.SQS().SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	return aws.ToString(out.MessageId)
}
