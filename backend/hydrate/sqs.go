package hydrate

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// releaseTimeout bounds the calls that hand messages back, which run even
// after the run's context has ended.
const releaseTimeout = 30 * time.Second

// receive takes up to 10 messages and hides them for holdFor, waiting up
// to wait seconds for one to arrive.
func receive(ctx context.Context, s *backend.Session, queueURL string, wait int32) ([]Received, error) {
	out, err := s.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: wait,
		VisibilityTimeout:           int32(holdFor / time.Second),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", dlq.NameOfURL(queueURL), s.Explain(err))
	}
	msgs := make([]Received, 0, len(out.Messages))
	for _, m := range out.Messages {
		count, _ := strconv.Atoi(m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
		msgs = append(msgs, Received{
			QueueURL: queueURL, ID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), ReceiveCount: count,
		})
	}
	return msgs, nil
}

// releaseAll makes msgs visible again at once, ten to a call. It runs
// even when ctx has ended, so that Ctrl-C still hands messages back.
func releaseAll(ctx context.Context, s *backend.Session, queueURL string, msgs []Received) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	var failed int
	var firstErr error
	for start := 0; start < len(msgs); start += 10 {
		batch := msgs[start:min(start+10, len(msgs))]
		entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: 0,
			}
		}
		out, err := s.SQS().ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			failed += len(batch)
			if firstErr == nil {
				firstErr = s.Explain(err)
			}
			continue
		}
		for _, f := range out.Failed {
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("release %d of %d messages of %s (they become visible when their timeout ends): %w", failed, len(msgs), dlq.NameOfURL(queueURL), firstErr)
	}
	return nil
}
