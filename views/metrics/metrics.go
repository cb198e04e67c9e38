// Package metrics is the Metrics tab: a list of streams, DLQs and pipes,
// and charts of the selected one's CloudWatch metrics over a time range
// (15 minutes to 7 days), refreshed on their own.
package metrics

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bm "github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// Range is a time range the charts cover.
type Range struct {
	Label string
	Dur   time.Duration
}

// Ranges are the ranges T cycles through.
var Ranges = []Range{
	{"15m", 15 * time.Minute}, {"1h", time.Hour}, {"3h", 3 * time.Hour},
	{"12h", 12 * time.Hour}, {"1d", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour},
}

// defaultRange is 1h.
const defaultRange = 1

// Interval is how often the charts refresh on their own over a range: 15
// seconds over 15 minutes, a minute over longer ones.
func Interval(r Range) time.Duration {
	if r.Dur < time.Hour {
		return 15 * time.Second
	}
	return time.Minute
}

// data is a resource's series over one range.
type data struct {
	rng int
	// fetch stamps the newest read: only its answer is kept.
	fetch      common.Stamp
	loading    bool
	stale      bool
	start, end time.Time
	series     []bm.Series
	err        string
	fetchedAt  time.Time
}

// Model is the Metrics tab.
type Model struct {
	c    *common.Common
	list table.Model
	// hidden: another tab is shown (common.FocusMsg).
	hidden bool

	width, height int

	// loads stamps each listing; ticks each auto-refresh schedule;
	// fetches each read of a resource's series.
	loads, ticks, fetches common.Requests
	// names by kind, sorted; loaded and failed say which kinds answered.
	names  map[string][]string
	loaded map[string]bool
	failed map[string]string
	// extra are resources opened by name that no list holds (a queue
	// that is not a DLQ).
	extra []string

	// fresh is when the lists were last read: they are read again
	// when due, like every tab's lists.
	fresh common.Freshness

	rng      int
	auto     bool
	data     map[string]*data
	selectID string

	now func() time.Time
	loc *time.Location
	// tick is tea.Tick (tests catch the ticks instead of waiting).
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// Option tunes the tab.
type Option func(*Model)

// WithClock sets the clock ranges end at.
func WithClock(now func() time.Time) Option { return func(m *Model) { m.now = now } }

// WithLocation sets the time zone of the charts' times.
func WithLocation(loc *time.Location) Option { return func(m *Model) { m.loc = loc } }

// New makes the tab.
func New(c *common.Common, opts ...Option) *Model {
	m := &Model{c: c, loads: common.NewRequests(common.MetricsTab), ticks: common.NewRequests(common.MetricsTab), fetches: common.NewRequests(common.MetricsTab), rng: defaultRange, auto: true, now: time.Now, loc: time.Local, tick: tea.Tick}
	for _, o := range opts {
		o(m)
	}
	m.resetData()
	m.list = table.New(c.Styles, &c.Keys.List, []table.Column{{Title: "KIND", Width: 6}, {Title: "NAME", Width: 12, Flex: 1}})
	m.list.SetEmpty("loading…")
	m.SetSize(max(c.Width, 20), max(c.Height, 4))
	return m
}

func (m *Model) resetData() {
	m.names = map[string][]string{}
	m.loaded = map[string]bool{}
	m.failed = map[string]string{}
	m.extra = nil
	m.data = map[string]*data{}
}

func (m *Model) ID() common.TabID { return common.MetricsTab }
func (m *Model) Title() string    { return "Metrics" }

// Capturing is true while the list's filter is typed.
func (m *Model) Capturing() bool { return m.list.Filtering() }

// Init lists the resources and starts the auto-refresh.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.schedule()) }

// stamp is what a reply to the current listing carries.
func (m *Model) stamp() common.Stamp { return m.loads.Current(m.c.Env) }

// Range is the current range.
func (m *Model) Range() Range { return Ranges[m.rng] }

// Auto reports whether the charts refresh on their own.
func (m *Model) Auto() bool { return m.auto }

func (m *Model) load() tea.Cmd {
	stamp := m.loads.Next(m.c.Env)
	m.fresh.Start(m.now())
	for _, d := range m.data {
		d.stale, d.loading = true, false
	}
	if m.c.Env == nil || m.c.Env.Session == nil {
		m.list.SetEmpty("no session")
		return nil
	}
	cmds := make([]tea.Cmd, 0, len(kinds))
	for _, k := range kinds {
		cmds = append(cmds, fetchList(stamp, m.c.Env, k))
	}
	return tea.Batch(cmds...)
}

// schedule starts a new run of ticks, ending the previous one.
func (m *Model) schedule() tea.Cmd {
	stamp := m.ticks.Next(m.c.Env)
	if !m.auto {
		return nil
	}
	return m.tick(Interval(m.Range()), func(time.Time) tea.Msg { return tickMsg{stamp} })
}

// Update handles keys, lists, series and ticks. The selected resource's
// series is read while the tab is shown: a hidden tab's ticks only mark it
// stale, and it is read again when the tab is shown.
func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	cmd := m.update(msg)
	if m.hidden {
		return m, cmd
	}
	if more := m.wantSelected(); more != nil {
		cmd = tea.Batch(cmd, more)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		m.list, _ = m.list.Update(msg)
		return nil
	case common.OpenMsg:
		if msg.Target != "" {
			m.selectID = msg.Target
			m.applySelect()
		}
		return nil
	case common.FocusMsg:
		m.hidden = !msg.Focused
		if msg.Focused && m.fresh.Due(m.now()) {
			return m.load()
		}
		return nil
	case common.AutoRefreshMsg:
		// The lists, when due; the charts keep their own Interval.
		if m.fresh.Due(m.now()) {
			return m.load()
		}
		return nil
	case common.RefreshMsg, reloadMsg:
		return m.load()
	case common.SessionMsg:
		m.resetData()
		m.fresh.Forget()
		m.list.SetEmpty("loading…")
		m.list.SetRows(nil)
		return tea.Batch(m.load(), m.schedule())
	case listMsg:
		if !msg.Fresh(m.stamp()) {
			return nil
		}
		if msg.err != nil {
			// Said in this tab's header, which keeps the names read
			// before; never in the status bar, where it read as the
			// shown tab's failure.
			m.failed[msg.kind] = msg.err.Error()
			m.loaded[msg.kind] = true
			m.fresh.Failed(m.now(), fmt.Errorf("list %ss: %w", msg.kind, msg.err))
			m.rebuild()
			return nil
		}
		delete(m.failed, msg.kind)
		m.names[msg.kind] = msg.names
		m.loaded[msg.kind] = true
		if len(m.failed) == 0 && m.allLoaded() {
			m.fresh.Succeeded(m.now())
		}
		m.rebuild()
		return nil
	case seriesMsg:
		d := m.data[msg.id]
		if d == nil || !msg.Fresh(d.fetch) {
			return nil
		}
		d.loading, d.stale = false, false
		d.start, d.end, d.fetchedAt = msg.start, msg.end, msg.end
		if msg.err != nil {
			// The chart pane says it; ctrl+r reads again.
			d.err = msg.err.Error()
			return nil
		}
		d.err, d.series = "", msg.series
		return nil
	case refetchMsg:
		if d := m.data[msg.id]; d != nil && !d.loading {
			d.stale = true
			if msg.id != m.selectedID() {
				return m.fetch(msg.id)
			}
		}
		return nil
	case tickMsg:
		if !m.ticks.Fresh(msg.Stamp, m.c.Env) || !m.auto {
			return nil
		}
		if id := m.selectedID(); id != "" {
			if d := m.data[id]; d != nil {
				d.stale = true
			}
		}
		return m.schedule()
	}
	return nil
}

// rebuild gives the list its rows: streams, queues, pipes, each sorted.
func (m *Model) rebuild() {
	var rows []table.Row
	seen := map[string]bool{}
	for _, k := range kinds {
		for _, n := range m.names[k] {
			id := k + "/" + n
			seen[id] = true
			rows = append(rows, table.Row{ID: id, Cells: []string{k, n}})
		}
	}
	for _, id := range m.extra {
		if !seen[id] {
			k, n := splitID(id)
			rows = append(rows, table.Row{ID: id, Cells: []string{k, n}})
		}
	}
	m.list.SetRows(rows)
	if m.allLoaded() {
		m.list.SetEmpty("no streams, DLQs or pipes")
	}
	m.applySelect()
}

func (m *Model) allLoaded() bool {
	for _, k := range kinds {
		if !m.loaded[k] {
			return false
		}
	}
	return true
}

// applySelect moves the cursor to what an OpenMsg named: "kind/name", or
// a bare name of any kind (a stream first).
func (m *Model) applySelect() {
	if m.selectID == "" {
		return
	}
	want := m.selectID
	kind, name := splitID(want)
	rows := m.list.Visible()
	for _, k := range kinds {
		if kind != "" && k != kind {
			continue
		}
		for i, r := range rows {
			if r.ID == k+"/"+name {
				m.list.SetCursor(i)
				m.selectID = ""
				return
			}
		}
	}
	if !m.allLoaded() {
		return // it may yet come
	}
	m.selectID = ""
	if kind != "" {
		// Metrics can be read for any queue, stream or pipe by name:
		// add it.
		m.extra = append(m.extra, want)
		m.rebuild()
		m.selectID = want
		m.applySelect()
	}
}

// splitID splits "kind/name"; a bare name has no kind.
func splitID(id string) (kind, name string) {
	if k, n, ok := strings.Cut(id, "/"); ok {
		for _, known := range kinds {
			if k == known {
				return k, n
			}
		}
	}
	return "", id
}

func (m *Model) selectedID() string {
	r, ok := m.list.Selected()
	if !ok {
		return ""
	}
	return r.ID
}

// wantSelected fetches the selected resource's metrics when they are
// missing, stale or of another range.
func (m *Model) wantSelected() tea.Cmd {
	id := m.selectedID()
	if id == "" || m.c.Env == nil || m.c.Env.Session == nil {
		return nil
	}
	d := m.data[id]
	if d != nil && d.rng == m.rng && (d.loading || !d.stale) {
		return nil
	}
	return m.fetch(id)
}

func (m *Model) fetch(id string) tea.Cmd {
	stamp := m.fetches.Next(m.c.Env)
	d := m.data[id]
	if d == nil || d.rng != m.rng {
		d = &data{rng: m.rng}
		m.data[id] = d
	}
	d.fetch, d.loading = stamp, true
	end := m.now()
	start := end.Add(-m.Range().Dur)
	return fetchSeries(stamp, m.c.Env, id, m.rng, start, end)
}

// refetch is the retry of a failed read.
func (m *Model) refetch(id string) tea.Cmd {
	return func() tea.Msg { return refetchMsg{Stamp: common.Stamp{Tab: common.MetricsTab}, id: id} }
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.list.Filtering() {
		m.list, _ = m.list.Update(msg)
		return nil
	}
	k := m.c.Keys.Metrics
	switch {
	case key.Matches(msg, k.Range):
		m.rng = (m.rng + 1) % len(Ranges)
		return m.schedule()
	case key.Matches(msg, k.AutoRefresh):
		m.auto = !m.auto
		state := "off"
		if m.auto {
			state = "every " + chart.Duration(Interval(m.Range()))
			if d := m.data[m.selectedID()]; d != nil {
				d.stale = true
			}
		}
		return tea.Batch(m.schedule(), common.Status(common.Info, "auto-refresh "+state))
	}
	m.list, _ = m.list.Update(msg)
	return nil
}

// SetSize lays the tab out again.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	lw, lh := m.listSize()
	m.list.SetSize(lw, lh)
}

// wide is whether the list and the charts sit side by side.
func (m *Model) wide() bool { return m.width >= 120 }

func (m *Model) listSize() (w, h int) {
	body := max(m.height-1, 2)
	if m.wide() {
		return min(max(m.width/4, 28), 44), body
	}
	return m.width, min(max(body/3, 4), 10)
}

// Completions offers queues and pipes for the palette's :metrics (the
// Streams tab offers the streams).
func (m *Model) Completions(command string) []string {
	if command != "metrics" {
		return nil
	}
	var out []string
	for _, k := range []string{KindQueue, KindPipe} {
		for _, n := range m.names[k] {
			out = append(out, k+"/"+n)
		}
	}
	sort.Strings(out)
	return out
}

// ShortHelp is the footer's help.
func (m *Model) ShortHelp() []key.Binding {
	k, l := m.c.Keys.Metrics, m.c.Keys.List
	auto := k.AutoRefresh
	if m.auto {
		auto.SetHelp(auto.Help().Key, "auto refresh off")
	} else {
		auto.SetHelp(auto.Help().Key, "auto refresh on")
	}
	return []key.Binding{l.Up, l.Down, k.Range, auto, l.Filter}
}

// FullHelp is every binding of the tab.
func (m *Model) FullHelp() [][]key.Binding {
	k, l := m.c.Keys.Metrics, m.c.Keys.List
	return [][]key.Binding{
		append([]key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Filter, l.Back}, common.SortKeys(l)...),
		{k.Range, k.AutoRefresh},
	}
}
