package metrics

import (
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

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

type (
	// listMsg is the resources of one kind.
	listMsg struct {
		common.Stamp
		kind  string
		names []string
		err   error
	}
	// seriesMsg is a resource's metrics over a range.
	seriesMsg struct {
		// Stamp is the fetch's: a resource's newest fetch wins.
		common.Stamp
		// id is kind/name; rng the range index.
		id         string
		rng        int
		start, end time.Time
		series     []bm.Series
		err        error
	}
	// tickMsg is the auto-refresh; a newer schedule turns the older
	// one's ticks stale.
	tickMsg struct{ common.Stamp }
	// reloadMsg reloads the lists (a retry).
	reloadMsg struct{ common.Stamp }
	// refetchMsg reads a resource's metrics again (a retry).
	refetchMsg struct {
		common.Stamp
		id string
	}
)

func reload() tea.Msg { return reloadMsg{common.Stamp{Tab: common.MetricsTab}} }

// fetchList lists the resources of a kind: every stream, every queue
// that is a DLQ, every pipe.
func fetchList(stamp common.Stamp, env *common.Env, kind string) tea.Cmd {
	s := env.Session
	shared := env.Shared()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		var names []string
		var err error
		switch kind {
		case KindStream:
			// Every name in one call: pages of 100 would spend AWS's
			// ListStreams budget (5 a second) a hundred times over.
			names, err = inventory.StreamNames(ctx, s)
		case KindQueue:
			// The queues that could be read are listed; what could not is
			// said by the DLQs tab.
			for _, d := range inventory.ListDLQs(ctx, s, nil, shared).DLQs {
				names = append(names, d.Queue.Name)
			}
		case KindPipe:
			names, err = inventory.ListPipes(s).All(ctx)
		}
		sort.Strings(names)
		return listMsg{Stamp: stamp, kind: kind, names: names, err: err}
	}
}

// fetchSeries reads a resource's metrics over [start, end).
func fetchSeries(stamp common.Stamp, env *common.Env, id string, rng int, start, end time.Time) tea.Cmd {
	kind, name := splitID(id)
	s := env.Session
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		msg := seriesMsg{Stamp: stamp, id: id, rng: rng, start: start, end: end}
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
