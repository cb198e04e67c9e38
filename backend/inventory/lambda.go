package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sluicehq/sluice/backend"
)

// ESM is a Lambda event source mapping that reads a Kinesis stream.
type ESM struct {
	UUID        string `json:"uuid"`
	Function    string `json:"function"`
	FunctionARN string `json:"functionArn"`
	StreamARN   string `json:"streamArn"`
	State       string `json:"state"`
	// StateReason is Lambda's StateTransitionReason ("User action",
	// "User initiated", …).
	StateReason string `json:"stateReason,omitempty"`
	// OnFailureARN is where failed batches' metadata goes (an SQS queue,
	// an SNS topic or an S3 bucket).
	OnFailureARN            string `json:"onFailureArn,omitempty"`
	BatchSize               int    `json:"batchSize"`
	BatchWindowSeconds      int    `json:"batchWindowSeconds"`
	MaximumRetryAttempts    int    `json:"maximumRetryAttempts"`
	MaximumRecordAgeSeconds int    `json:"maximumRecordAgeSeconds"`
	Bisect                  bool   `json:"bisect"`
	StartingPosition        string `json:"startingPosition,omitempty"`
}

// EventSourceMappings lists every Lambda event source mapping whose
// source is a Kinesis stream. An endpoint without Lambda (the bundled
// engine, a LocalStack without it) gives an error wrapping ErrNotServed.
func EventSourceMappings(ctx context.Context, s *backend.Session) ([]ESM, error) {
	var out []ESM
	var marker *string
	for {
		page, err := s.Lambda().ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{
			Marker: marker, MaxItems: aws.Int32(100),
		})
		if err != nil {
			if s.NotServed("lambda", err) {
				return nil, fmt.Errorf("list Lambda event source mappings: %w: %w", ErrNotServed, err)
			}
			return nil, fmt.Errorf("list Lambda event source mappings: %w", s.Explain(err))
		}
		for _, m := range page.EventSourceMappings {
			source := aws.ToString(m.EventSourceArn)
			if !isKinesisStreamARN(source) {
				continue
			}
			e := esmOf(esmFields{
				uuid: m.UUID, functionARN: m.FunctionArn, source: m.EventSourceArn, state: m.State,
				reason: m.StateTransitionReason, batch: m.BatchSize, window: m.MaximumBatchingWindowInSeconds,
				retries: m.MaximumRetryAttempts, age: m.MaximumRecordAgeInSeconds,
				bisect: m.BisectBatchOnFunctionError, start: m.StartingPosition, dest: m.DestinationConfig,
			})
			out = append(out, e)
		}
		if aws.ToString(page.NextMarker) == "" {
			return out, nil
		}
		marker = page.NextMarker
	}
}

// EventSourceMappingsBounded is EventSourceMappings within the listing's
// per-service bound (ServiceTimeout, or Timeout): a Lambda that does not
// answer costs that long and no more.
func EventSourceMappingsBounded(ctx context.Context, s *backend.Session, opts ...Option) ([]ESM, error) {
	return bounded(ctx, timeoutOf(opts), func(ctx context.Context) ([]ESM, error) { return EventSourceMappings(ctx, s) })
}

// GetEventSourceMapping reads one event source mapping by its UUID,
// whatever its source.
func GetEventSourceMapping(ctx context.Context, s *backend.Session, uuid string) (ESM, error) {
	m, err := s.Lambda().GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		return ESM{}, fmt.Errorf("get Lambda event source mapping %s: %w", uuid, s.Explain(err))
	}
	return esmOf(esmFields{
		uuid: m.UUID, functionARN: m.FunctionArn, source: m.EventSourceArn, state: m.State,
		reason: m.StateTransitionReason, batch: m.BatchSize, window: m.MaximumBatchingWindowInSeconds,
		retries: m.MaximumRetryAttempts, age: m.MaximumRecordAgeInSeconds,
		bisect: m.BisectBatchOnFunctionError, start: m.StartingPosition, dest: m.DestinationConfig,
	}), nil
}

// esmFields are the fields the SDK's listing entry and Get answer share
// (two distinct types with the same fields).
type esmFields struct {
	uuid, functionARN, source, state, reason *string
	batch, window, retries, age              *int32
	bisect                                   *bool
	start                                    types.EventSourcePosition
	dest                                     *types.DestinationConfig
}

// esmOf is an ESM with AWS's defaults for the settings left out.
func esmOf(f esmFields) ESM {
	e := ESM{
		UUID: aws.ToString(f.uuid), FunctionARN: aws.ToString(f.functionARN), StreamARN: aws.ToString(f.source),
		State: aws.ToString(f.state), StateReason: aws.ToString(f.reason),
		BatchSize: int(valueOr(f.batch, 100)), BatchWindowSeconds: int(aws.ToInt32(f.window)),
		MaximumRetryAttempts:    int(valueOr(f.retries, -1)),
		MaximumRecordAgeSeconds: int(valueOr(f.age, -1)),
		Bisect:                  aws.ToBool(f.bisect),
		StartingPosition:        string(f.start),
	}
	if a, err := backend.ParseARN(e.FunctionARN); err == nil {
		e.Function = a.Name()
	}
	if f.dest != nil && f.dest.OnFailure != nil {
		e.OnFailureARN = aws.ToString(f.dest.OnFailure.Destination)
	}
	return e
}

func isKinesisStreamARN(s string) bool {
	a, err := backend.ParseARN(s)
	return err == nil && a.Service == "kinesis" && strings.HasPrefix(a.Resource, "stream/")
}

func isSQSARN(s string) bool {
	a, err := backend.ParseARN(s)
	return err == nil && a.Service == "sqs"
}

func isSNSARN(s string) bool {
	a, err := backend.ParseARN(s)
	return err == nil && a.Service == "sns"
}
