package dlq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/backend"
)

// DeleteResult says which messages a delete removed and which it did not.
type DeleteResult struct {
	Deleted []string    `json:"deleted"`
	Failed  []ItemError `json:"failed,omitempty"`
	// NotFound names the ids a DeleteByID did not find in the queue.
	NotFound []string `json:"notFound,omitempty"`
	// ReleaseFailures names the messages DeleteByID received on its way
	// but could not make visible again.
	ReleaseFailures []string `json:"releaseFailures,omitempty"`
}

// ItemError is why one message was not deleted.
type ItemError struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// Delete removes messages by their receipt handles (message id → handle,
// as a browse returned them).
func Delete(ctx context.Context, s *backend.Session, queueURL string, receiptHandles map[string]string) (DeleteResult, error) {
	what := fmt.Sprintf("delete %d messages from %s", len(receiptHandles), NameOfURL(queueURL))
	if err := s.Guard(what); err != nil {
		return DeleteResult{}, err
	}
	ids := make([]string, 0, len(receiptHandles))
	for id := range receiptHandles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	msgs := make([]types.Message, len(ids))
	for i, id := range ids {
		msgs[i] = types.Message{MessageId: aws.String(id), ReceiptHandle: aws.String(receiptHandles[id])}
	}
	res := DeleteResult{Deleted: []string{}}
	err := deleteMessages(ctx, s, queueURL, msgs, &res)
	return res, err
}

// DeleteByID removes messages by id. It receives the queue's messages
// until it has found every id or seen the whole queue, deletes those it
// found with their fresh receipt handles, and makes every other message
// it received visible again at once. In a FIFO queue it can only find
// the first messages of each message group (SQS hands out no more of a
// group while some of it is hidden); the others are reported not found.
func DeleteByID(ctx context.Context, s *backend.Session, queueURL string, ids []string) (DeleteResult, error) {
	what := fmt.Sprintf("delete %d messages from %s", len(ids), NameOfURL(queueURL))
	if err := s.Guard(what); err != nil {
		return DeleteResult{}, err
	}
	wanted := map[string]bool{}
	for _, id := range ids {
		wanted[id] = true
	}
	q, err := Describe(ctx, s, queueURL)
	if err != nil {
		return DeleteResult{}, fmt.Errorf("%s: %w", what, err)
	}
	h := newHolder(s, q, DefaultVisibility)
	allFound := func() bool {
		for id := range wanted {
			if _, ok := h.index[id]; !ok {
				return false
			}
		}
		return true
	}
	res := DeleteResult{Deleted: []string{}}
	if err := h.receive(ctx, MaxBrowse, allFound); err != nil {
		_, res.ReleaseFailures = release(ctx, s, queueURL, h.msgs)
		return res, fmt.Errorf("%s: %w", what, err)
	}
	var doomed, others []types.Message
	for _, m := range h.msgs {
		if wanted[aws.ToString(m.MessageId)] {
			doomed = append(doomed, m)
		} else {
			others = append(others, m)
		}
	}
	delErr := deleteMessages(ctx, s, queueURL, doomed, &res)
	// What failed to delete is still hidden: show it again with the rest.
	failed := map[string]bool{}
	for _, f := range res.Failed {
		failed[f.ID] = true
	}
	for _, m := range doomed {
		if failed[aws.ToString(m.MessageId)] {
			others = append(others, m)
		}
	}
	_, res.ReleaseFailures = release(ctx, s, queueURL, others)
	Forget(s, queueURL, res.Deleted...)
	for _, id := range ids {
		if _, ok := h.index[id]; !ok && !slices.Contains(res.NotFound, id) {
			res.NotFound = append(res.NotFound, id)
		}
	}
	return res, delErr
}

// deleteMessages deletes msgs in batches, recording each outcome in res.
func deleteMessages(ctx context.Context, s *backend.Session, queueURL string, msgs []types.Message, res *DeleteResult) error {
	for start := 0; start < len(msgs); start += batchSize {
		batch := msgs[start:min(start+batchSize, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
		ids := make([]string, len(batch))
		for i, m := range batch {
			ids[i] = aws.ToString(m.MessageId)
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := s.SQS().DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			err = s.Explain(err)
			s.Audit("dlq delete", queueURL+" "+strings.Join(ids, ","), err)
			for _, m := range msgs[start:] {
				res.Failed = append(res.Failed, ItemError{ID: aws.ToString(m.MessageId), Error: err.Error()})
			}
			return fmt.Errorf("delete from %s: %w", NameOfURL(queueURL), err)
		}
		var deleted []string
		for _, ok := range out.Successful {
			deleted = append(deleted, idOfEntry(batch, ok.Id))
		}
		for _, f := range out.Failed {
			res.Failed = append(res.Failed, ItemError{ID: idOfEntry(batch, f.Id), Error: entryError(f)})
		}
		res.Deleted = append(res.Deleted, deleted...)
		if len(deleted) > 0 {
			s.Audit("dlq delete", queueURL+" "+strings.Join(deleted, ","), nil)
		}
	}
	return nil
}

// Purge deletes every message of a queue. SQS cannot undo it.
func Purge(ctx context.Context, s *backend.Session, queueURL string) error {
	name := NameOfURL(queueURL)
	if err := s.Guard("purge " + name); err != nil {
		return err
	}
	_, err := s.SQS().PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(queueURL)})
	s.Audit("dlq purge", queueURL, err)
	if err == nil {
		Forget(s, queueURL)
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) && strings.Contains(api.ErrorCode(), "PurgeQueueInProgress") {
		return fmt.Errorf("purge %s: a purge of this queue is already under way; SQS allows one purge every 60 seconds", name)
	}
	return fmt.Errorf("purge %s: %w", name, s.Explain(err))
}
