package hydrate

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
)

// deleteLinger is how long a message whose events are archived waits for
// others to share its DeleteMessageBatch call: a few milliseconds gather
// several at hundreds of messages a second.
const deleteLinger = 5 * time.Millisecond

// deleteBatchSize is the most messages one DeleteMessageBatch takes.
const deleteBatchSize = 10

// deletesInFlight bounds the DeleteMessageBatch calls made at once: the
// workers hand on archived messages while a call is answered, instead of
// waiting for it.
const deletesInFlight = 4

// archivedMessage is a message whose events are all archived, and its
// result so far.
type archivedMessage struct {
	msg Received
	res Result
}

// deleteArchived deletes the messages from in with DeleteMessageBatch, up
// to ten a call, and sends each one's result to out once SQS has answered
// for it: Hydrated when that entry was deleted, Failed (the message stays,
// its events archived) when not. It returns once in is closed and drained.
func deleteArchived(ctx context.Context, s *backend.Session, o Options, queueURL string, in <-chan archivedMessage, out chan<- Result) {
	// Deletes go on after a cancel: the events are archived, and a message
	// left would only be hydrated again.
	ctx = context.WithoutCancel(ctx)
	var batch []archivedMessage
	var linger <-chan time.Time
	var calls sync.WaitGroup
	slots := make(chan struct{}, deletesInFlight)
	flush := func() {
		slots <- struct{}{}
		b := batch
		calls.Go(func() {
			defer func() { <-slots }()
			for _, r := range deleteBatch(ctx, s, o, queueURL, b) {
				out <- r
			}
		})
		batch, linger = nil, nil
	}
	for {
		select {
		case m, ok := <-in:
			if !ok {
				if len(batch) > 0 {
					flush()
				}
				calls.Wait()
				return
			}
			batch = append(batch, m)
			if len(batch) == 1 {
				linger = time.After(deleteLinger)
			}
			if len(batch) == deleteBatchSize {
				flush()
			}
		case <-linger:
			flush()
		}
	}
}

// deleteBatch deletes the batch's messages in one call, with a result per
// entry.
func deleteBatch(ctx context.Context, s *backend.Session, o Options, queueURL string, batch []archivedMessage) []Result {
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(batch))
	for i, m := range batch {
		entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.msg.ReceiptHandle)}
	}
	errs := make([]error, len(batch))
	out, err := s.SQS().DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	} else {
		answered := make([]bool, len(batch))
		for _, ok := range out.Successful {
			if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i >= 0 && i < len(batch) {
				answered[i] = true
			}
		}
		for _, f := range out.Failed {
			if i, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && i >= 0 && i < len(batch) {
				answered[i], errs[i] = true, fmt.Errorf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
		}
		for i, a := range answered {
			if !a {
				errs[i] = fmt.Errorf("SQS gave no result for the delete")
			}
		}
	}
	results := make([]Result, len(batch))
	for i, m := range batch {
		results[i] = deleted(s, o, m.msg, m.res, errs[i])
	}
	return results
}
