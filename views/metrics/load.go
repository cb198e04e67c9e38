package metrics

import (
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
	bm "github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/common"
)

// Kinds of resource, as they prefix an OpenMsg target ("queue/orders-dlq").
const (
	KindStream = "stream"
	KindQueue  = "queue"
	KindPipe   = "pipe"
)

var kinds = []string{KindStream, KindQueue, KindPipe}

// token stamps a request with the tab's load generation and the session's.
type token struct{ gen, env int }

type (
	// listMsg is the resources of one kind.
	listMsg struct {
		tok   token
		kind  string
		names []string
		err   error
	}
	// seriesMsg is a resource's metrics over a range.
	seriesMsg struct {
		tok token
		// id is kind/name; rng the range index; seq the fetch.
		id         string
		rng        int
		seq        int
		start, end time.Time
		series     []bm.Series
		err        error
	}
	// tickMsg is the auto-refresh; gen kills the ticks of an older
	// schedule.
	tickMsg struct{ gen int }
	// reloadMsg reloads the lists (a retry).
	reloadMsg struct{}
	// refetchMsg reads a resource's metrics again (a retry).
	refetchMsg struct{ id string }
)

func (listMsg) RouteTo() common.TabID    { return common.MetricsTab }
func (seriesMsg) RouteTo() common.TabID  { return common.MetricsTab }
func (tickMsg) RouteTo() common.TabID    { return common.MetricsTab }
func (reloadMsg) RouteTo() common.TabID  { return common.MetricsTab }
func (refetchMsg) RouteTo() common.TabID { return common.MetricsTab }

func reload() tea.Msg { return reloadMsg{} }

// fetchList lists the resources of a kind: every stream, every queue
// that is a DLQ, every pipe.
func fetchList(tok token, s *backend.Session, kind string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := common.Context()
		defer cancel()
		var names []string
		var err error
		switch kind {
		case KindStream:
			names, err = inventory.ListStreams(s).All(ctx)
		case KindQueue:
			// The queues that could be read are listed; what could not is
			// said by the DLQs tab.
			for _, d := range inventory.ListDLQs(ctx, s, nil).DLQs {
				names = append(names, d.Queue.Name)
			}
		case KindPipe:
			names, err = inventory.ListPipes(s).All(ctx)
		}
		sort.Strings(names)
		return listMsg{tok: tok, kind: kind, names: names, err: err}
	}
}

// fetchSeries reads a resource's metrics over [start, end).
func fetchSeries(tok token, s *backend.Session, id string, rng, seq int, start, end time.Time) tea.Cmd {
	kind, name := splitID(id)
	return func() tea.Msg {
		ctx, cancel := common.Context()
		defer cancel()
		msg := seriesMsg{tok: tok, id: id, rng: rng, seq: seq, start: start, end: end}
		switch kind {
		case KindStream:
			msg.series, msg.err = bm.ForStream(ctx, s, name, start, end)
		case KindQueue:
			msg.series, msg.err = bm.ForQueue(ctx, s, name, start, end)
		case KindPipe:
			msg.series, msg.err = bm.ForPipe(ctx, s, name, start, end)
		}
		return msg
	}
}
