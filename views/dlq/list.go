package dlq

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// listMsg carries the DLQs found.
type listMsg struct {
	common.Stamp
	List inventory.DLQList
}

// queueMetrics is what the list shows of a queue's last hour.
type queueMetrics struct {
	// Age is the latest ApproximateAgeOfOldestMessage, in seconds; nil
	// when CloudWatch has no point.
	Age *float64
	// Depth is ApproximateNumberOfMessagesVisible over [Start, End), one
	// point per Period, oldest first; periods without data have no point.
	Depth      []chart.Point
	Start, End time.Time
	Period     time.Duration
}

// sparkCells is how many cells the depth sparkline has: five minutes each
// over the hour.
const sparkCells = 12

// metricsMsg carries the metrics of a few queues; next is the index of the
// queues to read after them.
type metricsMsg struct {
	common.Stamp
	Metrics map[string]queueMetrics
	next    int
	names   []string
	Err     error
}

// metricsBatch is how many queues' metrics are read at once.
const metricsBatch = 6

// declaredMsg carries the DLQs the config declares, read alone and fast,
// shown until the whole listing (a listMsg of the same gen) arrives.
type declaredMsg struct {
	common.Stamp
	List inventory.DLQList
}

// loadList lists the DLQs. Until a first listing is shown, it also reads
// the DLQs the config declares by themselves: the whole listing waits on
// its slowest service (up to inventory.ServiceTimeout for a silent Pipes
// endpoint), while the operator's own DLQs need SQS alone.
func (m *Model) loadList() tea.Cmd {
	stamp := m.lists.Next(m.env())
	s := m.session()
	if s == nil {
		m.listLoading = false
		m.list.SetEmpty("no session")
		return nil
	}
	m.listLoading = true
	// Each listing reads the streams' retentions anew: as they are now.
	m.streams = nil
	m.fresh.Start(m.o.now())
	if !m.listLoaded && !m.listPartial {
		// Nothing read yet: an empty list is no answer.
		m.list.SetEmpty("looking for dead-letter queues…")
	}
	declared := m.env().Config.Pipelines
	opts := append(slices.Clip(m.o.inventory), m.env().Shared())
	env := m.env()
	full := func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		return listMsg{Stamp: stamp, List: inventory.ListDLQs(ctx, s, declared, opts...)}
	}
	if m.listLoaded || !declaresDLQ(declared) {
		// A listing is on screen and stays until the new one replaces it.
		return full
	}
	fast := func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		return declaredMsg{Stamp: stamp, List: inventory.DeclaredDLQs(ctx, s, declared, opts...)}
	}
	return tea.Batch(fast, full)
}

func declaresDLQ(declared []config.Pipeline) bool {
	return slices.ContainsFunc(declared, func(p config.Pipeline) bool { return p.DLQ != "" })
}

// onDeclared shows the declared DLQs while the whole listing runs. It
// never replaces a whole listing: one of any gen on screen wins.
func (m *Model) onDeclared(msg declaredMsg) tea.Cmd {
	if !m.lists.Fresh(msg.Stamp, m.env()) || m.listLoaded {
		return nil
	}
	m.listPartial = true
	m.show(msg.List)
	// Metrics wait for the whole listing, which asks for every queue's.
	return nil
}

func (m *Model) onList(msg listMsg) tea.Cmd {
	if !m.lists.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	m.listLoading = false
	list := msg.List
	if m.listLoaded {
		// A refresh that could not read some sources keeps the queues
		// read before that it did not find again: the banner says the
		// listing is partial, and their rows stay until a read says
		// they are gone.
		list.DLQs = keepUnread(m.dlqs, list)
	}
	m.listLoaded = true
	m.listPartial = false
	// Failures are the banner's and the header's to say, not the
	// status bar's.
	if m.show(list) {
		m.fresh.Failed(m.o.now(), errors.New(m.listErr))
		return tea.Batch(m.loadMetrics(names(m.dlqs), 0), m.loadDeadlines())
	}
	m.fresh.Succeeded(m.o.now())
	return tea.Batch(common.Succeeded, m.loadMetrics(names(m.dlqs), 0), m.loadDeadlines())
}

// names are the queues whose metrics can be read.
func names(dlqs []inventory.DLQ) []string {
	out := make([]string, 0, len(dlqs))
	for _, d := range dlqs {
		if d.Failure == nil {
			out = append(out, d.Queue.Name)
		}
	}
	return out
}

// keepUnread is the new listing's DLQs plus those of the old one it does
// not hold, when it failed to read something: a denied or silent
// service is no evidence that a queue is gone.
func keepUnread(old []inventory.DLQ, l inventory.DLQList) []inventory.DLQ {
	failed := false
	for _, f := range l.Failures {
		failed = failed || f.Kind != backend.FailNotServed
	}
	if !failed {
		return l.DLQs
	}
	have := map[string]bool{}
	for _, d := range l.DLQs {
		have[d.Queue.Name] = true
	}
	out := slices.Clone(l.DLQs)
	for _, d := range old {
		if !have[d.Queue.Name] {
			out = append(out, d)
		}
	}
	return out
}

// show puts a listing on screen, its failures first, and reports whether
// it is partial (something could not be read).
func (m *Model) show(l inventory.DLQList) bool {
	m.listErr = ""
	dlqs := slices.Clone(l.DLQs)
	slices.SortFunc(dlqs, func(a, b inventory.DLQ) int { return strings.Compare(a.Queue.Name, b.Queue.Name) })
	m.dlqs = dlqs
	m.notes = nil
	note := func(n string) {
		if !slices.Contains(m.notes, n) {
			m.notes = append(m.notes, n)
		}
	}
	// What could not be read comes first: the list is partial.
	var partial []string
	for _, f := range l.Failures {
		if f.Kind == backend.FailNotServed {
			note(f.Service + ": not served here, none listed")
			continue
		}
		partial = append(partial, f.Error())
	}
	for _, d := range dlqs {
		for _, n := range d.Notes {
			note(n)
		}
	}
	for _, t := range l.Topics {
		note("SNS topic " + t.Name + " receives failures (not a queue)")
	}
	switch {
	case len(partial) > 0:
		m.listErr = plural(len(partial), "source") + " could not be read: " + strings.Join(partial, "; ")
		m.list.SetEmpty("no dead-letter queue could be read: " + partial[0])
	case m.listPartial:
		m.list.SetEmpty("looking for dead-letter queues…")
	default:
		m.list.SetEmpty("no dead-letter queues found")
	}
	m.refreshListRows()
	m.layout() // the failure banner takes lines from the list
	return len(partial) > 0
}

// loadMetrics reads the last hour of a few queues' metrics at a time, so
// that a long list fills in as it goes without a burst of calls.
func (m *Model) loadMetrics(names []string, from int) tea.Cmd {
	s := m.session()
	if s == nil || from >= len(names) {
		return nil
	}
	stamp, now := m.lists.Current(m.env()), m.o.now()
	batch := names[from:min(from+metricsBatch, len(names))]
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		series, fails := metrics.ForQueues(ctx, s, batch, now.Add(-time.Hour), now)
		out := make(map[string]queueMetrics, len(series))
		for name, sr := range series {
			out[name] = queueMetricsOf(sr, now)
		}
		var firstErr error
		if len(fails) > 0 {
			firstErr = fails[0]
		}
		return metricsMsg{Stamp: stamp, Metrics: out, names: names, next: from + len(batch), Err: firstErr}
	}
}

// queueMetricsOf keeps what the list shows of a queue's last hour: its
// depth over time and the age of its oldest message.
func queueMetricsOf(series []metrics.Series, now time.Time) queueMetrics {
	qm := queueMetrics{Start: now.Add(-time.Hour), End: now, Period: time.Minute}
	for _, sr := range series {
		switch sr.Name {
		case "ApproximateAgeOfOldestMessage":
			if p, ok := sr.Last(); ok {
				v := p.Value
				qm.Age = &v
			}
		case "ApproximateNumberOfMessagesVisible":
			if sr.Period > 0 {
				qm.Period = time.Duration(sr.Period) * time.Second
			}
			for _, p := range sr.Points {
				qm.Depth = append(qm.Depth, chart.Point{Time: p.Time, Value: p.Value})
			}
		}
	}
	return qm
}

func (m *Model) onMetrics(msg metricsMsg) tea.Cmd {
	if !m.lists.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	for name, qm := range msg.Metrics {
		m.metrics[name] = qm
	}
	m.refreshListRows()
	// Metrics are an extra: the header says they failed, the rows keep
	// what was read before.
	if msg.Err != nil {
		m.metricsErr = msg.Err.Error()
	} else if msg.next >= len(msg.names) {
		m.metricsErr = ""
	}
	return m.loadMetrics(msg.names, msg.next)
}

func listColumns() []table.Column {
	return []table.Column{
		{Title: "NAME", Width: 14, Flex: 3},
		{Title: "DEPTH", Width: 6, Right: true},
		{Title: "IN FLIGHT", Width: 9, Right: true},
		{Title: "OLDEST", Width: 7, Right: true},
		{Title: "DEADLINE", Width: 11, Right: true},
		{Title: "SOURCES", Width: 10, Flex: 3},
		{Title: "DEPTH 1H", Width: 12, Flex: 1},
	}
}

func (m *Model) refreshListRows() {
	rows := make([]table.Row, 0, len(m.dlqs))
	for _, d := range m.dlqs {
		q := d.Queue
		qm, hasMetrics := m.metrics[q.Name]
		age, trend := "-", ""
		if qm.Age != nil {
			age = FormatAge(*qm.Age)
		}
		if hasMetrics {
			trend = chart.Sparkline(chart.Resample(qm.Depth, qm.Start, qm.End, qm.Period, sparkCells), sparkCells)
		}
		tone := table.Dim
		if q.Visible > 0 {
			tone = table.Warn
		}
		depth, inFlight := strconv.Itoa(q.Visible), strconv.Itoa(q.NotVisible)
		due, dueTone, _ := m.deadlineCell(q.Name)
		if dueTone > tone {
			// A near deadline colours the row: the data it stands for is
			// about to be lost.
			tone = dueTone
		}
		// The age, the deadline and the trend's newest point sort; their
		// text does not.
		keys := make([]table.Key, 7)
		keys[3], keys[4], keys[6] = table.Missing(), table.Missing(), table.Missing()
		if qm.Age != nil {
			keys[3] = table.Num(*qm.Age)
		}
		if dq, ok := m.deadlines[q.Name]; ok && dq.Known() {
			keys[4] = table.Time(dq.At)
		}
		if n := len(qm.Depth); n > 0 {
			keys[6] = table.Num(qm.Depth[n-1].Value)
		}
		if d.Failure != nil {
			// Counts unknown: the row says why instead.
			tone, depth, inFlight, trend = table.Bad, "?", "?", string(d.Failure.Kind)
			keys[6] = table.Missing()
		}
		id := q.URL
		if id == "" {
			id = firstNonEmpty(q.ARN, q.Name)
		}
		sources := sourcesText(d)
		if m.listPartial {
			// Only the config was read yet: pipes, mappings, rules and
			// redrive policies may add sources.
			sources += " + discovering…"
		}
		rows = append(rows, table.Row{ID: id, Tone: tone, Sort: keys, Cells: []string{
			q.Name, depth, inFlight, age, due, sources, trend,
		}})
	}
	m.list.SetRows(rows)
}

// sourcesText names what feeds a DLQ: "pipe orders-to-api, sqs jobs".
func sourcesText(d inventory.DLQ) string {
	if len(d.Sources) == 0 {
		if d.Archived {
			return "(tagged " + inventory.ArchiveTag + ")"
		}
		return "-"
	}
	parts := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		parts[i] = string(s.Kind) + " " + s.Name
	}
	return strings.Join(parts, ", ")
}

// dlqByURL finds a listed DLQ.
func (m *Model) dlqByURL(url string) (inventory.DLQ, bool) {
	for _, d := range m.dlqs {
		if d.Queue.URL == url {
			return d, true
		}
	}
	return inventory.DLQ{}, false
}

// dlqByName finds a listed DLQ by name, URL or ARN.
func (m *Model) dlqByName(ref string) (inventory.DLQ, bool) {
	name := inventory.QueueName(ref)
	for _, d := range m.dlqs {
		if d.Queue.Name == name || d.Queue.URL == ref || d.Queue.ARN == ref {
			return d, true
		}
	}
	return inventory.DLQ{}, false
}

// FormatAge writes seconds as "45s", "12m", "3h04m" or "2d03h".
func FormatAge(sec float64) string {
	d := time.Duration(sec) * time.Second
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
