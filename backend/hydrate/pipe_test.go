package hydrate_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"

	"github.com/sluicehq/sluice/backend/hydrate"
)

// failingPipe builds stream → pipe → an HTTP API that answers 500 to
// everything, with the DLQ, puts n records and waits until the pipe has
// given up on them and want DLQ messages are there. It returns the
// stream's ARN, the DLQ's URL and the records.
func (f *fixture) failingPipe(n, want int, bisect bool) (string, string, []ktypes.Record) {
	f.t.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"down"}`, http.StatusInternalServerError)
	}))
	f.t.Cleanup(api.Close)
	arn := f.createStream("orders", 1)
	dlqURL := f.createQueue("orders-dlq")
	f.createBucket(bucket)
	var data [][]byte
	for i := range n {
		data = append(data, datum(i))
	}
	_, recs := f.put("orders", "customer-7", data...)

	eb := f.e.EventBridge()
	conn, err := eb.CreateConnection(f.ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("orders-api"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("k")}},
	})
	if err != nil {
		f.t.Fatalf("CreateConnection: %v", err)
	}
	dest, err := eb.CreateApiDestination(f.ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("orders-api"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(api.URL),
		HttpMethod: ebtypes.ApiDestinationHttpMethodPost, InvocationRateLimitPerSecond: aws.Int32(300),
	})
	if err != nil {
		f.t.Fatalf("CreateApiDestination: %v", err)
	}
	src := &ptypes.PipeSourceKinesisStreamParameters{
		StartingPosition: ptypes.KinesisStreamStartPositionTrimHorizon, BatchSize: aws.Int32(10),
		MaximumRetryAttempts: aws.Int32(1),
		DeadLetterConfig:     &ptypes.DeadLetterConfig{Arn: aws.String(queueARN("orders-dlq"))},
	}
	if bisect {
		src.OnPartialBatchItemFailure = ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect
	}
	if _, err := f.e.Pipes().CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String(pipe), RoleArn: aws.String("arn:aws:iam::" + account + ":role/pipe"),
		Source: aws.String(arn), Target: dest.ApiDestinationArn,
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: src},
	}); err != nil {
		f.t.Fatalf("CreatePipe: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if visible, _ := f.counts(dlqURL); visible >= want {
			return arn, dlqURL, recs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the pipe's failures did not reach the DLQ (want %d messages)", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkArchived asserts that the archive holds exactly recs, byte for byte.
func (f *fixture) checkArchived(arn string, recs []ktypes.Record) {
	f.t.Helper()
	shard := "shardId-000000000000"
	if got, want := f.keys(), sortedKeys(arn, shard, recs); !slices.Equal(got, want) {
		f.t.Fatalf("keys\n got %q\nwant %q", got, want)
	}
	for _, rec := range recs {
		e := f.object(wantKey(arn, shard, rec))
		data, err := e.Record.Bytes()
		if err != nil || !bytes.Equal(data, rec.Data) || e.Failure.Condition != "RetryAttemptsExhausted" {
			f.t.Fatalf("%s: data %q (%v), failure %+v", aws.ToString(rec.SequenceNumber), data, err, e.Failure)
		}
	}
}

// TestHydrateARealPipeFailure: a pipe whose target answers 500 sends its
// batch of 10 to the DLQ; hydrate archives all 10 and deletes the message.
func TestHydrateARealPipeFailure(t *testing.T) {
	f := start(t)
	arn, dlqURL, recs := f.failingPipe(10, 1, false)
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Hydrated != 1 || sum.Events != 10 || sum.Results[0].Failure.Batch.BatchSize != 10 {
		t.Fatalf("summary %+v", sum)
	}
	f.checkArchived(arn, recs)
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ holds %d+%d messages", visible, hidden)
	}
}

// TestHydrateBisectedFailures: with bisection, a batch of 10 that fails
// throughout reaches the DLQ as 10 failures of one record; all are
// archived.
func TestHydrateBisectedFailures(t *testing.T) {
	f := start(t)
	arn, dlqURL, recs := f.failingPipe(10, 10, true)
	sum, err := hydrate.Queue(f.ctx, f.s, dlqURL, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Hydrated != 10 || sum.Events != 10 {
		t.Fatalf("summary %+v", sum)
	}
	for _, r := range sum.Results {
		if r.Failure.Batch.BatchSize != 1 || r.Events != 1 {
			t.Fatalf("result %+v: want a bisected failure of one record", r)
		}
	}
	f.checkArchived(arn, recs)
	if visible, hidden := f.counts(dlqURL); visible+hidden != 0 {
		t.Fatalf("DLQ holds %d+%d messages", visible, hidden)
	}
}
