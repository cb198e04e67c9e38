package hydrate

import (
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// Options say where events are archived and how a run behaves.
type Options struct {
	// Archive is where events are written; required.
	Archive backend.ArchiveLocation
	// DLQ names the queue (name or ARN) in each event's failure; the
	// queue's name when empty.
	DLQ string
	// IDs limits Queue to these message ids; every message when empty.
	IDs []string
	// Concurrency bounds the messages hydrated at once, and, times
	// WritesPerMessage, the objects written at once across them; 4 when
	// zero.
	Concurrency int
	// Progress, when set, receives every result as it is known (Queue).
	// Calls come from one goroutine at a time.
	Progress func(Result)
	// RetryAfter is how long Watch leaves a message it could not hydrate
	// before it is tried again; 60 s when zero.
	RetryAfter time.Duration
	// Now is the clock of HydratedAt; time.Now when nil.
	Now func() time.Time
}

const (
	defaultConcurrency = 4
	defaultRetryAfter  = 60 * time.Second
	// holdFor is the visibility timeout of received messages: long enough
	// to read a batch of 10,000 records and write and verify each.
	holdFor = 5 * time.Minute
)

func (o Options) withDefaults(queueURL string) Options {
	if o.Concurrency <= 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = defaultRetryAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DLQ == "" {
		o.DLQ = dlq.NameOfURL(queueURL)
	}
	return o
}

// Received is a message as ReceiveMessage returned it: dlq.Message's
// fields that hydrate needs, and the queue it came from (FromDLQ converts).
type Received struct {
	// QueueURL is the queue the message was received from.
	QueueURL      string `json:"queueUrl"`
	ID            string `json:"messageId"`
	ReceiptHandle string `json:"-"`
	Body          string `json:"body"`
	ReceiveCount  int    `json:"receiveCount"`
}

// FromDLQ is a message a dlq browse or peek received from queueURL, to
// hydrate. Its receipt handle must still be current: SQS honours only the
// latest receive's.
func FromDLQ(queueURL string, m dlq.Message) Received {
	return Received{QueueURL: queueURL, ID: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, ReceiveCount: m.ReceiveCount}
}

// Outcome is what hydrating a message came to.
type Outcome string

const (
	// Hydrated: every record is archived and confirmed; the message is
	// deleted.
	Hydrated Outcome = "hydrated"
	// Left: the message stays in the DLQ because it cannot be finished
	// (records past retention, a malformed failure); retrying will not help.
	Left Outcome = "left"
	// Skipped: not a Kinesis failure (a payload from an SQS source); it
	// is redriven, not hydrated.
	Skipped Outcome = "skipped"
	// Failed: an error (S3, Kinesis, SQS) stopped it; the message stays
	// and a retry may succeed.
	Failed Outcome = "failed"
)

// Result is what happened to one message.
type Result struct {
	MessageID string  `json:"messageId"`
	Outcome   Outcome `json:"outcome"`
	// Events is how many archive objects were written and confirmed (by
	// the checksum the store echoed, or read back).
	Events int `json:"events"`
	// Records is how many of the failure's records the stream still held.
	Records int `json:"records"`
	// Keys are the objects written and confirmed, in the records' order.
	Keys []string `json:"keys,omitempty"`
	// Reason says, in a sentence, why the message was not hydrated.
	Reason  string       `json:"reason,omitempty"`
	Failure *dlq.Failure `json:"failure,omitempty"`
	// Err is the error of a Failed outcome.
	Err error `json:"-"`
}

// Summary is what a run over a queue did.
type Summary struct {
	// Results holds every message handled, in the order they finished.
	Results []Result `json:"results"`
	// Hydrated counts messages hydrated and deleted; Events the objects
	// they wrote.
	Hydrated int `json:"hydrated"`
	Events   int `json:"events"`
	Left     int `json:"left"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	// Missing are requested ids that were not in the queue.
	Missing []string `json:"missing,omitempty"`
	// Outside are messages the run received that were not among the ids
	// asked for (Options.IDs): most often ones that arrived after the
	// confirmation. They are left in the queue, released at once.
	Outside []string `json:"outside,omitempty"`
}

func (s *Summary) add(r Result) {
	s.Results = append(s.Results, r)
	s.Events += r.Events
	switch r.Outcome {
	case Hydrated:
		s.Hydrated++
	case Left:
		s.Left++
	case Skipped:
		s.Skipped++
	default:
		s.Failed++
	}
}
