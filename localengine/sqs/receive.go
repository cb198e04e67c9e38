package sqs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	defaultMaxMessages = 1
	maxMessages        = 10
)

type receiveMessageInput struct {
	QueueUrl                    string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int64
	VisibilityTimeout           *int64
	WaitTimeSeconds             *int64
	ReceiveRequestAttemptId     *string
}

type attrValueOut struct {
	DataType    string
	StringValue *string `json:",omitempty"`
	BinaryValue []byte  `json:",omitempty"`
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string       `json:",omitempty"`
	MD5OfMessageAttributes string                  `json:",omitempty"`
	MessageAttributes      map[string]attrValueOut `json:",omitempty"`
}

type receiveMessageOutput struct {
	Messages []receivedMessage `json:",omitempty"`
}

// systemAttrNames are the message attributes ReceiveMessage can return.
var systemAttrNames = map[string]bool{
	"SenderId": true, "SentTimestamp": true, "ApproximateReceiveCount": true,
	"ApproximateFirstReceiveTimestamp": true, "SequenceNumber": true,
	"MessageDeduplicationId": true, "MessageGroupId": true, "AWSTraceHeader": true,
	"DeadLetterQueueSourceArn": true,
}

// receiveOptions is a validated ReceiveMessage request.
type receiveOptions struct {
	max        int
	visibility *int64
	wait       *int64
	sysAll     bool
	sys        map[string]bool
	attrAll    bool
	attrNames  map[string]bool
	attrPrefix []string
}

func parseReceive(in *receiveMessageInput) (*receiveOptions, error) {
	o := &receiveOptions{max: defaultMaxMessages, sys: map[string]bool{}, attrNames: map[string]bool{}}
	if n := in.MaxNumberOfMessages; n != nil {
		if *n < 1 || *n > maxMessages {
			return nil, errInvalidValue(*n, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
		}
		o.max = int(*n)
	}
	if v := in.VisibilityTimeout; v != nil {
		if *v < 0 || *v > maxVisibility {
			return nil, errInvalidValue(*v, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.")
		}
		o.visibility = v
	}
	if w := in.WaitTimeSeconds; w != nil {
		if *w < 0 || *w > maxWait {
			return nil, errInvalidValue(*w, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
		}
		o.wait = w
	}
	if id := in.ReceiveRequestAttemptId; id != nil && !validToken(*id) {
		return nil, errInvalidValue(clip(*id, 200), "ReceiveRequestAttemptId", "ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	for _, list := range [][]string{in.AttributeNames, in.MessageSystemAttributeNames} {
		for _, n := range list {
			switch {
			case n == "All":
				o.sysAll = true
			case systemAttrNames[n]:
				o.sys[n] = true
			case isKnownAttr(n):
				// A queue attribute name: accepted, and means nothing here.
			default:
				return nil, errInvalidAttributeName("Unknown Attribute %s.", clip(n, 256))
			}
		}
	}
	for _, n := range in.MessageAttributeNames {
		switch {
		case n == "All" || n == ".*":
			o.attrAll = true
		case strings.HasSuffix(n, ".*"):
			o.attrPrefix = append(o.attrPrefix, strings.TrimSuffix(n, "*"))
		case n == "" || len(n) > maxAttrNameLen:
			return nil, errInvalidParameter("Message attribute name '%s' is invalid.", clip(n, 256))
		default:
			o.attrNames[n] = true
		}
	}
	return o, nil
}

func (o *receiveOptions) wantSys(name string) bool { return o.sysAll || o.sys[name] }

func (o *receiveOptions) wantAttr(name string) bool {
	if o.attrAll || o.attrNames[name] {
		return true
	}
	for _, p := range o.attrPrefix {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// delivery is what a receive decided for one message, captured under the
// lock because the entry may change once it is released.
type delivery struct {
	seq       uint64
	rc        int64
	firstRecv int64
	sentAt    int64
	srcArn    string
	state     msgState
}

// redrive moves one message to a dead-letter queue inside a receive.
type redrive struct {
	srcSeq uint64
	dstQID uint64
	dstSeq uint64
	srcArn string
	state  msgState
}

// receiveWrites is one receive's store work; messages is filled in by the
// transaction (and refilled if it runs again).
type receiveWrites struct {
	qid       uint64
	delivered []delivery
	expired   []uint64
	moves     []redrive
	messages  []*message
}

func (w *receiveWrites) empty() bool {
	return len(w.delivered) == 0 && len(w.expired) == 0 && len(w.moves) == 0
}

func (w *receiveWrites) apply(tx *bolt.Tx) error {
	w.messages = w.messages[:0]
	for _, seq := range w.expired {
		if err := deleteMessage(tx, w.qid, seq); err != nil {
			return err
		}
	}
	for i := range w.moves {
		if err := moveMessage(tx, w.qid, &w.moves[i]); err != nil {
			return err
		}
	}
	for i := range w.delivered {
		d := &w.delivered[i]
		if err := putState(tx, w.qid, d.seq, &d.state); err != nil {
			return err
		}
		m, err := getMessage(tx, w.qid, d.seq)
		if err != nil && !errors.Is(err, errCorrupt) {
			return err
		}
		// An unreadable record is skipped rather than failing the whole
		// shared commit.
		w.messages = append(w.messages, m)
	}
	return nil
}

// moveMessage carries a message's content to another queue under a new
// sequence, recording where it came from.
func moveMessage(tx *bolt.Tx, srcQID uint64, mv *redrive) error {
	m, err := getMessage(tx, srcQID, mv.srcSeq)
	if errors.Is(err, errCorrupt) {
		return nil
	}
	if err != nil || m == nil {
		return err
	}
	m.SourceArn = mv.srcArn
	if err := putMessage(tx, mv.dstQID, mv.dstSeq, encodeMessage(m), &mv.state); err != nil {
		return err
	}
	return deleteMessage(tx, srcQID, mv.srcSeq)
}

func (s *Service) receiveMessage(ctx context.Context, in *receiveMessageInput) (*receiveMessageOutput, error) {
	opts, err := parseReceive(in)
	if err != nil {
		return nil, err
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	wait := q.rec.Config.ReceiveMessageWaitTimeSeconds
	if opts.wait != nil {
		wait = *opts.wait
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		// s.mu is held here.
		if q.deleted {
			// Rebuilt from the store meanwhile, or really deleted.
			cur := s.byID[q.rec.ID]
			if cur == nil {
				s.mu.Unlock()
				return &receiveMessageOutput{}, nil
			}
			q = cur
		}
		now := s.now()
		w := s.pickLocked(q, opts, now)
		var done <-chan error
		if !w.empty() {
			done = s.submitLocked(w.apply)
		}
		if len(w.delivered) > 0 {
			region, name := q.rec.Region, q.rec.Name
			s.mu.Unlock()
			if err := <-done; err != nil {
				return nil, err
			}
			out := s.render(q, opts, w)
			s.recordReceive(region, name, len(out.Messages))
			return out, nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			region, name := q.rec.Region, q.rec.Name
			s.mu.Unlock()
			s.recordReceive(region, name, 0)
			return &receiveMessageOutput{}, nil
		}
		wake := q.waitChan()
		if next := q.idx.nextWake(now); next > 0 {
			if d := time.Duration(next-now) * time.Millisecond; d < remaining {
				remaining = d
			}
		}
		region, name := q.rec.Region, q.rec.Name
		s.mu.Unlock()
		timer := time.NewTimer(remaining)
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			s.recordReceive(region, name, 0)
			return &receiveMessageOutput{}, nil
		}
		timer.Stop()
		if err := s.lock(); err != nil {
			return nil, err
		}
	}
}

// pickLocked chooses the messages one receive delivers, redriving those
// past their queue's maxReceiveCount and dropping expired ones on the way.
func (s *Service) pickLocked(q *queue, opts *receiveOptions, now int64) *receiveWrites {
	w := &receiveWrites{qid: q.rec.ID}
	w.expired = s.expireLocked(q, now, false)
	cfg := &q.rec.Config
	vis := cfg.VisibilityTimeout
	if opts.visibility != nil {
		vis = *opts.visibility
	}
	retention := cfg.MessageRetentionPeriod * 1000
	var dlq *queue
	if cfg.Redrive != nil {
		if d := s.lookupArnLocked(cfg.Redrive.DeadLetterTargetArn); d != nil && d != q && d.fifo() == q.fifo() {
			dlq = d
		}
	}
	q.idx.pick(now, opts.max, func(e *entry) verdict {
		if e.enqAt+retention <= now {
			w.expired = append(w.expired, e.seq)
			return drop
		}
		if dlq != nil && e.rc >= cfg.Redrive.MaxReceiveCount {
			w.moves = append(w.moves, s.redriveLocked(q, dlq, e, now))
			return drop
		}
		e.rc++
		if e.firstRecv == 0 {
			e.firstRecv = now
		}
		e.visibleAt = now + vis*1000
		w.delivered = append(w.delivered, delivery{seq: e.seq, rc: e.rc, firstRecv: e.firstRecv,
			sentAt: e.sentAt, srcArn: e.srcArn, state: e.state()})
		return deliver
	})
	return w
}

// redriveLocked files a message in its dead-letter queue: it keeps its
// receive count and send time (AWS counts receives across queues) and, in
// a standard queue, its retention clock.
func (s *Service) redriveLocked(src, dlq *queue, e *entry, now int64) redrive {
	ne := &entry{seq: dlq.nextSeq, visibleAt: now, rc: e.rc, firstRecv: e.firstRecv, sentAt: e.sentAt,
		enqAt: e.enqAt, srcArn: src.arn, hidx: -1, aidx: -1}
	dlq.nextSeq++
	if dlq.fifo() {
		ne.enqAt = now
		ne.group = &group{id: e.groupID(), hidx: -1}
	}
	dlq.idx.add(ne, now)
	dlq.signal()
	return redrive{srcSeq: e.seq, dstQID: dlq.rec.ID, dstSeq: ne.seq, srcArn: src.arn, state: ne.state()}
}

// render builds the answer from the delivered messages' content.
func (s *Service) render(q *queue, opts *receiveOptions, w *receiveWrites) *receiveMessageOutput {
	out := &receiveMessageOutput{Messages: make([]receivedMessage, 0, len(w.delivered))}
	for i, m := range w.messages {
		if m == nil {
			continue // deleted meanwhile through an older receipt handle
		}
		d := &w.delivered[i]
		rm := receivedMessage{
			MessageId:     m.ID,
			ReceiptHandle: receipt{qid: q.rec.ID, seq: d.seq, rc: d.rc}.String(),
			MD5OfBody:     md5Hex(m.Body),
			Body:          m.Body,
		}
		attrs := map[string]string{}
		add := func(name, v string) {
			if v != "" && opts.wantSys(name) {
				attrs[name] = v
			}
		}
		add("SenderId", m.SenderID)
		add("SentTimestamp", strconv.FormatInt(d.sentAt, 10))
		add("ApproximateReceiveCount", strconv.FormatInt(d.rc, 10))
		add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(d.firstRecv, 10))
		add("MessageGroupId", m.GroupID)
		if q.fifo() {
			add("MessageDeduplicationId", m.DedupID)
			add("SequenceNumber", formatSeqNumber(d.seq))
		}
		add("DeadLetterQueueSourceArn", d.srcArn)
		for _, a := range m.SysAttrs {
			if a.Name == traceHeaderAttr {
				add(traceHeaderAttr, a.Str)
			}
		}
		if len(attrs) > 0 {
			rm.Attributes = attrs
		}
		var chosen []msgAttr
		for _, a := range m.Attrs {
			if opts.wantAttr(a.Name) {
				chosen = append(chosen, a)
			}
		}
		if len(chosen) > 0 {
			rm.MessageAttributes = make(map[string]attrValueOut, len(chosen))
			for _, a := range chosen {
				v := attrValueOut{DataType: a.DataType}
				if a.Kind == attrKindBinary {
					v.BinaryValue = a.Bin
				} else {
					str := a.Str
					v.StringValue = &str
				}
				rm.MessageAttributes[a.Name] = v
			}
			// The digest covers the attributes returned, as the SDKs that
			// check it recompute it over those.
			rm.MD5OfMessageAttributes = md5OfAttrs(chosen)
		}
		out.Messages = append(out.Messages, rm)
	}
	return out
}
