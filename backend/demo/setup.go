package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
)

// Names of the demo's resources.
const (
	StreamName     = "orders"
	DLQName        = "orders-dlq"
	BusDLQName     = "orders-bus-dlq"
	BucketName     = "orders-archive"
	PipeName       = "orders-to-api"
	BusName        = "orders-bus"
	RuleName       = "order-created"
	ConnectionName = "orders-api"
	DestName       = "orders-api"
	// ArchiveTag names where a pipeline's failed events are archived.
	ArchiveTag = "sluice:archive"
)

// ArchiveURL is the archive location the demo tags its DLQ and pipe with:
// the root of a bucket of its own. Event keys start with the consumer
// (<consumer>/YYYY/MM/DD/HH/…), so a prefix naming the consumer would
// read orders-to-api/orders-to-api/….
const ArchiveURL = "s3://" + BucketName

// clients are the SDK clients the demo sets up and produces with.
type clients struct {
	kinesis     *kinesis.Client
	sqs         *sqs.Client
	s3          *s3.Client
	pipes       *pipes.Client
	eventbridge *eventbridge.Client
}

func newClients(cfg aws.Config) clients {
	return clients{
		kinesis:     kinesis.NewFromConfig(cfg),
		sqs:         sqs.NewFromConfig(cfg),
		s3:          s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		pipes:       pipes.NewFromConfig(cfg),
		eventbridge: eventbridge.NewFromConfig(cfg),
	}
}

// resources are the ARNs and URLs the setup made or found.
type resources struct {
	streamARN, dlqURL, dlqARN, busDLQARN, destARN, busARN string
}

// setUp creates the scenario, or brings an existing one up to date (a demo
// run again on the same data directory), through the public AWS APIs only.
func setUp(ctx context.Context, c clients, region, apiURL string) (resources, error) {
	var res resources
	if _, err := c.kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{
		StreamName: aws.String(StreamName), ShardCount: aws.Int32(4),
	}); err != nil && !backend.IsCode(err, "ResourceInUseException") {
		return res, fmt.Errorf("create stream %s: %w", StreamName, err)
	}
	sum, err := c.kinesis.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(StreamName)})
	if err != nil {
		return res, fmt.Errorf("describe stream %s: %w", StreamName, err)
	}
	res.streamARN = aws.ToString(sum.StreamDescriptionSummary.StreamARN)

	if res.dlqURL, res.dlqARN, err = ensureQueue(ctx, c.sqs, DLQName); err != nil {
		return res, err
	}
	if _, err := c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(res.dlqURL),
		Tags: map[string]string{ArchiveTag: ArchiveURL}}); err != nil {
		return res, fmt.Errorf("tag queue %s: %w", DLQName, err)
	}
	if _, res.busDLQARN, err = ensureQueue(ctx, c.sqs, BusDLQName); err != nil {
		return res, err
	}
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(BucketName)}); err != nil &&
		!backend.IsCode(err, "BucketAlreadyOwnedByYou") {
		return res, fmt.Errorf("create bucket %s: %w", BucketName, err)
	}
	if res.destARN, err = ensureAPIDestination(ctx, c.eventbridge, apiURL); err != nil {
		return res, err
	}
	if err := ensurePipe(ctx, c.pipes, region, res); err != nil {
		return res, err
	}
	if res.busARN, err = ensureBus(ctx, c.eventbridge, res); err != nil {
		return res, err
	}
	return res, nil
}

func ensureQueue(ctx context.Context, c *sqs.Client, name string) (url, arn string, err error) {
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s: %w", name, err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", "", fmt.Errorf("queue %s attributes: %w", name, err)
	}
	return aws.ToString(q.QueueUrl), attrs.Attributes["QueueArn"], nil
}

// ensureAPIDestination points the orders API destination at this run's
// API server, whose port changes from run to run.
func ensureAPIDestination(ctx context.Context, c *eventbridge.Client, apiURL string) (string, error) {
	conn, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name:              aws.String(ConnectionName),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
				ApiKeyName: aws.String("X-Api-Key"), ApiKeyValue: aws.String("demo-key"),
			},
		},
	})
	var connARN string
	switch {
	case err == nil:
		connARN = aws.ToString(conn.ConnectionArn)
	case backend.IsCode(err, "ResourceAlreadyExistsException"):
		d, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String(ConnectionName)})
		if err != nil {
			return "", fmt.Errorf("describe connection %s: %w", ConnectionName, err)
		}
		connARN = aws.ToString(d.ConnectionArn)
	default:
		return "", fmt.Errorf("create connection %s: %w", ConnectionName, err)
	}
	dest, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String(DestName), ConnectionArn: aws.String(connARN),
		InvocationEndpoint: aws.String(apiURL), HttpMethod: ebtypes.ApiDestinationHttpMethodPost,
		InvocationRateLimitPerSecond: aws.Int32(100),
	})
	if err == nil {
		return aws.ToString(dest.ApiDestinationArn), nil
	}
	if !backend.IsCode(err, "ResourceAlreadyExistsException") {
		return "", fmt.Errorf("create API destination %s: %w", DestName, err)
	}
	upd, err := c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{
		Name: aws.String(DestName), ConnectionArn: aws.String(connARN),
		InvocationEndpoint: aws.String(apiURL), HttpMethod: ebtypes.ApiDestinationHttpMethodPost,
		InvocationRateLimitPerSecond: aws.Int32(100),
	})
	if err != nil {
		return "", fmt.Errorf("update API destination %s: %w", DestName, err)
	}
	return aws.ToString(upd.ApiDestinationArn), nil
}

func ensurePipe(ctx context.Context, c *pipes.Client, region string, res resources) error {
	source := &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{
		StartingPosition:          ptypes.KinesisStreamStartPositionTrimHorizon,
		BatchSize:                 aws.Int32(10),
		MaximumRetryAttempts:      aws.Int32(3),
		MaximumRecordAgeInSeconds: aws.Int32(600),
		OnPartialBatchItemFailure: ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect,
		DeadLetterConfig:          &ptypes.DeadLetterConfig{Arn: aws.String(res.dlqARN)},
	}}
	role := aws.String("arn:aws:iam::000000000000:role/sluice-demo-pipe")
	_, err := c.CreatePipe(ctx, &pipes.CreatePipeInput{
		Name: aws.String(PipeName), RoleArn: role,
		Source: aws.String(res.streamARN), SourceParameters: source,
		Target:       aws.String(res.destARN),
		DesiredState: ptypes.RequestedPipeStateRunning,
		Description:  aws.String("sluice demo: orders stream to the orders API"),
		Tags:         map[string]string{ArchiveTag: ArchiveURL},
	})
	if err == nil {
		return nil
	}
	if !backend.IsCode(err, "ConflictException") {
		return fmt.Errorf("create pipe %s: %w", PipeName, err)
	}
	// The pipe exists from an earlier run: its source and checkpoints stay;
	// make sure it runs, and that its archive tag is this version's (an
	// earlier one put the archive under a prefix that repeated the
	// consumer).
	upd, err := c.UpdatePipe(ctx, &pipes.UpdatePipeInput{Name: aws.String(PipeName), RoleArn: role,
		Target: aws.String(res.destARN), DesiredState: ptypes.RequestedPipeStateRunning})
	if err != nil {
		return fmt.Errorf("update pipe %s: %w", PipeName, err)
	}
	if _, err := c.TagResource(ctx, &pipes.TagResourceInput{ResourceArn: upd.Arn,
		Tags: map[string]string{ArchiveTag: ArchiveURL}}); err != nil {
		return fmt.Errorf("tag pipe %s: %w", PipeName, err)
	}
	return nil
}

func ensureBus(ctx context.Context, c *eventbridge.Client, res resources) (string, error) {
	var busARN string
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(BusName)})
	switch {
	case err == nil:
		busARN = aws.ToString(bus.EventBusArn)
	case backend.IsCode(err, "ResourceAlreadyExistsException"):
		d, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(BusName)})
		if err != nil {
			return "", fmt.Errorf("describe bus %s: %w", BusName, err)
		}
		busARN = aws.ToString(d.Arn)
	default:
		return "", fmt.Errorf("create bus %s: %w", BusName, err)
	}
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(RuleName), EventBusName: aws.String(BusName),
		EventPattern: aws.String(`{"detail-type":["OrderCreated"]}`),
		State:        ebtypes.RuleStateEnabled,
	}); err != nil {
		return "", fmt.Errorf("put rule %s: %w", RuleName, err)
	}
	out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String(RuleName), EventBusName: aws.String(BusName),
		Targets: []ebtypes.Target{{
			Id: aws.String("orders-api"), Arn: aws.String(res.destARN),
			RetryPolicy:      &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(600)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(res.busDLQARN)},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("put targets on %s: %w", RuleName, err)
	}
	if out.FailedEntryCount > 0 {
		return "", fmt.Errorf("put targets on %s: %s", RuleName, aws.ToString(out.FailedEntries[0].ErrorMessage))
	}
	return busARN, nil
}
