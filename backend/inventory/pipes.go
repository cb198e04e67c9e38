package inventory

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/pipes/types"

	"github.com/sluicehq/sluice/backend"
)

// Pipe is an EventBridge pipe with its source's batching, retry and
// dead-letter settings.
type Pipe struct {
	Name  string `json:"name"`
	ARN   string `json:"arn"`
	State string `json:"state"`
	// DesiredState is what the pipe was last asked to be (RUNNING or
	// STOPPED); while State differs, the pipe is on its way there.
	DesiredState string `json:"desiredState,omitempty"`
	// StateReason is AWS's reason for State, when it gives one.
	StateReason string `json:"stateReason,omitempty"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	// DLQARN is the source's DeadLetterConfig (Kinesis and DynamoDB
	// sources only).
	DLQARN    string `json:"dlqArn,omitempty"`
	BatchSize int    `json:"batchSize"`
	// BatchWindowSeconds is MaximumBatchingWindowInSeconds (0: none).
	BatchWindowSeconds int `json:"batchWindowSeconds"`
	// MaximumRetryAttempts and MaximumRecordAgeSeconds are −1 for
	// infinite, AWS's default.
	MaximumRetryAttempts    int               `json:"maximumRetryAttempts"`
	MaximumRecordAgeSeconds int               `json:"maximumRecordAgeSeconds"`
	Bisect                  bool              `json:"bisect"`
	StartingPosition        string            `json:"startingPosition,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
}

// ListPipes pages through the pipe names.
func ListPipes(s *backend.Session, opts ...Option) *backend.Pager[string] {
	limit := pageSize(opts, 100, 100)
	return backend.NewPager(func(ctx context.Context, token *string) ([]string, *string, error) {
		out, err := s.Pipes().ListPipes(ctx, &pipes.ListPipesInput{Limit: aws.Int32(limit), NextToken: token})
		if err != nil {
			return nil, nil, fmt.Errorf("list pipes: %w", s.Explain(err))
		}
		names := make([]string, 0, len(out.Pipes))
		for _, p := range out.Pipes {
			names = append(names, aws.ToString(p.Name))
		}
		return names, out.NextToken, nil
	})
}

// DescribePipe reads a pipe.
func DescribePipe(ctx context.Context, s *backend.Session, name string) (Pipe, error) {
	out, err := s.Pipes().DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String(name)})
	if err != nil {
		return Pipe{}, fmt.Errorf("describe pipe %s: %w", name, s.Explain(err))
	}
	p := Pipe{
		Name: aws.ToString(out.Name), ARN: aws.ToString(out.Arn), State: string(out.CurrentState),
		DesiredState: string(out.DesiredState), StateReason: aws.ToString(out.StateReason),
		Source: aws.ToString(out.Source), Target: aws.ToString(out.Target), Tags: out.Tags,
	}
	if sp := out.SourceParameters; sp != nil {
		switch {
		case sp.KinesisStreamParameters != nil:
			k := sp.KinesisStreamParameters
			p.fill(k.BatchSize, k.MaximumRetryAttempts, k.MaximumRecordAgeInSeconds, k.DeadLetterConfig,
				k.OnPartialBatchItemFailure == types.OnPartialBatchItemFailureStreamsAutomaticBisect)
			p.StartingPosition = string(k.StartingPosition)
			p.BatchWindowSeconds = int(aws.ToInt32(k.MaximumBatchingWindowInSeconds))
		case sp.DynamoDBStreamParameters != nil:
			d := sp.DynamoDBStreamParameters
			p.fill(d.BatchSize, d.MaximumRetryAttempts, d.MaximumRecordAgeInSeconds, d.DeadLetterConfig,
				d.OnPartialBatchItemFailure == types.OnPartialBatchItemFailureStreamsAutomaticBisect)
			p.StartingPosition = string(d.StartingPosition)
			p.BatchWindowSeconds = int(aws.ToInt32(d.MaximumBatchingWindowInSeconds))
		case sp.SqsQueueParameters != nil:
			p.BatchSize = int(aws.ToInt32(sp.SqsQueueParameters.BatchSize))
			p.BatchWindowSeconds = int(aws.ToInt32(sp.SqsQueueParameters.MaximumBatchingWindowInSeconds))
		}
	}
	return p, nil
}

// fill copies a stream source's settings, with AWS's defaults for those
// left out.
func (p *Pipe) fill(batch, retries, age *int32, dlq *types.DeadLetterConfig, bisect bool) {
	p.BatchSize = int(valueOr(batch, 100))
	p.MaximumRetryAttempts = int(valueOr(retries, -1))
	p.MaximumRecordAgeSeconds = int(valueOr(age, -1))
	p.Bisect = bisect
	if dlq != nil {
		p.DLQARN = aws.ToString(dlq.Arn)
	}
}

func valueOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// DescribePipes describes every pipe, a few at a time, the listing and
// each call bounded by ServiceTimeout (or Timeout). A pipe deleted
// meanwhile is left out. A listing that fails (Pipes denied, not served,
// silent) is one Failure of service "pipes"; a pipe that cannot be
// described is a Failure naming it, and the others are kept.
func DescribePipes(ctx context.Context, s *backend.Session, opts ...Option) ([]Pipe, backend.Failures) {
	d := timeoutOf(opts)
	names, err := bounded(ctx, d, ListPipes(s).All)
	var fs backend.Failures
	if err != nil {
		fs = serviceFailure(s, "pipes", err)
	}
	pipes, more := describeEach(ctx, s, "pipes", describeConcurrency, d, names, func(n string) string { return "pipe " + n },
		func(ctx context.Context, name string) (Pipe, error) { return DescribePipe(ctx, s, name) },
		func(err error) bool { return backend.IsCode(err, "NotFoundException") })
	return pipes, append(fs, more...)
}
