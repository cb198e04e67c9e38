package lambda_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestRestartKeepsMappingsAndEndsTransitions: mappings survive a restart
// with their settings; one shut down while Creating (the delay held it
// there) comes back and settles Enabled.
func TestRestartKeepsMappingsAndEndsTransitions(t *testing.T) {
	dir := t.TempDir()
	first := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.DataDir, o.ConsumerStateDelay = dir, time.Hour
	}))
	ctx := context.Background()
	c := first.Lambda()
	m, err := c.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("f"), EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionLatest,
		Enabled: aws.Bool(true), BatchSize: aws.Int32(42),
	})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(m.UUID)
	// Held in Creating by the delay: an update must wait, as on AWS.
	if _, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); code(t, err) != "ResourceInUseException" {
		t.Fatalf("update while Creating: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := first.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	second := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	got := waitState(t, second.Lambda(), uuid, "Enabled")
	if aws.ToInt32(got.BatchSize) != 42 || aws.ToString(got.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Fatalf("after restart: %+v", got)
	}
}
