package sqs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

// dedupWindowMS is FIFO's deduplication interval.
const dedupWindowMS = 5 * 60 * 1000

type sendMessageInput struct {
	QueueUrl                string
	MessageBody             *msgText
	DelaySeconds            *int64
	MessageAttributes       map[string]attrValue
	MessageSystemAttributes map[string]attrValue
	MessageDeduplicationId  *string
	MessageGroupId          *string
}

type sendMessageOutput struct {
	MD5OfMessageAttributes       string `json:",omitempty"`
	MD5OfMessageBody             string
	MD5OfMessageSystemAttributes string `json:",omitempty"`
	MessageId                    string
	SequenceNumber               string `json:",omitempty"`
}

type sendBatchEntry struct {
	Id                      string
	MessageBody             *msgText
	DelaySeconds            *int64
	MessageAttributes       map[string]attrValue
	MessageSystemAttributes map[string]attrValue
	MessageDeduplicationId  *string
	MessageGroupId          *string
}

type sendMessageBatchInput struct {
	QueueUrl string
	Entries  []sendBatchEntry
}

type sendBatchResult struct {
	Id string
	sendMessageOutput
}

type batchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

type sendMessageBatchOutput struct {
	Successful []sendBatchResult
	Failed     []batchError
}

// outgoing is a message validated without its queue, ready to be admitted.
type outgoing struct {
	msg     message
	content []byte
	delay   *int64
	size    int
	dedupID string // explicit MessageDeduplicationId
	hasDup  bool
	hasGrp  bool
	out     sendMessageOutput
}

// sendWrite is one admitted message's store write.
type sendWrite struct {
	seq     uint64
	content []byte
	state   msgState
}

type dedupWrite struct {
	key string
	rec dedupRecord
}

// newMessageID returns a random UUID (version 4), the form of SQS ids.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// formatSeqNumber renders a FIFO SequenceNumber: a 20-digit decimal that
// grows with every message of the queue.
func formatSeqNumber(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// prepare validates what does not depend on the queue and encodes the
// message, so that little work is left for under the lock.
func prepare(ctx context.Context, body *string, delay *int64, attrs, sysAttrs map[string]attrValue,
	dedupID, groupID *string) (*outgoing, error) {
	if err := validateBody(body); err != nil {
		return nil, err
	}
	if delay != nil && (*delay < 0 || *delay > maxDelay) {
		return nil, errInvalidValue(*delay, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
	}
	ua, err := validateMessageAttrs(attrs)
	if err != nil {
		return nil, err
	}
	sa, err := validateSystemAttrs(sysAttrs)
	if err != nil {
		return nil, err
	}
	o := &outgoing{delay: delay, size: messageSize(*body, ua)}
	if dedupID != nil {
		if !validToken(*dedupID) {
			return nil, errInvalidValue(clip(*dedupID, 200), "MessageDeduplicationId", "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		o.dedupID, o.hasDup = *dedupID, true
	}
	if groupID != nil {
		if !validToken(*groupID) {
			return nil, errInvalidValue(clip(*groupID, 200), "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		o.hasGrp = true
		o.msg.GroupID = *groupID
	}
	o.msg.ID = newMessageID()
	o.msg.Body = *body
	o.msg.Attrs = ua
	o.msg.SysAttrs = sa
	o.msg.SenderID = senderID(ctx)
	o.out = sendMessageOutput{
		MD5OfMessageBody:             md5Hex(*body),
		MD5OfMessageAttributes:       md5OfAttrs(ua),
		MD5OfMessageSystemAttributes: md5OfAttrs(sa),
		MessageId:                    o.msg.ID,
	}
	return o, nil
}

// senderID is what SenderId reports: the account, since the engine has no
// IAM users (and never echoes credentials).
func senderID(context.Context) string { return wire.Account }

func contentDedupID(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// admitLocked checks o against its queue and, unless it is a duplicate,
// enqueues it in memory and records its write in w.
func (s *Service) admitLocked(q *queue, o *outgoing, now int64, w *sendWrites) (*sendMessageOutput, error) {
	cfg := &q.rec.Config
	if int64(o.size) > cfg.MaximumMessageSize {
		return nil, errTooLong(cfg.MaximumMessageSize)
	}
	delay := cfg.DelaySeconds
	var dedupKey string
	if q.fifo() {
		if !o.hasGrp {
			return nil, errMissing("MessageGroupId")
		}
		if o.delay != nil && *o.delay != 0 {
			return nil, errInvalidValue(*o.delay, "DelaySeconds", "The request include parameter that is not valid for this queue type.")
		}
		id := o.dedupID
		if !o.hasDup {
			if !cfg.ContentBasedDeduplication {
				return nil, errInvalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			id = contentDedupID(o.msg.Body)
		}
		o.msg.DedupID = id
		dedupKey = id
		if cfg.DeduplicationScope == "messageGroup" {
			dedupKey = o.msg.GroupID + "\x00" + id
		}
		if d, ok := q.dedup[dedupKey]; ok && d.Expires > now {
			out := o.out
			out.MessageId = d.MessageID
			out.SequenceNumber = formatSeqNumber(d.Seq)
			return &out, nil
		}
	} else {
		if o.hasDup {
			return nil, errInvalidParameter("The request include parameter MessageDeduplicationId that is not valid for this queue type")
		}
		if o.delay != nil {
			delay = *o.delay
		}
	}
	seq := q.nextSeq
	q.nextSeq++
	e := &entry{seq: seq, visibleAt: now + delay*1000, sentAt: now, enqAt: now, hidx: -1, aidx: -1}
	if q.fifo() {
		e.group = &group{id: o.msg.GroupID, hidx: -1}
	}
	q.idx.add(e, now)
	content := o.content
	if content == nil || q.fifo() {
		// The deduplication id is part of a FIFO message's content.
		content = encodeMessage(&o.msg)
	}
	w.msgs = append(w.msgs, sendWrite{seq: seq, content: content, state: e.state()})
	out := o.out
	if q.fifo() {
		out.SequenceNumber = formatSeqNumber(seq)
		d := dedupRecord{Expires: now + dedupWindowMS, MessageID: o.msg.ID, Seq: seq}
		q.dedup[dedupKey] = d
		w.dedup = append(w.dedup, dedupWrite{key: dedupKey, rec: d})
	}
	return &out, nil
}

// sendWrites collects one request's admitted messages.
type sendWrites struct {
	qid   uint64
	msgs  []sendWrite
	dedup []dedupWrite
}

func (w *sendWrites) empty() bool { return len(w.msgs) == 0 && len(w.dedup) == 0 }

func (w *sendWrites) apply(tx *bolt.Tx) error {
	for i := range w.msgs {
		m := &w.msgs[i]
		if err := putMessage(tx, w.qid, m.seq, m.content, &m.state); err != nil {
			return err
		}
	}
	if len(w.dedup) == 0 {
		return nil
	}
	_, _, db, ok := queueBuckets(tx, w.qid)
	if !ok {
		return nil
	}
	for i := range w.dedup {
		if err := db.Put([]byte(w.dedup[i].key), encodeDedup(&w.dedup[i].rec)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sendMessage(ctx context.Context, in *sendMessageInput) (*sendMessageOutput, error) {
	o, err := prepare(ctx, in.MessageBody.str(), in.DelaySeconds, in.MessageAttributes, in.MessageSystemAttributes,
		in.MessageDeduplicationId, in.MessageGroupId)
	if err != nil {
		return nil, err
	}
	o.content = encodeMessage(&o.msg)
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	w := &sendWrites{qid: q.rec.ID}
	out, err := s.admitLocked(q, o, s.now(), w)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	region, name := q.rec.Region, q.rec.Name
	var done <-chan error
	if !w.empty() {
		done = s.submitLocked(w.apply)
		q.signal()
	}
	s.mu.Unlock()
	if done != nil {
		if err := <-done; err != nil {
			return nil, err
		}
	}
	if len(w.msgs) > 0 {
		s.recordSent(region, name, []int{o.size})
	}
	return out, nil
}

// checkBatch applies the rules every batch action shares: 1 to 10
// entries with distinct, well-formed ids.
func checkBatch(ids []string, entryName string) error {
	if len(ids) == 0 {
		return errEmptyBatch(entryName)
	}
	if len(ids) > maxBatchEntries {
		return errTooManyEntries(len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validBatchID(id) {
			return errInvalidBatchEntryID()
		}
		if seen[id] {
			return errIdsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

func failure(id string, err error) batchError {
	e := awserr.From(err)
	return batchError{Id: id, SenderFault: e.Status < 500, Code: e.Code, Message: e.Message}
}

func (s *Service) sendMessageBatch(ctx context.Context, in *sendMessageBatchInput) (*sendMessageBatchOutput, error) {
	ids := make([]string, len(in.Entries))
	total := 0
	for i := range in.Entries {
		ids[i] = in.Entries[i].Id
		if b := in.Entries[i].MessageBody; b != nil {
			total += len(*b)
		}
		for name, a := range in.Entries[i].MessageAttributes {
			total += len(name) + len(a.DataType) + len(a.BinaryValue)
			if a.StringValue != nil {
				total += len(*a.StringValue)
			}
		}
	}
	if in.QueueUrl == "" {
		return nil, errMissing("QueueUrl")
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	if total > maxBatchBytes {
		return nil, errBatchTooLong(total)
	}
	prepared := make([]*outgoing, len(in.Entries))
	errs := make([]error, len(in.Entries))
	for i := range in.Entries {
		en := &in.Entries[i]
		prepared[i], errs[i] = prepare(ctx, en.MessageBody.str(), en.DelaySeconds, en.MessageAttributes,
			en.MessageSystemAttributes, en.MessageDeduplicationId, en.MessageGroupId)
		if errs[i] == nil {
			prepared[i].content = encodeMessage(&prepared[i].msg)
		}
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	w := &sendWrites{qid: q.rec.ID}
	out := &sendMessageBatchOutput{Successful: []sendBatchResult{}, Failed: []batchError{}}
	var sizes []int
	for i, o := range prepared {
		if errs[i] != nil {
			out.Failed = append(out.Failed, failure(ids[i], errs[i]))
			continue
		}
		added := len(w.msgs)
		res, err := s.admitLocked(q, o, now, w)
		if err != nil {
			out.Failed = append(out.Failed, failure(ids[i], err))
			continue
		}
		if len(w.msgs) > added {
			sizes = append(sizes, o.size)
		}
		out.Successful = append(out.Successful, sendBatchResult{Id: ids[i], sendMessageOutput: *res})
	}
	region, name := q.rec.Region, q.rec.Name
	var done <-chan error
	if !w.empty() {
		done = s.submitLocked(w.apply)
		q.signal()
	}
	s.mu.Unlock()
	if done != nil {
		if err := <-done; err != nil {
			return nil, err
		}
	}
	if len(sizes) > 0 {
		s.recordSent(region, name, sizes)
	}
	return out, nil
}
