// Package inventorytest builds, on a test engine, the resources of the
// demo pipeline through the public APIs, without running its producer:
// what discovery tests list and resolve.
package inventorytest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// APIURL is where the demo's API destination points; nothing listens
// there, and nothing is sent since no record is written.
const APIURL = "http://127.0.0.1:9/orders"

// Demo is what Setup made.
type Demo struct {
	StreamARN, DLQURL, DLQARN, BusDLQURL, BusDLQARN, DestARN, BusARN, PipeARN string
}

// Setup creates the demo's stream (4 shards), DLQ tagged sluice:archive,
// bus DLQ, bucket, API destination, pipe (with its DLQ and tag) and bus
// rule, as backend/demo does.
func Setup(tb testing.TB, e *enginetest.Engine) Demo {
	tb.Helper()
	ctx := context.Background()
	var d Demo
	must := func(what string, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("demo setup: %s: %v", what, err)
		}
	}
	k := e.Kinesis()
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(demo.StreamName), ShardCount: aws.Int32(4)})
	must("create stream", err)
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(demo.StreamName)})
	must("describe stream", err)
	d.StreamARN = aws.ToString(sum.StreamDescriptionSummary.StreamARN)

	d.DLQURL, d.DLQARN = Queue(tb, e, demo.DLQName, map[string]string{demo.ArchiveTag: demo.ArchiveURL})
	d.BusDLQURL, d.BusDLQARN = Queue(tb, e, demo.BusDLQName, nil)
	_, err = e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demo.BucketName)})
	must("create bucket", err)

	eb := e.EventBridge()
	conn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String(demo.ConnectionName), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
				ApiKeyName: aws.String("X-Api-Key"), ApiKeyValue: aws.String("demo-key"),
			},
		},
	})
	must("create connection", err)
	dest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String(demo.DestName), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(APIURL), HttpMethod: ebtypes.ApiDestinationHttpMethodPost,
	})
	must("create API destination", err)
	d.DestARN = aws.ToString(dest.ApiDestinationArn)

	d.PipeARN = Pipe(tb, e, demo.PipeName, d.StreamARN, d.DestARN, d.DLQARN, map[string]string{demo.ArchiveTag: demo.ArchiveURL})

	bus, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(demo.BusName)})
	must("create bus", err)
	d.BusARN = aws.ToString(bus.EventBusArn)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(demo.RuleName), EventBusName: aws.String(demo.BusName),
		EventPattern: aws.String(`{"detail-type":["OrderCreated"]}`), State: ebtypes.RuleStateEnabled,
	})
	must("put rule", err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String(demo.RuleName), EventBusName: aws.String(demo.BusName),
		Targets: []ebtypes.Target{{
			Id: aws.String("orders-api"), Arn: aws.String(d.DestARN),
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(d.BusDLQARN)},
		}},
	})
	must("put targets", err)
	return d
}

// Queue creates a queue with tags and returns its URL and ARN.
func Queue(tb testing.TB, e *enginetest.Engine, name string, tags map[string]string, attrs ...string) (url, arn string) {
	tb.Helper()
	ctx := context.Background()
	in := &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: tags, Attributes: map[string]string{}}
	for i := 0; i+1 < len(attrs); i += 2 {
		in.Attributes[attrs[i]] = attrs[i+1]
	}
	q, err := e.SQS().CreateQueue(ctx, in)
	if err != nil {
		tb.Fatalf("create queue %s: %v", name, err)
	}
	a, err := e.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		tb.Fatalf("queue %s ARN: %v", name, err)
	}
	return aws.ToString(q.QueueUrl), a.Attributes["QueueArn"]
}

// Pipe creates a running pipe from a Kinesis stream to target, with a DLQ
// (when dlqARN is set) and tags, and returns its ARN.
func Pipe(tb testing.TB, e *enginetest.Engine, name, streamARN, target, dlqARN string, tags map[string]string) string {
	tb.Helper()
	params := &ptypes.PipeSourceKinesisStreamParameters{
		StartingPosition:          ptypes.KinesisStreamStartPositionTrimHorizon,
		BatchSize:                 aws.Int32(10),
		MaximumRetryAttempts:      aws.Int32(3),
		MaximumRecordAgeInSeconds: aws.Int32(600),
		OnPartialBatchItemFailure: ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect,
	}
	if dlqARN != "" {
		params.DeadLetterConfig = &ptypes.DeadLetterConfig{Arn: aws.String(dlqARN)}
	}
	out, err := e.Pipes().CreatePipe(context.Background(), &pipes.CreatePipeInput{
		Name: aws.String(name), RoleArn: aws.String("arn:aws:iam::000000000000:role/sluice-test-pipe"),
		Source: aws.String(streamARN), SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: params},
		Target: aws.String(target), DesiredState: ptypes.RequestedPipeStateRunning, Tags: tags,
	})
	if err != nil {
		tb.Fatalf("create pipe %s: %v", name, err)
	}
	return aws.ToString(out.Arn)
}

// Stream creates a stream of n shards and returns its ARN.
func Stream(tb testing.TB, e *enginetest.Engine, name string, shards int32) string {
	tb.Helper()
	ctx := context.Background()
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		tb.Fatalf("create stream %s: %v", name, err)
	}
	sum, err := e.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		tb.Fatalf("describe stream %s: %v", name, err)
	}
	return aws.ToString(sum.StreamDescriptionSummary.StreamARN)
}
