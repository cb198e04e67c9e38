package deadline

import (
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
)

// Queue is a DLQ's nearest deadline.
type Queue struct {
	Queue string `json:"queue"`
	URL   string `json:"url,omitempty"`
	// Exact is set when At is the nearest deadline of the messages a
	// browse saw; otherwise At is a bound: no message's deadline comes
	// before it.
	Exact bool      `json:"exact"`
	At    time.Time `json:"at,omitzero"`
	Cause Cause     `json:"cause,omitempty"`
	// MessageID is the message whose deadline is nearest (exact only).
	MessageID string `json:"messageId,omitempty"`
	// Messages counts the Kinesis failures with a deadline (exact only).
	Messages int `json:"messages,omitempty"`
	// RecordsGone counts the messages whose records are already past the
	// stream's retention (exact), or is 1 when the bound says they may be.
	RecordsGone int       `json:"recordsGone,omitempty"`
	BrowsedAt   time.Time `json:"browsedAt,omitzero"`
	// Basis says what a bound was computed from, or why there is none.
	Basis string `json:"basis,omitempty"`
	// Each is every message's deadline (exact only), in browse order.
	Each []Message `json:"-"`
}

// Known reports whether the queue has a deadline still ahead or passed.
func (q Queue) Known() bool { return !q.At.IsZero() }

// Left is the time from now to the deadline.
func (q Queue) Left(now time.Time) time.Duration { return q.At.Sub(now) }

// Exact is a browsed queue's deadlines: every message's, and the nearest
// among those whose records are still there. streams must hold the
// retention of every stream the messages point at.
func Exact(res dlq.BrowseResult, streams *Streams, now time.Time) Queue {
	r := NewRunning(res.Queue, streams, now)
	r.q.Each = make([]Message, 0, len(res.Messages))
	for _, m := range res.Messages {
		r.add(m)
	}
	return r.Queue(res.At)
}

// Bound is the earliest a listed DLQ's nearest deadline can be, computed
// without receiving: the oldest message was sent ageSec ago (negative for
// unknown: then no earlier than the queue's retention ago), and each
// Kinesis source sends a failure at most its maximum record age (or its
// stream's retention) after the record arrived. Each message's records
// therefore last at least sent − that age + retention, and the message
// itself at least sent + the queue's retention.
func Bound(d inventory.DLQ, ageSec float64, streams *Streams, now time.Time) Queue {
	q := Queue{Queue: d.Queue.Name, URL: d.Queue.URL}
	if d.Failure != nil {
		q.Basis = "the queue could not be read"
		return q
	}
	if d.Queue.Visible+d.Queue.NotVisible+d.Queue.Delayed == 0 {
		q.Basis = "empty"
		return q
	}
	queueRetention := time.Duration(d.Queue.RetentionSeconds) * time.Second
	var basis []string
	var sent time.Time // the oldest message's sent time, at the earliest
	switch {
	case ageSec >= 0:
		sent = now.Add(-time.Duration(ageSec * float64(time.Second)))
		basis = append(basis, "oldest message "+Short(now.Sub(sent))+" old")
	case queueRetention > 0:
		sent = now.Add(-queueRetention)
		basis = append(basis, "oldest message age unknown")
	default:
		q.Basis = "neither the age of the oldest message nor the queue's retention is known"
		return q
	}
	if queueRetention > 0 {
		q.At, q.Cause = sent.Add(queueRetention), CauseQueue
		basis = append(basis, "queue retention "+Short(queueRetention))
	}
	kinesis := 0
	for _, src := range d.Sources {
		if src.Stream == "" {
			continue
		}
		kinesis++
		ret, err := streams.Retention(src.Stream)
		if err != nil {
			basis = append(basis, err.Error())
			continue
		}
		lag, how := ret, "no maximum record age"
		if a := time.Duration(src.MaxRecordAgeSeconds) * time.Second; a > 0 && a < ret {
			lag, how = a, "max record age "+Short(a)
		}
		at := sent.Add(ret - lag)
		basis = append(basis, fmt.Sprintf("%s %s: %s, stream retention %dh", src.Kind, src.Name, how, int(ret.Hours())))
		if q.At.IsZero() || at.Before(q.At) {
			q.At, q.Cause = at, CauseStream
		}
	}
	if kinesis == 0 {
		// A payload DLQ holds its events: nothing is lost with a stream.
		return Queue{Queue: q.Queue, URL: q.URL, Basis: "no Kinesis source"}
	}
	if q.Known() && !q.At.After(now) {
		// The bound says the records may already be gone: only a browse
		// can tell.
		q.RecordsGone = 1
	}
	q.Basis = strings.Join(basis, "; ")
	return q
}

// Short writes a duration as "45s", "12m", "3h04m" or "2d03h".
func Short(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
	if neg {
		return "-" + s
	}
	return s
}
