package faultproxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
)

func TestRulesInjectAndPassThrough(t *testing.T) {
	_, eng := backendtest.Open(t)
	p := faultproxy.Start(t, eng.URL)
	ctx := context.Background()
	s := backendtest.OpenOn(t, eng, backend.Env{Endpoint: p.URL})
	if _, err := s.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	deny := p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "DescribeStreamSummary",
		Match: faultproxy.BodyHas("StreamName", "a"), Fault: faultproxy.Denied("kinesis:DescribeStreamSummary", "stream/a")})
	_, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("a")})
	if backend.ErrorCode(err) != "AccessDeniedException" || s.Classify("kinesis", err) != backend.FailDenied {
		t.Fatalf("want AccessDenied, got %v (%s)", err, s.Classify("kinesis", err))
	}
	if deny.Fired() != 1 || p.Count("kinesis", "DescribeStreamSummary") != 1 {
		t.Fatalf("fired %d, seen %d", deny.Fired(), p.Count("kinesis", "DescribeStreamSummary"))
	}
	// Calls the rules do not match reach the engine.
	if _, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	p.Add(&faultproxy.Rule{Service: "sqs", Fault: faultproxy.Throttled()})
	_, err = s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{}, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if s.Classify("sqs", err) != backend.FailThrottled {
		t.Fatalf("want throttled, got %v (%s)", err, s.Classify("sqs", err))
	}
	p.Clear()
	p.Add(&faultproxy.Rule{Service: "sqs", Fault: faultproxy.Silent()})
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = s.SQS().ListQueues(short, &sqs.ListQueuesInput{})
	if !errors.Is(err, context.DeadlineExceeded) || s.Classify("sqs", err) != backend.FailTimedOut {
		t.Fatalf("want a timeout, got %v (%s)", err, s.Classify("sqs", err))
	}
}
