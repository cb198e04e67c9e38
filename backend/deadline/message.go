package deadline

import (
	"time"

	"github.com/sluicehq/sluice/backend/dlq"
)

// Cause is what ends first for a message.
type Cause string

const (
	// CauseStream: the first record falls out of the stream's retention.
	CauseStream Cause = "stream-retention"
	// CauseQueue: the message itself expires from the queue.
	CauseQueue Cause = "queue-retention"
)

// Message is one DLQ message's deadline.
type Message struct {
	MessageID string    `json:"messageId"`
	At        time.Time `json:"at"`
	Cause     Cause     `json:"cause"`
	// RecordsExpire is the first record's arrival plus the stream's
	// retention; zero when either is unknown.
	RecordsExpire time.Time `json:"recordsExpire,omitzero"`
	// MessageExpires is the message's sent time plus the queue's
	// retention; zero when either is unknown.
	MessageExpires time.Time `json:"messageExpires,omitzero"`
	// RecordsGone is set when the records are already past the stream's
	// retention: hydrating can no longer read them.
	RecordsGone bool `json:"recordsGone,omitempty"`
}

// Left is the time from now to the deadline, negative once it passed.
func (m Message) Left(now time.Time) time.Duration { return m.At.Sub(now) }

// OfMessage is m's deadline given its stream's retention and its queue's
// (0 for unknown). A message that is no Kinesis failure (a payload, a
// malformed body) has none, nor one whose times are all unknown.
func OfMessage(m dlq.Message, streamRetention, queueRetention time.Duration, now time.Time) (Message, bool) {
	if m.Failure == nil {
		return Message{}, false
	}
	d := Message{MessageID: m.ID}
	if arrival := m.Failure.Batch.FirstArrival; !arrival.IsZero() && streamRetention > 0 {
		d.RecordsExpire = arrival.Add(streamRetention)
		d.RecordsGone = !d.RecordsExpire.After(now)
	}
	if !m.SentAt.IsZero() && queueRetention > 0 {
		d.MessageExpires = m.SentAt.Add(queueRetention)
	}
	switch {
	case d.RecordsExpire.IsZero() && d.MessageExpires.IsZero():
		return Message{}, false
	case d.MessageExpires.IsZero() || (!d.RecordsExpire.IsZero() && !d.MessageExpires.Before(d.RecordsExpire)):
		d.At, d.Cause = d.RecordsExpire, CauseStream
	default:
		d.At, d.Cause = d.MessageExpires, CauseQueue
	}
	return d, true
}
