package sqs

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

type deleteMessageInput struct {
	QueueUrl      string
	ReceiptHandle *string
}

type deleteBatchEntry struct {
	Id            string
	ReceiptHandle *string
}

type deleteMessageBatchInput struct {
	QueueUrl string
	Entries  []deleteBatchEntry
}

type batchID struct {
	Id string
}

type batchOutput struct {
	Successful []batchID
	Failed     []batchError
}

type changeVisibilityInput struct {
	QueueUrl          string
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityBatchEntry struct {
	Id                string
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityBatchInput struct {
	QueueUrl string
	Entries  []changeVisibilityBatchEntry
}

// messageWrites is a request's deletes and state changes.
type messageWrites struct {
	qid     uint64
	deletes []uint64
	states  []delivery
}

func (w *messageWrites) empty() bool { return len(w.deletes) == 0 && len(w.states) == 0 }

func (w *messageWrites) apply(tx *bolt.Tx) error {
	for _, seq := range w.deletes {
		if err := deleteMessage(tx, w.qid, seq); err != nil {
			return err
		}
	}
	for i := range w.states {
		if err := putState(tx, w.qid, w.states[i].seq, &w.states[i].state); err != nil {
			return err
		}
	}
	return nil
}

// commitLocked queues w (if it holds anything), releases s.mu and waits
// for the write.
func (s *Service) commitAndUnlock(w interface {
	empty() bool
	apply(*bolt.Tx) error
}) error {
	var done <-chan error
	if !w.empty() {
		done = s.submitLocked(w.apply)
	}
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	return <-done
}

func (s *Service) parseHandleFor(q *queue, handle *string) (receipt, error) {
	if handle == nil || *handle == "" {
		return receipt{}, errMissing("ReceiptHandle")
	}
	r, ok := parseReceipt(*handle)
	if !ok || r.qid != q.rec.ID {
		return receipt{}, errReceiptHandleInvalid(*handle)
	}
	return r, nil
}

// deleteLocked deletes the message a receipt handle names. A message that
// is already gone deletes quietly, as on AWS. On a standard queue an older
// handle of a message still there deletes it too; on a FIFO queue a handle
// from before the message's latest receive has expired.
func (s *Service) deleteLocked(q *queue, handle *string, now int64, w *messageWrites) error {
	r, err := s.parseHandleFor(q, handle)
	if err != nil {
		return err
	}
	e := q.idx.get(r.seq)
	if e == nil {
		return nil
	}
	if q.fifo() && e.rc != r.rc {
		return errInvalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", clip(*handle, 256))
	}
	q.idx.remove(e, now)
	w.deletes = append(w.deletes, r.seq)
	if q.fifo() {
		q.signal() // its group may be unlocked
	}
	return nil
}

// changeVisibilityLocked sets the visibility timeout of an in-flight
// message, counted from now.
func (s *Service) changeVisibilityLocked(q *queue, handle *string, timeout *int64, now int64, w *messageWrites) error {
	r, err := s.parseHandleFor(q, handle)
	if err != nil {
		return err
	}
	if timeout == nil {
		return errMissing("VisibilityTimeout")
	}
	if *timeout < 0 || *timeout > maxVisibility {
		return errInvalidValue(*timeout, "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200.")
	}
	e := q.idx.get(r.seq)
	if e == nil || e.rc != r.rc {
		return errInvalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", clip(*handle, 256))
	}
	if !e.inFlight(now) {
		return errMessageNotInflight()
	}
	e.visibleAt = now + *timeout*1000
	q.idx.update(e, now)
	w.states = append(w.states, delivery{seq: e.seq, state: e.state()})
	q.signal()
	return nil
}

func (s *Service) deleteMessage(ctx context.Context, in *deleteMessageInput) (any, error) {
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	w := &messageWrites{qid: q.rec.ID}
	if err := s.deleteLocked(q, in.ReceiptHandle, s.now(), w); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	region, name := q.rec.Region, q.rec.Name
	if err := s.commitAndUnlock(w); err != nil {
		return nil, err
	}
	s.recordDeleted(region, name, 1)
	return struct{}{}, nil
}

func (s *Service) deleteMessageBatch(ctx context.Context, in *deleteMessageBatchInput) (*batchOutput, error) {
	ids := make([]string, len(in.Entries))
	for i := range in.Entries {
		ids[i] = in.Entries[i].Id
	}
	var region, name string
	out, err := s.batchOnQueue(ctx, in.QueueUrl, ids, "DeleteMessageBatchRequestEntry",
		func(q *queue, i int, now int64, w *messageWrites) error {
			region, name = q.rec.Region, q.rec.Name
			return s.deleteLocked(q, in.Entries[i].ReceiptHandle, now, w)
		})
	if err == nil && len(out.Successful) > 0 {
		s.recordDeleted(region, name, len(out.Successful))
	}
	return out, err
}

func (s *Service) changeMessageVisibility(ctx context.Context, in *changeVisibilityInput) (any, error) {
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	w := &messageWrites{qid: q.rec.ID}
	if err := s.changeVisibilityLocked(q, in.ReceiptHandle, in.VisibilityTimeout, s.now(), w); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if err := s.commitAndUnlock(w); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) changeMessageVisibilityBatch(ctx context.Context, in *changeVisibilityBatchInput) (*batchOutput, error) {
	ids := make([]string, len(in.Entries))
	for i := range in.Entries {
		ids[i] = in.Entries[i].Id
	}
	return s.batchOnQueue(ctx, in.QueueUrl, ids, "ChangeMessageVisibilityBatchRequestEntry",
		func(q *queue, i int, now int64, w *messageWrites) error {
			en := &in.Entries[i]
			return s.changeVisibilityLocked(q, en.ReceiptHandle, en.VisibilityTimeout, now, w)
		})
}

// batchOnQueue applies op to every entry of a batch on one queue and
// commits the changes together; an entry that fails is reported in the
// answer without failing the others.
func (s *Service) batchOnQueue(ctx context.Context, queueURL string, ids []string, entryName string,
	op func(q *queue, i int, now int64, w *messageWrites) error) (*batchOutput, error) {
	if queueURL == "" {
		return nil, errMissing("QueueUrl")
	}
	if err := checkBatch(ids, entryName); err != nil {
		return nil, err
	}
	q, err := s.lockQueue(ctx, queueURL)
	if err != nil {
		return nil, err
	}
	now := s.now()
	w := &messageWrites{qid: q.rec.ID}
	out := &batchOutput{Successful: []batchID{}, Failed: []batchError{}}
	for i := range ids {
		if err := op(q, i, now, w); err != nil {
			out.Failed = append(out.Failed, failure(ids[i], err))
			continue
		}
		out.Successful = append(out.Successful, batchID{Id: ids[i]})
	}
	if err := s.commitAndUnlock(w); err != nil {
		return nil, err
	}
	return out, nil
}
