package shards

import (
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// trafficMsg is the stream's shard-level metrics: each shard's incoming
// records and bytes a minute and its iterator age.
type trafficMsg struct {
	common.Stamp
	stream string
	loads  metrics.ShardLoads
	err    error
}

// shardTraffic is what the tab knows of its shards' load.
type shardTraffic struct {
	read  bool // an answer came
	loads metrics.ShardLoads
	hot   map[string]bool
	err   string
}

// loadTraffic reads the open shards' metrics; it follows each listing,
// so it is read at the list's cadence and only while the list is shown.
func (m *Model) loadTraffic(stamp common.Stamp) tea.Cmd {
	env, stream := m.c.Env, m.stream
	if env == nil || env.Session == nil || stream == "" {
		return nil
	}
	var open []string
	for _, s := range m.shardList {
		if s.Open {
			open = append(open, s.ID)
		}
	}
	wall := m.wall
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		loads, err := metrics.ReadShardLoads(ctx, env.Session, stream, open, wall())
		if err != nil {
			err = errors.New(env.Session.Failure("cloudwatch", "", err).Message)
		}
		return trafficMsg{Stamp: stamp, stream: stream, loads: loads, err: err}
	}
}

// trafficRead takes the metrics; a failure keeps what was read before and
// is said under the header.
func (m *Model) trafficRead(msg trafficMsg) {
	if !m.loads.Fresh(msg.Stamp, m.c.Env) || msg.stream != m.stream {
		return
	}
	if msg.err != nil {
		m.traffic.err = msg.err.Error()
	} else {
		var open []string
		for _, s := range m.shardList {
			if s.Open {
				open = append(open, s.ID)
			}
		}
		m.traffic = shardTraffic{read: true, loads: msg.loads, hot: msg.loads.Hot(open)}
	}
	m.SetSize(m.width, m.height) // the note may take or give back a line
}

// trafficCells are a shard's records/min, bytes/min and iterator age
// cells with their sort keys; "–" where nothing is known.
func (m *Model) trafficCells(id string, open bool) ([]string, []table.Key) {
	l, ok := m.traffic.loads.Loads[id]
	if !open || !m.traffic.read || !m.traffic.loads.Monitoring() {
		return []string{"–", "–", "–"}, []table.Key{table.Missing(), table.Missing(), table.Missing()}
	}
	if !ok {
		// Monitored, and nothing came in the window: a quiet shard.
		l = metrics.ShardLoad{}
	}
	recs := chart.Count(l.RecordsPerMinute)
	if m.traffic.hot[id] {
		recs = "▲" + recs
	}
	cells := []string{recs, chart.Bytes(l.BytesPerMinute), "–"}
	keys := []table.Key{table.Num(l.RecordsPerMinute), table.Num(l.BytesPerMinute), table.Missing()}
	if l.HasAge {
		cells[2] = chart.Duration(time.Duration(l.IteratorAgeMs * float64(time.Millisecond)))
		keys[2] = table.Num(l.IteratorAgeMs)
	}
	return cells, keys
}

// trafficNote is the line under the header that says why the load
// columns are empty, or that a hot shard stands out; "" when there is
// nothing to say.
func (m *Model) trafficNote() (string, bool) {
	switch {
	case m.traffic.err != "":
		return "✗ shard metrics: " + inert.Line(m.traffic.err), true
	case !m.traffic.read:
		return "", false
	case !m.traffic.loads.Monitoring():
		// On AWS shard-level metrics cost extra and are off by default.
		return "no shard metrics: enable the stream's enhanced monitoring to see shard load", false
	case len(m.traffic.hot) > 0:
		return "▲ hot: 2× the open shards' mean records/min or more (last " + chart.Duration(metrics.ShardWindow) + ")", false
	}
	return "", false
}
