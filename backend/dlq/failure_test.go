package dlq

import (
	"testing"
	"time"
)

// pipesFailure is the captured Pipes message of the AWS wire reference.
const pipesFailure = `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:123456789012:pipe/orders-to-api",
 "condition":"RetryAttemptsExhausted"},
 "version":"1.0","timestamp":"2023-06-19T15:03:51.498Z",
 "KinesisBatchInfo":{"shardId":"shardId-000000000000",
   "startSequenceNumber":"49590338271490256608559692538361571095921575989136588898",
   "endSequenceNumber":"49590338271490256608559692540925702759324208523137515618",
   "approximateArrivalOfFirstRecord":"2023-06-19T15:03:46.620Z",
   "approximateArrivalOfLastRecord":"2023-06-19T15:03:46.620Z",
   "batchSize":1,
   "streamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/orders"}}`

// lambdaFailure is the documented Lambda event source mapping record.
const lambdaFailure = `{"requestContext":{"requestId":"c9b8fa9f-5a7f-4ad6-8a38-d5a6ab7d5fd6",
  "functionArn":"arn:aws:lambda:us-east-2:123456789012:function:myfunction",
  "condition":"RecordAgeExceeded","approximateInvokeCount":1},
 "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 "version":"1.0","timestamp":"2019-11-14T00:38:06.021Z",
 "KinesisBatchInfo":{"shardId":"shardId-000000000001",
   "startSequenceNumber":"49601189658422359378836298521827638475320189012309704722",
   "endSequenceNumber":"49601189658422359378836298522902373528957594348623495186",
   "approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z",
   "approximateArrivalOfLastRecord":"2019-11-14T00:38:05.580Z",
   "batchSize":500,
   "streamArn":"arn:aws:kinesis:us-east-2:123456789012:stream/mystream"}}`

func TestParsePipesFailure(t *testing.T) {
	f, err := ParseFailure(pipesFailure)
	if err != nil || f == nil {
		t.Fatalf("%v %v", f, err)
	}
	if f.Source != "pipe" || f.Consumer != "orders-to-api" || f.Condition != "RetryAttemptsExhausted" {
		t.Errorf("%+v", f)
	}
	b := f.Batch
	if b.ShardID != "shardId-000000000000" || b.BatchSize != 1 || b.Stream() != "orders" ||
		b.StartSequenceNumber != "49590338271490256608559692538361571095921575989136588898" {
		t.Errorf("%+v", b)
	}
	if !b.FirstArrival.Equal(time.Date(2023, 6, 19, 15, 3, 46, 620e6, time.UTC)) {
		t.Errorf("first arrival %v", b.FirstArrival)
	}
}

func TestParseLambdaFailure(t *testing.T) {
	f, err := ParseFailure(lambdaFailure)
	if err != nil || f == nil {
		t.Fatalf("%v %v", f, err)
	}
	if f.Source != "lambda" || f.Consumer != "myfunction" || f.Condition != "RecordAgeExceeded" ||
		f.FunctionError != "Unhandled" || f.StatusCode != 200 || f.Batch.BatchSize != 500 || f.Batch.Stream() != "mystream" {
		t.Errorf("%+v", f)
	}
}

func TestParsePayloadIsNotAFailure(t *testing.T) {
	for _, body := range []string{`{"orderId":"o-1"}`, `hello`, ``, `[1,2]`, `{"KinesisBatchInfo":null}`} {
		f, err := ParseFailure(body)
		if f != nil || err != nil {
			t.Errorf("%q: %v %v", body, f, err)
		}
	}
}

func TestParseMalformedFailure(t *testing.T) {
	for _, body := range []string{
		`{"KinesisBatchInfo":{"shardId":"s"}}`,
		`{"context":{},"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"1x","endSequenceNumber":"2","streamArn":"a"}}`,
		`{"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"1","endSequenceNumber":"2","streamArn":"a"}}`,
	} {
		if _, err := ParseFailure(body); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func FuzzParseFailure(f *testing.F) {
	f.Add(pipesFailure)
	f.Add(lambdaFailure)
	f.Add(`{"orderId":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		fl, err := ParseFailure(body)
		if err == nil && fl != nil && (fl.Batch.ShardID == "" || !isDecimal(fl.Batch.StartSequenceNumber)) {
			t.Fatalf("accepted an incomplete failure: %+v", fl)
		}
	})
}
