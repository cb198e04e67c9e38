package lambda_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

const streamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"

func code(t *testing.T, err error) string {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return api.ErrorCode()
}

// waitState reads the mapping until its state is want (a bounded loop:
// the transition settles in the background).
func waitState(t *testing.T, c *lambda.Client, uuid, want string) *lambda.GetEventSourceMappingOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.GetEventSourceMapping(context.Background(), &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.State) == want {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("mapping %s still %s, want %s", uuid, aws.ToString(out.State), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMappingLifecycle: create answers Creating and settles Enabled with
// the settings given and Lambda's defaults; Enabled=false goes through
// Disabling to Disabled and back through Enabling; delete answers
// Deleting and the mapping goes.
func TestMappingLifecycle(t *testing.T) {
	e := enginetest.Start(t)
	c := e.Lambda()
	ctx := context.Background()
	created, err := c.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("orders-handler"), EventSourceArn: aws.String(streamARN),
		StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(50),
		MaximumRetryAttempts: aws.Int32(2), BisectBatchOnFunctionError: aws.Bool(true),
		MaximumBatchingWindowInSeconds: aws.Int32(5),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{
			Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:orders-dlq")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(created.UUID)
	if aws.ToString(created.State) != "Creating" || len(uuid) != 36 ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:orders-handler" {
		t.Fatalf("created %s %s %s", aws.ToString(created.State), uuid, aws.ToString(created.FunctionArn))
	}
	got := waitState(t, c, uuid, "Enabled")
	if aws.ToInt32(got.BatchSize) != 50 || aws.ToInt32(got.MaximumRetryAttempts) != 2 ||
		aws.ToInt32(got.MaximumRecordAgeInSeconds) != -1 || !aws.ToBool(got.BisectBatchOnFunctionError) ||
		aws.ToInt32(got.MaximumBatchingWindowInSeconds) != 5 || got.StartingPosition != types.EventSourcePositionTrimHorizon ||
		aws.ToString(got.DestinationConfig.OnFailure.Destination) != "arn:aws:sqs:us-east-1:000000000000:orders-dlq" ||
		aws.ToString(got.StateTransitionReason) != "User action" || got.LastModified == nil {
		t.Fatalf("read back %+v", got)
	}

	upd, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.State) != "Disabling" {
		t.Fatalf("update answered %s, want Disabling", aws.ToString(upd.State))
	}
	waitState(t, c, uuid, "Disabled")
	upd, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(true)})
	if err != nil || aws.ToString(upd.State) != "Enabling" {
		t.Fatalf("enable: %v %v", upd, err)
	}
	waitState(t, c, uuid, "Enabled")

	del, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete: %v %v", del, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			if code(t, err) != "ResourceNotFoundException" {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("deleted mapping still there")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestListFiltersAndPages: ListEventSourceMappings filters by source and
// function and pages by Marker without repeating or skipping.
func TestListFiltersAndPages(t *testing.T) {
	e := enginetest.Start(t)
	c := e.Lambda()
	ctx := context.Background()
	for i, fn := range []string{"a", "b", "c", "d", "e"} {
		src := streamARN
		if i%2 == 1 {
			src = "arn:aws:kinesis:us-east-1:000000000000:stream/payments"
		}
		if _, err := c.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
			FunctionName: aws.String(fn), EventSourceArn: aws.String(src), StartingPosition: types.EventSourcePositionLatest,
		}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var marker *string
	pages := 0
	for {
		out, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range out.EventSourceMappings {
			if seen[aws.ToString(m.UUID)] {
				t.Fatalf("%s listed twice", aws.ToString(m.UUID))
			}
			seen[aws.ToString(m.UUID)] = true
		}
		if out.NextMarker == nil {
			break
		}
		marker = out.NextMarker
	}
	if len(seen) != 5 || pages != 3 {
		t.Fatalf("listed %d mappings in %d pages", len(seen), pages)
	}
	out, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(streamARN)})
	if err != nil || len(out.EventSourceMappings) != 3 {
		t.Fatalf("by source: %d, %v", len(out.EventSourceMappings), err)
	}
	out, err = c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("b")})
	if err != nil || len(out.EventSourceMappings) != 1 || aws.ToString(out.EventSourceMappings[0].FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:b" {
		t.Fatalf("by function: %+v, %v", out.EventSourceMappings, err)
	}
}

// TestRefusals: what Lambda refuses, with its codes.
func TestRefusals(t *testing.T) {
	e := enginetest.Start(t)
	c := e.Lambda()
	ctx := context.Background()
	_, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String("00000000-0000-4000-8000-000000000000")})
	if code(t, err) != "ResourceNotFoundException" {
		t.Fatalf("get missing: %v", err)
	}
	_, err = c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String("00000000-0000-4000-8000-000000000000"), Enabled: aws.Bool(false)})
	if code(t, err) != "ResourceNotFoundException" {
		t.Fatalf("update missing: %v", err)
	}
	for name, in := range map[string]*lambda.CreateEventSourceMappingInput{
		"no starting position": {FunctionName: aws.String("f"), EventSourceArn: aws.String(streamARN)},
		"batch too big": {FunctionName: aws.String("f"), EventSourceArn: aws.String(streamARN),
			StartingPosition: types.EventSourcePositionLatest, BatchSize: aws.Int32(10001)},
		"record age under a minute": {FunctionName: aws.String("f"), EventSourceArn: aws.String(streamARN),
			StartingPosition: types.EventSourcePositionLatest, MaximumRecordAgeInSeconds: aws.Int32(30)},
		"not a source": {FunctionName: aws.String("f"), EventSourceArn: aws.String("arn:aws:s3:::bucket"),
			StartingPosition: types.EventSourcePositionLatest},
	} {
		if _, err := c.CreateEventSourceMapping(ctx, in); code(t, err) != "InvalidParameterValueException" {
			t.Errorf("%s: %v", name, err)
		}
	}
	in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("f"), EventSourceArn: aws.String(streamARN),
		StartingPosition: types.EventSourcePositionLatest}
	if _, err := c.CreateEventSourceMapping(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateEventSourceMapping(ctx, in); code(t, err) != "ResourceInUseException" {
		t.Fatalf("duplicate: %v", err)
	}
}
