package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sluicehq/sluice/backend"
)

// ESM is a Lambda event source mapping that reads a Kinesis stream.
type ESM struct {
	UUID        string `json:"uuid"`
	Function    string `json:"function"`
	FunctionARN string `json:"functionArn"`
	StreamARN   string `json:"streamArn"`
	State       string `json:"state"`
	// OnFailureARN is where failed batches' metadata goes (an SQS queue,
	// an SNS topic or an S3 bucket).
	OnFailureARN            string `json:"onFailureArn,omitempty"`
	BatchSize               int    `json:"batchSize"`
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
			e := ESM{
				UUID: aws.ToString(m.UUID), FunctionARN: aws.ToString(m.FunctionArn), StreamARN: source,
				State: aws.ToString(m.State), BatchSize: int(valueOr(m.BatchSize, 100)),
				MaximumRetryAttempts:    int(valueOr(m.MaximumRetryAttempts, -1)),
				MaximumRecordAgeSeconds: int(valueOr(m.MaximumRecordAgeInSeconds, -1)),
				Bisect:                  aws.ToBool(m.BisectBatchOnFunctionError),
				StartingPosition:        string(m.StartingPosition),
			}
			if a, err := backend.ParseARN(e.FunctionARN); err == nil {
				e.Function = a.Name()
			}
			if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
				e.OnFailureARN = aws.ToString(d.OnFailure.Destination)
			}
			out = append(out, e)
		}
		if aws.ToString(page.NextMarker) == "" {
			return out, nil
		}
		marker = page.NextMarker
	}
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
