package dlq

import (
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// deadlinesMsg carries the listed DLQs' data-loss deadlines, in the
// order of the list they were computed for.
type deadlinesMsg struct {
	common.Stamp
	Queues   []deadline.Queue
	Failures backend.Failures
}

// loadDeadlines computes every listed DLQ's deadline: exact for a queue
// browsed in this session, a bound for the others. It receives nothing;
// it reads each stream's retention once per listing (m.streams) and the
// ages the metrics have not given yet in one CloudWatch call.
func (m *Model) loadDeadlines() tea.Cmd {
	s := m.session()
	if s == nil || len(m.dlqs) == 0 {
		return nil
	}
	if m.streams == nil {
		m.streams = deadline.NewStreams(s)
	}
	stamp, now, env, streams := m.lists.Current(m.env()), m.o.now(), m.env(), m.streams
	dlqs := append(m.dlqs[:0:0], m.dlqs...)
	ages := map[string]float64{}
	for name, qm := range m.metrics {
		if qm.Age != nil {
			ages[name] = *qm.Age
		}
	}
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		qs, fs := deadline.ForDLQs(ctx, s, dlqs, deadline.Options{Ages: ages, ReadAges: true, Streams: streams, Now: now})
		return deadlinesMsg{Stamp: stamp, Queues: qs, Failures: fs}
	}
}

func (m *Model) onDeadlines(msg deadlinesMsg) tea.Cmd {
	if !m.lists.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	m.deadlines = make(map[string]deadline.Queue, len(msg.Queues))
	for _, q := range msg.Queues {
		m.deadlines[q.Queue] = q
	}
	m.deadlineErr = ""
	if len(msg.Failures) > 0 {
		m.deadlineErr = msg.Failures[0].Error()
	}
	m.refreshListRows()
	if m.level == levelBrowse {
		m.layout()
	}
	return m.announceDeadline()
}

// announceDeadline tells the root the nearest deadline, for the status
// bar's warning on every tab.
func (m *Model) announceDeadline() tea.Cmd {
	qs := make([]deadline.Queue, 0, len(m.deadlines))
	for _, d := range m.dlqs {
		if q, ok := m.deadlines[d.Queue.Name]; ok {
			qs = append(qs, q)
		}
	}
	near, found := deadline.Nearest(qs, m.o.now())
	msg := common.DeadlineMsg{Gen: m.env().Gen, Found: found, Queue: near}
	return func() tea.Msg { return msg }
}

// deadlineCell is a listed queue's DEADLINE cell and the tone it gives
// the row when it nears.
func (m *Model) deadlineCell(name string) (string, table.Tone, bool) {
	q, ok := m.deadlines[name]
	if !ok {
		return "…", table.Plain, false
	}
	return q.Text(m.o.now()), toneOf(q.Level(m.env().Thresholds(), m.o.now())), true
}

// messageDeadline is a browsed message's DEADLINE cell and tone.
func (m *Model) messageDeadline(id string) (string, table.Tone) {
	q, ok := m.deadlines[m.cur.name]
	if !ok || len(q.Each) == 0 {
		return "", table.Plain
	}
	for _, d := range q.Each {
		if d.MessageID == id {
			now := m.o.now()
			if d.RecordsGone {
				return d.Text(now), table.Bad
			}
			return d.Text(now), toneOf(m.env().Thresholds().Level(d.Left(now)))
		}
	}
	return "-", table.Plain
}

// messageDeadlineKey sorts a browsed message's DEADLINE by its time: the
// cell's text ("23h59m", "records gone") does not order.
func (m *Model) messageDeadlineKey(id string) table.Key {
	if q, ok := m.deadlines[m.cur.name]; ok {
		for _, d := range q.Each {
			if d.MessageID == id && !d.At.IsZero() {
				return table.Time(d.At)
			}
		}
	}
	return table.Missing()
}

func toneOf(l deadline.Level) table.Tone {
	switch l {
	case deadline.Near:
		return table.Warn
	case deadline.Critical, deadline.Gone:
		return table.Bad
	}
	return table.Plain
}
