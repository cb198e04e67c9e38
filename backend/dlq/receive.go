package dlq

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
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
	// receiveTimeout bounds one receive, which runs to its end even after
	// the caller's context ended: SQS hides what it hands out the moment
	// it answers, and an answer dropped half read leaves those messages
	// hidden with no handle to release them.
	receiveTimeout = 20 * time.Second
	// receiveWorkers and releaseWorkers are how many receives and
	// releases are in flight at once.
	receiveWorkers = 4
	releaseWorkers = 8
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
	// fresh, when set, is handed each message the first time it is
	// received, and msgs then keeps only ids and receipt handles: a
	// browse that streams its messages holds no bodies. An error from it
	// stops the receives.
	fresh func(types.Message) error
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
// done (when not nil) reports that the caller has what it wants. Several
// receives run side by side, so that the first messages are not hidden
// for long before the last arrive; each reserves room for what it asks,
// so that no more than max are received.
//
// A failed receive stops new ones but lets those under way finish: what
// they hid must come back with handles, or it stays hidden.
func (h *holder) receive(ctx context.Context, max int, done func() bool) error {
	var (
		mu       sync.Mutex
		empty    int // receives in a row that brought nothing new
		reserved int // messages asked for by receives under way
		firstErr error
		wg       sync.WaitGroup
	)
	claim := func() int {
		mu.Lock()
		defer mu.Unlock()
		// A cancelled caller starts no new receive; those under way
		// finish, so that what they hid comes back with handles.
		if ctx.Err() != nil || firstErr != nil || h.exhausted(empty) || (done != nil && done()) {
			return 0
		}
		n := min(batchSize, max-len(h.msgs)-reserved)
		if n <= 0 {
			return 0
		}
		reserved += n
		return n
	}
	for range receiveWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := claim(); n > 0; n = claim() {
				msgs, err := h.receiveOnce(ctx, n)
				mu.Lock()
				reserved -= n
				if err == nil {
					var kept int
					kept, err = h.keep(msgs)
					if kept == 0 {
						empty++
					} else {
						empty = 0
					}
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

func (h *holder) receiveOnce(ctx context.Context, n int) ([]types.Message, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), receiveTimeout)
	defer cancel()
	out, err := h.s.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(h.queueURL),
		MaxNumberOfMessages:         int32(n),
		VisibilityTimeout:           h.visibility,
		WaitTimeSeconds:             h.wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", NameOfURL(h.queueURL), h.s.Explain(err))
	}
	return out.Messages, nil
}

// keep adds received messages to those held and returns how many were
// new. Every message is held, with its handle, even when the fresh hook
// fails: what was received must be released.
func (h *holder) keep(msgs []types.Message) (int, error) {
	fresh := 0
	var hookErr error
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		if h.fresh != nil {
			if _, seen := h.index[id]; !seen && hookErr == nil {
				hookErr = h.fresh(m)
			}
			m = types.Message{MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle}
		}
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
	return fresh, hookErr
}

// release makes msgs visible again at once: its batches go out side by
// side, so that the window in which the messages are hidden stays short.
// It runs to the end even when ctx has ended, and reports each message it
// could not release.
func release(ctx context.Context, s *backend.Session, queueURL string, msgs []types.Message) (released int, failures []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	batches := make(chan []types.Message)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(releaseWorkers, (len(msgs)+batchSize-1)/batchSize) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				n, fails := releaseBatch(ctx, s, queueURL, batch)
				mu.Lock()
				released += n
				failures = append(failures, fails...)
				mu.Unlock()
			}
		}()
	}
	for start := 0; start < len(msgs); start += batchSize {
		batches <- msgs[start:min(start+batchSize, len(msgs))]
	}
	close(batches)
	wg.Wait()
	slices.Sort(failures)
	return released, failures
}

func releaseBatch(ctx context.Context, s *backend.Session, queueURL string, batch []types.Message) (int, []string) {
	entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(batch))
	for i, m := range batch {
		entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
		}
	}
	out, err := s.SQS().ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
		QueueUrl: aws.String(queueURL), Entries: entries,
	})
	var failures []string
	if err != nil {
		err = s.Explain(err)
		for _, m := range batch {
			failures = append(failures, fmt.Sprintf("%s: %v", aws.ToString(m.MessageId), err))
		}
		return 0, failures
	}
	for _, f := range out.Failed {
		failures = append(failures, fmt.Sprintf("%s: %s", idOfEntry(batch, f.Id), entryError(f)))
	}
	return len(out.Successful), failures
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
