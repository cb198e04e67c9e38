package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// ResolveTarget reads a replay target as ParseTarget does, and also takes
// the bare name of a Kinesis stream or an SQS queue of s's account and
// region, looked up there: a copy into another profile names its target
// in that profile ("--to-profile local --to orders"), whose ARN the
// operator does not have at hand. A stream is preferred when both exist.
func ResolveTarget(ctx context.Context, s *Session, ref string) (Target, error) {
	if ref == "" || strings.Contains(ref, ":") || strings.Contains(ref, "/") {
		return ParseTarget(ref)
	}
	stream, serr := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(ref)})
	if serr == nil {
		return Target{Kind: TargetKinesis, ARN: aws.ToString(stream.StreamDescriptionSummary.StreamARN)}, nil
	}
	q, qerr := s.SQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(ref)})
	if qerr == nil {
		attrs, err := s.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return Target{}, fmt.Errorf("replay target %s: queue %s: %w", ref, aws.ToString(q.QueueUrl), s.Explain(err))
		}
		return Target{Kind: TargetSQS, ARN: attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], URL: aws.ToString(q.QueueUrl)}, nil
	}
	return Target{}, fmt.Errorf("replay target %q: no stream or queue of that name in profile %s: %w",
		ref, s.Profile.Name, errors.Join(s.Explain(serr), s.Explain(qerr)))
}
