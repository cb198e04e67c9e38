package inventory

import (
	"context"
	"sort"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

// DLQDepths is the visible messages in the DLQs of each stream's
// pipelines, and what could not be read.
type DLQDepths struct {
	// ByStream holds a stream only when at least one of its DLQs was
	// read.
	ByStream map[string]int   `json:"byStream"`
	Failures backend.Failures `json:"failures,omitempty"`
}

// StreamDLQDepths discovers the pipelines (declared ones included) and
// adds up, per stream, the visible messages of their DLQs, each queue
// read once however many pipelines share it, a bounded number at a
// time. A queue that cannot be read is a failure and the other streams'
// depths stand.
func StreamDLQDepths(ctx context.Context, s *backend.Session, declared []config.Pipeline, archiveFlag string, opts ...Option) (DLQDepths, error) {
	d, err := Discover(ctx, s, declared, archiveFlag, opts...)
	if err != nil {
		return DLQDepths{}, err
	}
	out := DLQDepths{ByStream: map[string]int{}, Failures: d.Failures}
	byStream := map[string]map[string]bool{} // stream → DLQ URLs
	var urls []string
	seen := map[string]bool{}
	for _, p := range d.Pipelines {
		if p.Stream == "" || p.DLQURL == "" {
			continue
		}
		if byStream[p.Stream] == nil {
			byStream[p.Stream] = map[string]bool{}
		}
		byStream[p.Stream][p.DLQURL] = true
		if !seen[p.DLQURL] {
			seen[p.DLQURL] = true
			urls = append(urls, p.DLQURL)
		}
	}
	sort.Strings(urls)
	type depth struct {
		url     string
		visible int
	}
	read, fs := describeEach(ctx, s, "sqs", queueConcurrency, timeoutOf(opts), urls, QueueResource,
		func(ctx context.Context, url string) (depth, error) {
			q, err := describeQueue(ctx, s, url, opts)
			return depth{url, q.Visible}, err
		}, nil)
	out.Failures = append(out.Failures, fs...)
	visible := map[string]int{}
	for _, r := range read {
		visible[r.url] = r.visible
	}
	for stream, urls := range byStream {
		n, known := 0, false
		for url := range urls {
			if v, ok := visible[url]; ok {
				n, known = n+v, true
			}
		}
		if known {
			out.ByStream[stream] = n
		}
	}
	return out, nil
}
