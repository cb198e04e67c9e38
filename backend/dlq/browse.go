package dlq

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
)

const (
	// DefaultBrowse is how many messages a browse reads when not told.
	DefaultBrowse = 100
	// MaxBrowse bounds a browse of "all": every message is held hidden
	// and in memory until the browse ends.
	MaxBrowse = 10_000
	// DefaultPeek is how many messages a peek reads when not told.
	DefaultPeek = 10
	// DefaultVisibility is how long, in seconds, messages stay hidden
	// while a browse runs, should the release fail.
	DefaultVisibility = 30
)

// BrowseOptions shape a browse.
type BrowseOptions struct {
	// Max is how many messages to read; 0 reads them all, up to
	// MaxBrowse. Views that show a page pass DefaultBrowse.
	Max int
	// VisibilityTimeout is how long, in seconds, received messages are
	// hidden while the browse runs; DefaultVisibility when 0.
	VisibilityTimeout int32
}

// limit is how many messages the browse may hold.
func (o BrowseOptions) limit() int {
	if o.Max <= 0 || o.Max > MaxBrowse {
		return MaxBrowse
	}
	return o.Max
}

func (o BrowseOptions) visibility() int32 {
	if o.VisibilityTimeout <= 0 {
		return DefaultVisibility
	}
	return o.VisibilityTimeout
}

// BrowseResult is what a browse saw and what it left behind.
type BrowseResult struct {
	// Queue is the queue as it was before the browse.
	Queue    Queue     `json:"queue"`
	Messages []Message `json:"messages"`
	// Released counts the messages made visible again; ReleaseFailures
	// names those that stay hidden until their visibility timeout ends.
	Released        int      `json:"released"`
	ReleaseFailures []string `json:"releaseFailures,omitempty"`
	// Warning tells the operator what the browse did to the queue.
	Warning string `json:"warning,omitempty"`
	// Complete reports that the browse saw every message the queue held
	// when it started (none in flight with a consumer, none left unread).
	Complete bool `json:"complete"`
	// At is when the browse ran: what it shows is the queue as it was
	// then, and Kept hands it back later.
	At time.Time `json:"browsedAt"`
	// Read is how many messages the browse read: len(Messages) when it
	// kept them, and the count of those BrowseEach handed out.
	Read int `json:"-"`
}

// Browse reads a queue's messages and then makes every one visible again
// at once, so that consumers and redrives find the queue as it was, apart
// from receive counts: SQS counts every receive, a browse's too, and the
// Warning says so.
//
// SQS has no read without side effects: a receive raises the count and
// hides the message, and the release (ChangeMessageVisibility to 0) hands
// back what the browse itself took. Read-only mode therefore allows a
// browse only of a queue without a redrive policy of its own, where a
// raised count moves nothing (RefuseReadOnly); it is audited because it
// raises receive counts.
//
// When ctx ends mid-browse (Ctrl-C, SIGTERM), the receives under way still
// finish and everything held is released with a fresh, bounded context.
func Browse(ctx context.Context, s *backend.Session, queueURL string, o BrowseOptions) (BrowseResult, error) {
	var msgs []Message
	res, err := BrowseEach(ctx, s, queueURL, o, func(_ Queue, m Message) error {
		msgs = append(msgs, m)
		return nil
	})
	res.Messages = append([]Message{}, msgs...)
	if err == nil {
		keep(s, res)
	}
	return res, err
}

// BrowseEach is Browse that hands each message to each as it is
// received, the queue (as described before the browse) with it, instead
// of keeping them: the messages stay hidden until the browse ends, but
// only their receipt handles are held, so that a caller can write them
// out as they come. An error from each ends the receives; what was
// received is still released. The result has no Messages (Read counts
// them) and is not kept for the session.
func BrowseEach(ctx context.Context, s *backend.Session, queueURL string, o BrowseOptions, each func(Queue, Message) error) (BrowseResult, error) {
	q, err := Describe(ctx, s, queueURL)
	if err != nil {
		return BrowseResult{}, fmt.Errorf("browse %s: %w", NameOfURL(queueURL), err)
	}
	if err := RefuseReadOnly(s, q); err != nil {
		return BrowseResult{Queue: q, Messages: []Message{}}, err
	}
	res := BrowseResult{Queue: q, At: time.Now().UTC()}
	atRisk := 0
	h := newHolder(s, q, o.visibility())
	h.fresh = func(raw types.Message) error {
		m := messageOf(raw)
		res.Read++
		if q.Redrive != nil && m.ReceiveCount >= q.Redrive.MaxReceiveCount {
			atRisk++
		}
		return each(q, m)
	}
	recvErr := h.receive(ctx, o.limit(), nil)
	res.Released, res.ReleaseFailures = release(ctx, s, queueURL, h.msgs)
	if len(h.msgs) > 0 || recvErr != nil {
		s.Audit("dlq browse", fmt.Sprintf("%s (%d messages received and released)", queueURL, len(h.msgs)), recvErr)
	}
	res.Complete = res.Read >= q.Visible && q.InFlight == 0
	res.Warning = browseWarning(q, res.Read, atRisk)
	if recvErr == nil && res.Read < q.Visible && res.Read < o.limit() {
		if q.Redrive != nil {
			res.Warning += movedAwayWarning(ctx, s, q, res.Read)
		}
		if q.FIFO {
			res.Warning += fmt.Sprintf(" %s is a FIFO queue: SQS hands out no more of a message group while some of it is hidden, so this browse saw only the first messages of each group (%d of about %d); the next ones show once these are deleted or hydrated.",
				q.Name, res.Read, q.Visible)
		}
		res.Warning = strings.TrimSpace(res.Warning)
	}
	if recvErr != nil {
		return res, fmt.Errorf("browse %s: %w", NameOfURL(queueURL), recvErr)
	}
	return res, nil
}

// RefuseReadOnly refuses, under read-only, the browse of a queue that has
// a redrive policy of its own: every receive counts toward its
// maxReceiveCount, so that looking could move its messages into its DLQ,
// which is a write. It says why and what to do instead.
func RefuseReadOnly(s *backend.Session, q Queue) error {
	if !s.ReadOnly() || q.Redrive == nil {
		return nil
	}
	r := q.Redrive
	return fmt.Errorf("browse %s: refused in %w: %s has a redrive policy of its own (a message received more than %d times moves to %s), "+
		"and SQS counts every receive, a browse's too, so browsing could move its messages into %s. "+
		"Browse %s instead, or browse %s without read-only (%s)",
		q.Name, backend.ErrReadOnly, q.Name, r.MaxReceiveCount, r.DeadLetterQueue(), r.DeadLetterQueue(),
		r.DeadLetterQueue(), q.Name, s.ReadOnlyReason())
}

// Peek is a small browse: the first max messages (DefaultPeek when 0).
func Peek(ctx context.Context, s *backend.Session, queueURL string, max int) (BrowseResult, error) {
	if max <= 0 {
		max = DefaultPeek
	}
	return Browse(ctx, s, queueURL, BrowseOptions{Max: max})
}

// browseWarning says what the browse did to receive counts and, on a
// queue with its own redrive policy, what that puts at risk: atRisk of
// the read messages have reached its maxReceiveCount.
func browseWarning(q Queue, read, atRisk int) string {
	var parts []string
	if read > 0 {
		parts = append(parts, fmt.Sprintf("This browse raised the receive count of each of the %d messages it read by one (SQS counts every receive, a peek's too).", read))
	}
	if r := q.Redrive; r != nil {
		dlq := r.DeadLetterQueue()
		s := fmt.Sprintf("%s has a redrive policy: a message received more than %d times moves to %s, so a peek can push messages with a receive count ≥ %d into %s.",
			q.Name, r.MaxReceiveCount, dlq, r.MaxReceiveCount, dlq)
		if atRisk > 0 {
			s += fmt.Sprintf(" %d of the messages read now have a receive count ≥ %d: the next receive, by a consumer or another peek, moves them into %s.", atRisk, r.MaxReceiveCount, dlq)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// movedAwayWarning looks for messages that were in the queue before the
// browse and are neither among those read nor still there: on a queue
// with a redrive policy, the browse's own receive has most likely moved
// them into the DLQ, and the operator should know where they went.
func movedAwayWarning(ctx context.Context, s *backend.Session, before Queue, read int) string {
	after, err := Describe(ctx, s, before.URL)
	if err != nil {
		return ""
	}
	gone := before.Visible - read - after.Visible
	if gone <= 0 {
		return ""
	}
	return fmt.Sprintf(" About %d messages left %s while this browse ran: they had reached %d receives, so the browse's own receive most likely moved them into %s.",
		gone, before.Name, before.Redrive.MaxReceiveCount, before.Redrive.DeadLetterQueue())
}
