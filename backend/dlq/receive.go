package dlq

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
)

const (
	// batchSize is SQS's limit for a receive and for every batch call.
	batchSize = 10
	// emptyRounds is how many receives in a row must bring nothing new
	// before a queue counts as exhausted: a short poll samples only some
	// of SQS's servers and can come back empty while messages remain.
	emptyRounds = 3
	// releaseTimeout bounds the release, which runs even after the
	// caller's context ended: leaving messages hidden is the side effect
	// a browse must not have.
	releaseTimeout = 30 * time.Second
)

// holder receives a queue's messages and holds them hidden until they are
// released (or deleted) all at once.
type holder struct {
	s          *backend.Session
	queueURL   string
	visibility int32
	// wait is the WaitTimeSeconds of each receive. The SDK leaves a zero
	// out of the request, and the queue's ReceiveMessageWaitTimeSeconds
	// then applies: on a long-polling queue, a one-second poll is the
	// shortest that can be asked for.
	wait int32
	// expect is how many visible messages the queue reported before the
	// receives began.
	expect int
	// msgs is in the order first seen; each keeps its latest delivery,
	// whose receipt handle is the one SQS honours.
	msgs  []types.Message
	index map[string]int
}

func newHolder(s *backend.Session, q Queue, visibility int32) *holder {
	h := &holder{s: s, queueURL: q.URL, visibility: visibility, expect: q.Visible, index: map[string]int{}}
	if q.ReceiveWait > 0 {
		h.wait = 1
	}
	return h
}

// exhausted reports whether empty receives in a row mean the queue has no
// more visible messages. A long poll asks every SQS server, so one empty
// answer is enough; a short poll samples some of them, so it takes
// several, unless every message the queue reported is already held.
func (h *holder) exhausted(empty int) bool {
	if h.wait > 0 || len(h.msgs) >= h.expect {
		return empty >= 1
	}
	return empty >= emptyRounds
}

// receive gets messages until max are held, the queue is exhausted, or
// done (when not nil) reports that the caller has what it wants.
func (h *holder) receive(ctx context.Context, max int, done func() bool) error {
	empty := 0
	for len(h.msgs) < max && !h.exhausted(empty) {
		if done != nil && done() {
			return nil
		}
		n := min(batchSize, max-len(h.msgs))
		out, err := h.s.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(h.queueURL),
			MaxNumberOfMessages:         int32(n),
			VisibilityTimeout:           h.visibility,
			WaitTimeSeconds:             h.wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			return fmt.Errorf("receive from %s: %w", NameOfURL(h.queueURL), h.s.Explain(err))
		}
		fresh := 0
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if i, seen := h.index[id]; seen {
				// Delivered again (its visibility ran out, or SQS's
				// at-least-once delivery): keep the newest handle.
				h.msgs[i] = m
				continue
			}
			h.index[id] = len(h.msgs)
			h.msgs = append(h.msgs, m)
			fresh++
		}
		if fresh == 0 {
			empty++
		} else {
			empty = 0
		}
	}
	return nil
}

// release makes msgs visible again at once. It runs to the end even when
// ctx has ended, and reports each message it could not release.
func release(ctx context.Context, s *backend.Session, queueURL string, msgs []types.Message) (released int, failures []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	for start := 0; start < len(msgs); start += batchSize {
		batch := msgs[start:min(start+batchSize, len(msgs))]
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
			}
		}
		out, err := s.SQS().ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
			QueueUrl: aws.String(queueURL), Entries: entries,
		})
		if err != nil {
			err = s.Explain(err)
			for _, m := range batch {
				failures = append(failures, fmt.Sprintf("%s: %v", aws.ToString(m.MessageId), err))
			}
			continue
		}
		released += len(out.Successful)
		for _, f := range out.Failed {
			failures = append(failures, fmt.Sprintf("%s: %s", idOfEntry(batch, f.Id), entryError(f)))
		}
	}
	return released, failures
}

// idOfEntry maps a batch entry id (the message's index in the batch) back
// to the message id.
func idOfEntry(batch []types.Message, entryID *string) string {
	i, err := strconv.Atoi(aws.ToString(entryID))
	if err != nil || i < 0 || i >= len(batch) {
		return aws.ToString(entryID)
	}
	return aws.ToString(batch[i].MessageId)
}

func entryError(f types.BatchResultErrorEntry) string {
	if m := aws.ToString(f.Message); m != "" {
		return aws.ToString(f.Code) + ": " + m
	}
	return aws.ToString(f.Code)
}
