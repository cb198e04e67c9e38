package deadline

import (
	"context"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
)

// Options shape ForDLQs.
type Options struct {
	// Ages are the ApproximateAgeOfOldestMessage values already read, in
	// seconds by queue name (the DLQ list reads them for its OLDEST
	// column). With ReadAges, those of the other queues that need a bound
	// are read from CloudWatch in one call per 500 queues.
	Ages     map[string]float64
	ReadAges bool
	// Streams holds retentions already read; nil starts an empty one.
	Streams *Streams
	// Now is the clock; zero for time.Now.
	Now time.Time
}

// ForDLQs is the nearest deadline of every listed DLQ, in the order
// given: exact for a queue browsed in this session (its kept browse), a
// bound for the others. It never receives a message. Its calls are one
// DescribeStreamSummary per stream not yet in o.Streams and, with
// ReadAges, one GetMetricData per 500 queues whose age is not given;
// what it could not read is a failure beside the deadlines.
func ForDLQs(ctx context.Context, s *backend.Session, dlqs []inventory.DLQ, o Options) ([]Queue, backend.Failures) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	streams := o.Streams
	if streams == nil {
		streams = NewStreams(s)
	}
	kept := make([]*dlq.BrowseResult, len(dlqs))
	var arns, needAge []string
	for i, d := range dlqs {
		if res, ok := dlq.Kept(s, d.Queue.URL); ok && d.Queue.URL != "" {
			kept[i] = &res
			for _, m := range res.Messages {
				if m.Failure != nil {
					arns = append(arns, m.Failure.Batch.StreamARN)
				}
			}
			if coversQueue(res, d) {
				continue
			}
			// Messages the browse did not see (it read part of the
			// queue, or hydrate took what it read while more wait):
			// their deadline is bounded as if the queue were unbrowsed.
		}
		kinesis := false
		for _, src := range d.Sources {
			if src.Stream != "" {
				arns, kinesis = append(arns, src.Stream), true
			}
		}
		if _, have := o.Ages[d.Queue.Name]; kinesis && !have && d.Failure == nil && d.Queue.Visible+d.Queue.NotVisible+d.Queue.Delayed > 0 {
			needAge = append(needAge, d.Queue.Name)
		}
	}
	var fs backend.Failures
	streams.Load(ctx, arns)
	ages := o.Ages
	if o.ReadAges && len(needAge) > 0 {
		read, err := OldestAges(ctx, s, needAge, now)
		if err != nil {
			fs = append(fs, s.Failure("cloudwatch", "", err))
		}
		ages = make(map[string]float64, len(o.Ages)+len(read))
		for k, v := range o.Ages {
			ages[k] = v
		}
		for k, v := range read {
			ages[k] = v
		}
	}
	seen := map[string]bool{}
	for _, a := range arns {
		if _, err := streams.Retention(a); err != nil && !seen[a] {
			seen[a] = true
			fs = append(fs, s.Failure("kinesis", "stream "+a, err))
		}
	}
	out := make([]Queue, len(dlqs))
	for i, d := range dlqs {
		var exact Queue
		if kept[i] != nil {
			exact = Exact(*kept[i], streams, now)
			if coversQueue(*kept[i], d) {
				out[i] = exact
				continue
			}
		}
		age, ok := ages[d.Queue.Name]
		if !ok {
			age = -1
		}
		out[i] = Bound(d, age, streams, now)
		if kept[i] != nil {
			out[i] = withBrowsed(out[i], exact, len(kept[i].Messages), depth(d))
		}
	}
	return out, fs
}

// depth is the messages a listing counted in a queue, hidden and delayed
// ones included.
func depth(d inventory.DLQ) int {
	return d.Queue.Visible + d.Queue.NotVisible + d.Queue.Delayed
}

// coversQueue reports whether a kept browse saw every message the queue
// holds now: it saw the whole queue when it ran, and the listing counts
// no more messages than it kept. Only then is its nearest deadline the
// queue's.
func coversQueue(res dlq.BrowseResult, d inventory.DLQ) bool {
	return res.Complete && depth(d) <= len(res.Messages)
}

// withBrowsed is a bound for a queue that was browsed in part: the
// nearer of the bound on the messages not seen and the exact deadlines
// of those seen, still a bound, each seen message's deadline kept for the
// message list.
func withBrowsed(bound, exact Queue, seen, total int) Queue {
	q := bound
	if exact.Known() && (!q.Known() || exact.At.Before(q.At)) {
		q.At, q.Cause, q.MessageID = exact.At, exact.Cause, exact.MessageID
	}
	q.RecordsGone = max(q.RecordsGone, exact.RecordsGone)
	q.Messages, q.Each, q.BrowsedAt = exact.Messages, exact.Each, exact.BrowsedAt
	note := fmt.Sprintf("browsed %d of %d messages", seen, total)
	if q.Basis != "" {
		note += "; the rest: " + q.Basis
	}
	q.Basis = note
	return q
}

// Nearest is the queue whose known deadline comes first, among those
// still ahead or exact: a bound that may already have passed says only
// that a browse is needed, and raises no warning.
func Nearest(qs []Queue, now time.Time) (Queue, bool) {
	var best Queue
	found := false
	for _, q := range qs {
		if !q.Known() || (!q.Exact && !q.At.After(now)) {
			continue
		}
		if !found || q.At.Before(best.At) {
			best, found = q, true
		}
	}
	return best, found
}

// ForBrowse is a browse's exact deadlines, reading the retention of the
// streams its messages point at (those not in streams yet).
func ForBrowse(ctx context.Context, s *backend.Session, res dlq.BrowseResult, streams *Streams, now time.Time) (Queue, backend.Failures) {
	if streams == nil {
		streams = NewStreams(s)
	}
	var arns []string
	for _, m := range res.Messages {
		if m.Failure != nil {
			arns = append(arns, m.Failure.Batch.StreamARN)
		}
	}
	streams.Load(ctx, arns)
	var fs backend.Failures
	seen := map[string]bool{}
	for _, a := range arns {
		if _, err := streams.Retention(a); err != nil && !seen[a] {
			seen[a] = true
			fs = append(fs, s.Failure("kinesis", "stream "+a, err))
		}
	}
	return Exact(res, streams, now), fs
}
