package streams

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/sync/semaphore"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
)

// The messages this tab's commands produce; each goes to this tab only.
type (
	// pageMsg is one page of stream names.
	pageMsg struct {
		common.Stamp
		names []string
		// pager fetches the next page when more is set.
		pager *backend.Pager[string]
		more  bool
		err   error
	}
	// describedMsg is the summaries of a page's streams.
	describedMsg struct {
		common.Stamp
		// names are the streams asked for; background is set for a
		// chunk read off screen.
		names      []string
		background bool
		streams    []inventory.Stream
		// failed maps a stream that could not be described to why.
		failed map[string]error
	}
	// metricsMsg is a stream's last hour: incoming records per minute
	// and the worst iterator age.
	metricsMsg struct {
		common.Stamp
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
		common.Stamp
		depth map[string]int
		err   error
	}
	// reloadMsg reloads the tab (the retry of a failed load).
	reloadMsg struct{ common.Stamp }
	// editedMsg says the editor closed on a put record's data file.
	editedMsg struct {
		common.Stamp
		stream, key string
		path        string
		err         error
	}
)

func reload() tea.Msg { return reloadMsg{common.Stamp{Tab: common.StreamsTab}} }

// limiter bounds how many metrics calls the tab's commands make at
// once, across all of them (describes and DLQ depths are bounded by the
// backend's own fan-out).
type limiter = *semaphore.Weighted

func newLimiter(n int) limiter { return semaphore.NewWeighted(int64(n)) }

// limited runs f once lim has room, or not at all when ctx ends first.
func limited(ctx context.Context, lim limiter, f func()) error {
	if err := lim.Acquire(ctx, 1); err != nil {
		return err
	}
	defer lim.Release(1)
	f()
	return nil
}

// fetchPage reads the next page of names.
func fetchPage(stamp common.Stamp, env *common.Env, p *backend.Pager[string]) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		names, err := p.Next(ctx)
		if err != nil && env.Session != nil {
			// Classified and told as every listing's failure is (kind,
			// operation, AWS's answer), not as the SDK's chain.
			err = env.Session.Failure("kinesis", "", err)
		}
		return pageMsg{Stamp: stamp, names: names, pager: p, more: p.More(), err: err}
	}
}

// describe reads the summaries of names; the backend bounds and fans out
// the calls, and a stream it could not read becomes an error row.
func describe(stamp common.Stamp, env *common.Env, names []string, background bool) tea.Cmd {
	s := env.Session
	names = append([]string(nil), names...)
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		streams, failures := inventory.DescribeStreams(ctx, s, names)
		out := describedMsg{Stamp: stamp, names: names, background: background, streams: streams, failed: map[string]error{}}
		read := map[string]bool{}
		for _, st := range streams {
			read[st.Name] = true
		}
		var other error // a failure of no one stream (the rest not tried)
		for _, f := range failures {
			matched := false
			for _, name := range names {
				if f.Resource == inventory.StreamResource(name) {
					out.failed[name], matched = f, true
				}
			}
			if !matched && other == nil {
				other = f
			}
		}
		for _, name := range names {
			if _, failed := out.failed[name]; !failed && !read[name] && other != nil {
				out.failed[name] = other
			}
		}
		return out
	}
}

// metricsWindow is how far back the sparklines look.
const metricsWindow = time.Hour

// fetchMetrics reads a stream's last hour.
func fetchMetrics(stamp common.Stamp, env *common.Env, lim limiter, name string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		msg := metricsMsg{Stamp: stamp, name: name, start: now.Add(-metricsWindow), end: now}
		s := env.Session
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		// The call's own error, set inside, wins over the wait's.
		waitErr := limited(ctx, lim, func() {
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
		if waitErr != nil {
			msg.err = waitErr
		}
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

// fetchDLQ reads the DLQ depth of each stream's pipelines, in one
// backend call; what it could not read is the message's error, and the
// depths it could read stand.
func fetchDLQ(stamp common.Stamp, env *common.Env) tea.Cmd {
	s, declared, flag, shared := env.Session, env.Config.Pipelines, env.ArchiveFlag, env.Shared()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		d, err := inventory.StreamDLQDepths(ctx, s, declared, flag, shared)
		if err != nil {
			return dlqMsg{Stamp: stamp, err: err}
		}
		var partial backend.Failures
		for _, f := range d.Failures {
			if f.Kind != backend.FailNotServed {
				partial = append(partial, f)
			}
		}
		return dlqMsg{Stamp: stamp, depth: d.ByStream, err: partial.Err()}
	}
}
