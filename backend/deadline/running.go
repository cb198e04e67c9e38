package deadline

import (
	"context"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// Running computes a browse's deadlines one message at a time, as a
// streamed browse hands them out: each message's deadline at once, and
// the queue's nearest when the browse is over. Exact is the same over a
// browse kept whole.
type Running struct {
	streams *Streams
	now     time.Time
	q       Queue
	// queueRetention is the queue's MessageRetentionPeriod (0 unknown).
	queueRetention time.Duration
	// retentions caches each stream's retention looked up, so that the
	// streams' lock is taken once per stream, not per message.
	retentions map[string]time.Duration
	missing    []string
	failures   backend.Failures
}

// NewRunning starts the deadlines of a browse of queue at now; streams
// holds (or reads, through Add) the retentions of the streams the
// messages point at.
func NewRunning(queue dlq.Queue, streams *Streams, now time.Time) *Running {
	return &Running{
		streams:        streams,
		now:            now,
		q:              Queue{Queue: queue.Name, URL: queue.URL, Exact: true},
		queueRetention: time.Duration(queue.RetentionSeconds) * time.Second,
		retentions:     map[string]time.Duration{},
	}
}

// Add is m's deadline, reading its stream's retention first if it was
// not read yet (once per stream). A message that is no Kinesis failure
// has none.
func (r *Running) Add(ctx context.Context, m dlq.Message) (Message, bool) {
	if m.Failure == nil {
		return Message{}, false
	}
	arn := m.Failure.Batch.StreamARN
	if _, seen := r.retentions[arn]; !seen {
		r.streams.Load(ctx, []string{arn})
		if _, err := r.streams.Retention(arn); err != nil {
			r.failures = append(r.failures, r.streams.s.Failure("kinesis", "stream "+arn, err))
		}
	}
	return r.add(m)
}

// add is m's deadline from the retentions streams already holds.
func (r *Running) add(m dlq.Message) (Message, bool) {
	if m.Failure == nil {
		return Message{}, false
	}
	arn := m.Failure.Batch.StreamARN
	ret, seen := r.retentions[arn]
	if !seen {
		var err error
		if ret, err = r.streams.Retention(arn); err != nil {
			r.missing = append(r.missing, err.Error())
		}
		r.retentions[arn] = ret
	}
	d, ok := OfMessage(m, ret, r.queueRetention, r.now)
	if !ok {
		return Message{}, false
	}
	q := &r.q
	q.Each = append(q.Each, d)
	q.Messages++
	if d.RecordsGone {
		q.RecordsGone++
		return d, true
	}
	if q.At.IsZero() || d.At.Before(q.At) {
		q.At, q.Cause, q.MessageID = d.At, d.Cause, d.MessageID
	}
	return d, true
}

// Queue is the queue's nearest deadline over the messages added, for a
// browse made at browsedAt.
func (r *Running) Queue(browsedAt time.Time) Queue {
	q := r.q
	q.BrowsedAt = browsedAt
	switch {
	case len(r.missing) > 0:
		q.Basis = strings.Join(r.missing, "; ")
	case q.Messages == 0:
		q.Basis = "no Kinesis failure among the messages browsed"
	}
	return q
}

// Failures names the streams whose retention Add could not read.
func (r *Running) Failures() backend.Failures { return r.failures }
