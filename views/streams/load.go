package streams

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
)

// token stamps a request with the tab's load generation and the session's,
// so that a reply to an older one is dropped.
type token struct{ gen, env int }

// The messages this tab's commands produce; each goes to this tab only.
type (
	// pageMsg is one page of stream names.
	pageMsg struct {
		tok   token
		names []string
		// pager fetches the next page when more is set.
		pager *backend.Pager[string]
		more  bool
		err   error
	}
	// describedMsg is the summaries of a page's streams.
	describedMsg struct {
		tok     token
		streams []inventory.Stream
		// failed maps a stream that could not be described to why.
		failed map[string]error
	}
	// metricsMsg is a stream's last hour: incoming records per minute
	// and the worst iterator age.
	metricsMsg struct {
		tok        token
		name       string
		start, end time.Time
		incoming   []chart.Point
		// iterAge is the largest GetRecords.IteratorAgeMilliseconds;
		// hasAge is false when the hour has no such point.
		iterAge float64
		hasAge  bool
		err     error
	}
	// dlqMsg is the visible messages in the DLQs of each stream's
	// pipelines.
	dlqMsg struct {
		tok   token
		depth map[string]int
		err   error
	}
	// reloadMsg reloads the tab (the retry of a failed load).
	reloadMsg struct{}
	// writtenMsg says a write was carried out.
	writtenMsg struct {
		tok  token
		text string
		err  error
		// retry redoes the write (after its own confirmation).
		retry tea.Cmd
	}
	// editedMsg says the editor closed on a put record's data file.
	editedMsg struct {
		tok         token
		stream, key string
		path        string
		err         error
	}
)

func (pageMsg) RouteTo() common.TabID      { return common.StreamsTab }
func (describedMsg) RouteTo() common.TabID { return common.StreamsTab }
func (metricsMsg) RouteTo() common.TabID   { return common.StreamsTab }
func (dlqMsg) RouteTo() common.TabID       { return common.StreamsTab }
func (reloadMsg) RouteTo() common.TabID    { return common.StreamsTab }
func (writtenMsg) RouteTo() common.TabID   { return common.StreamsTab }
func (editedMsg) RouteTo() common.TabID    { return common.StreamsTab }

func reload() tea.Msg { return reloadMsg{} }

// limiter bounds how many calls the tab's commands make at once, across
// all of them.
type limiter chan struct{}

func newLimiter(n int) limiter { return make(limiter, n) }

func (l limiter) do(f func()) {
	l <- struct{}{}
	defer func() { <-l }()
	f()
}

// fetchPage reads the next page of names.
func fetchPage(tok token, p *backend.Pager[string]) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := common.Context()
		defer cancel()
		names, err := p.Next(ctx)
		return pageMsg{tok: tok, names: names, pager: p, more: p.More(), err: err}
	}
}

// describe reads the summaries of names, a few at a time.
func describe(tok token, s *backend.Session, lim limiter, names []string) tea.Cmd {
	names = append([]string(nil), names...)
	return func() tea.Msg {
		out := describedMsg{tok: tok, failed: map[string]error{}}
		res := make([]inventory.Stream, len(names))
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				lim.do(func() {
					ctx, cancel := common.Context()
					defer cancel()
					res[i], errs[i] = inventory.DescribeStream(ctx, s, name)
				})
			})
		}
		wg.Wait()
		for i, name := range names {
			if errs[i] != nil {
				out.failed[name] = errs[i]
				continue
			}
			out.streams = append(out.streams, res[i])
		}
		return out
	}
}

// metricsWindow is how far back the sparklines look.
const metricsWindow = time.Hour

// fetchMetrics reads a stream's last hour.
func fetchMetrics(tok token, s *backend.Session, lim limiter, name string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		msg := metricsMsg{tok: tok, name: name, start: now.Add(-metricsWindow), end: now}
		lim.do(func() {
			ctx, cancel := common.Context()
			defer cancel()
			series, err := metrics.ForStream(ctx, s, name, msg.start, msg.end)
			if err != nil {
				msg.err = err
				return
			}
			for _, se := range series {
				switch se.Name {
				case "IncomingRecords":
					msg.incoming = points(se)
				case "GetRecords.IteratorAgeMilliseconds":
					if len(se.Points) > 0 {
						msg.iterAge, msg.hasAge = se.Max(), true
					}
				}
			}
		})
		return msg
	}
}

func points(s metrics.Series) []chart.Point {
	out := make([]chart.Point, len(s.Points))
	for i, p := range s.Points {
		out[i] = chart.Point{Time: p.Time, Value: p.Value}
	}
	return out
}

// fetchDLQ finds each stream's pipelines and adds up the visible
// messages of their DLQs.
func fetchDLQ(tok token, s *backend.Session, env *common.Env, lim limiter) tea.Cmd {
	declared, flag := env.Config.Pipelines, env.ArchiveFlag
	return func() tea.Msg {
		ctx, cancel := common.Context()
		defer cancel()
		pipelines, err := inventory.Pipelines(ctx, s, declared, flag)
		if err != nil {
			return dlqMsg{tok: tok, err: err}
		}
		// One DLQ may serve several pipelines of a stream: count it once.
		queues := map[string]map[string]bool{} // stream → DLQ URLs
		for _, p := range pipelines {
			if p.Stream == "" || p.DLQURL == "" {
				continue
			}
			if queues[p.Stream] == nil {
				queues[p.Stream] = map[string]bool{}
			}
			queues[p.Stream][p.DLQURL] = true
		}
		visible := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var firstErr error
		seen := map[string]bool{}
		for _, urls := range queues {
			for url := range urls {
				if seen[url] {
					continue
				}
				seen[url] = true
				wg.Go(func() {
					lim.do(func() {
						qctx, qcancel := context.WithTimeout(ctx, common.CallTimeout)
						defer qcancel()
						q, err := inventory.DescribeQueue(qctx, s, url)
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							if firstErr == nil {
								firstErr = err
							}
							return
						}
						visible[url] = q.Visible
					})
				})
			}
		}
		wg.Wait()
		depth := map[string]int{}
		for stream, urls := range queues {
			n, known := 0, false
			for url := range urls {
				if v, ok := visible[url]; ok {
					n += v
					known = true
				}
			}
			if known {
				depth[stream] = n
			}
		}
		return dlqMsg{tok: tok, depth: depth, err: firstErr}
	}
}
