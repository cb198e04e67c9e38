package trace_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/trace"
)

func TestFindFollowsAnEventFromStreamToReplay(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := t.Context()
	k := e.Kinesis()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	put, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("c-42"), Data: []byte(`{"order":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(desc.StreamDescriptionSummary.StreamARN)
	shard, seq := aws.ToString(put.ShardId), aws.ToString(put.SequenceNumber)

	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":"2026-11-27T10:00:00Z","KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":"2026-11-27T09:59:59Z","approximateArrivalOfLastRecord":"2026-11-27T09:59:59Z","batchSize":1,"streamArn":%q}}`,
		shard, seq, seq, streamARN)
	if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-archive")}); err != nil {
		t.Fatal(err)
	}
	loc := backend.ArchiveLocation{Bucket: "orders-archive", Prefix: "failed/"}
	p := backend.Pipeline{Consumer: "orders-to-api", Stream: "orders", StreamARN: streamARN, DLQ: "orders-dlq", DLQURL: aws.ToString(q.QueueUrl), Archive: loc}

	// A trace on its own receives nothing: the DLQ was not browsed, so
	// it is named, with what browsing would cost, and not looked in.
	got, err := trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq})
	if err != nil {
		t.Fatal(err)
	}
	if got.Record == nil || got.Record.PartitionKey != "c-42" || string(got.Record.Data) != `{"order":1}` {
		t.Fatalf("record %+v (%s)", got.Record, got.StreamNote)
	}
	if n := receives(s); n != 0 {
		t.Fatalf("a trace made %d ReceiveMessage calls without being asked to browse", n)
	}
	if u := got.Unbrowsed(); len(u) != 1 || u[0] != "orders-dlq" || len(got.DLQ) != 0 || !strings.Contains(got.DLQNote, "receive count") {
		t.Fatalf("unbrowsed %v, hits %+v, note %q", u, got.DLQ, got.DLQNote)
	}

	// Asked, it browses the DLQ, once: the next trace uses that browse.
	for i, browse := range []bool{true, false} {
		got, err = trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq, Browse: browse})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.DLQ) != 1 || got.DLQ[0].Condition != "RetryAttemptsExhausted" || got.DLQ[0].Consumer != "orders-to-api" {
			t.Fatalf("trace %d: dlq %+v", i, got.DLQ)
		}
		if len(got.DLQs) != 1 || got.DLQs[0].Unbrowsed || got.DLQs[0].BrowsedAt.IsZero() || got.DLQs[0].BrowsedNow != browse {
			t.Fatalf("trace %d: searches %+v", i, got.DLQs)
		}
	}
	if n := receives(s); n == 0 {
		t.Fatal("the asked-for browse received nothing")
	}
	before := receives(s)
	if len(got.Archived) != 0 {
		t.Fatalf("archived before hydrate: %+v", got.Archived)
	}

	ev := archive.Event{ID: got.EventID, Consumer: "orders-to-api", HydratedAt: time.Now().UTC(),
		Record:  archive.Record{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq, PartitionKey: "c-42", ArrivalTime: got.Record.Arrival},
		Failure: archive.Failure{Condition: "RetryAttemptsExhausted", DLQ: "orders-dlq"}}
	ev.Record.SetData(got.Record.Data)
	key, err := archive.Put(ctx, s, loc, ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err = trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq})
	if err != nil || len(got.Archived) != 1 || got.Archived[0].Key != key || got.Archived[0].Replayed {
		t.Fatalf("archived %+v %v", got.Archived, err)
	}
	// A failed attempt is part of the event's trace, waiting and replayed.
	failed := archive.Attempt{ID: got.EventID, Key: key, At: time.Now().UTC().Truncate(time.Millisecond), Target: "https://api", Status: "failed", Code: "503", Tries: 4}
	if _, err := archive.WriteAttempts(ctx, s, loc, []archive.Attempt{failed}, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err = trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq})
	if err != nil || len(got.Archived) != 1 || len(got.Archived[0].Attempts) != 1 || got.Archived[0].Attempts[0].Answer() != "failed 503" {
		t.Fatalf("attempts of the waiting event %+v %v", got.Archived, err)
	}
	if _, err := archive.MarkReplayed(ctx, s, loc, key, archive.Replay{At: time.Now().UTC(), Target: "https://api", Result: "accepted"}); err != nil {
		t.Fatal(err)
	}
	got, err = trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq})
	if err != nil || len(got.Archived) != 1 || !got.Archived[0].Replayed || got.Archived[0].Replay == nil || got.Archived[0].Replay.Result != "accepted" {
		t.Fatalf("replayed %+v %v", got.Archived, err)
	}
	if len(got.Archived[0].Attempts) != 1 {
		t.Errorf("the replayed copy's trace lost the failed attempt: %+v", got.Archived[0])
	}

	// The same event marked the way a bulk replay marks it, in a batch
	// manifest instead of a copy, traces the same.
	if err := archive.Delete(ctx, s, loc, got.Archived[0].Key); err != nil {
		t.Fatal(err)
	}
	if _, err := archive.Put(ctx, s, loc, ev); err != nil {
		t.Fatal(err)
	}
	accepted := archive.Attempt{ID: ev.ID, Key: key, At: time.Now().UTC().Truncate(time.Millisecond), Target: "https://api", Status: "accepted", Code: "200", Tries: 1, Event: &ev}
	if _, err := archive.WriteManifests(ctx, s, loc, []archive.Attempt{accepted}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := archive.Delete(ctx, s, loc, key); err != nil {
		t.Fatal(err)
	}
	got, err = trace.Find(ctx, s, []backend.Pipeline{p}, trace.Request{StreamARN: streamARN, ShardID: shard, SequenceNumber: seq})
	if err != nil || len(got.Archived) != 1 || !got.Archived[0].Replayed || got.Archived[0].Replay == nil || got.Archived[0].Replay.Code != "200" {
		t.Fatalf("marked in a manifest %+v %v", got.Archived, err)
	}
	if a := got.Archived[0].Attempts; len(a) != 2 || a[1].Status != "accepted" {
		t.Errorf("the manifest-marked event's trace: attempts %+v", a)
	}
	if n := receives(s) - before; n != 0 {
		t.Fatalf("traces after the browse made %d ReceiveMessage calls", n)
	}
}

// receives counts the session's ReceiveMessage calls.
func receives(s *backend.Session) int {
	n := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ReceiveMessage" {
			n++
		}
	}
	return n
}

func TestFindNeedsCoordinatesAndSaysWhenNoPipelineReadsTheStream(t *testing.T) {
	s, e := backendtest.Open(t)
	if _, err := trace.Find(t.Context(), s, nil, trace.Request{}); err == nil {
		t.Fatal("no error without coordinates")
	}
	if _, err := e.Kinesis().CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	got, err := trace.Find(t.Context(), s, nil, trace.Request{StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", ShardID: "shardId-000000000000", SequenceNumber: "1"})
	if err != nil || got.Record != nil || len(got.Notes) != 1 || got.StreamNote == "" {
		t.Fatalf("%+v %v", got, err)
	}
}
