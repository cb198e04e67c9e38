// Package dlq is the DLQs tab: every dead-letter queue with its depth, the
// age of its oldest message, what feeds it and a depth sparkline; inside
// one, its messages as browsed (each released at once; SQS counts every
// receive, so a queue is browsed only when opened the first time or when
// the operator asks again, and the browse is kept), parsed as Kinesis failures or shown as payloads; and the work done on
// them: hydrate into the archive, redrive, delete, purge, export and trace.
package dlq

import (
	"cmp"
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/deadline"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/consumers"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/progress"
	"github.com/sluicehq/sluice/views/split"
	"github.com/sluicehq/sluice/views/table"
)

// Option tunes the tab.
type Option func(*options)

type options struct {
	now       func() time.Time
	exportDir string
	poll      time.Duration
	inventory []inventory.Option
}

// WithClock sets the clock used for metric ranges, export file names and
// rates (tests pass a fixed one).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithExportDir sets where `e` writes its JSON Lines files (the working
// directory by default).
func WithExportDir(dir string) Option { return func(o *options) { o.exportDir = dir } }

// WithPollInterval sets how often a redrive's move task is checked (a
// second by default).
func WithPollInterval(d time.Duration) Option { return func(o *options) { o.poll = d } }

// WithInventory tunes the listings the tab makes (tests and benchmarks
// pass a shorter bound than inventory.ServiceTimeout).
func WithInventory(opts ...inventory.Option) Option {
	return func(o *options) { o.inventory = opts }
}

type level int

const (
	levelList level = iota
	levelBrowse
)

// target is the queue being browsed.
type target struct {
	name, url, arn string
}

// Model is the DLQs tab.
type Model struct {
	c *common.Common
	o options

	level  level
	list   table.Model
	msgs   table.Model
	detail jsonview.Model
	// split lays the messages and a message's detail out.
	split    split.Model
	detailID string

	// The list.
	dlqs    []inventory.DLQ
	notes   []string
	metrics map[string]queueMetrics // by queue name
	// lists stamps each listing (and the metrics read for it).
	lists       common.Requests
	listLoading bool
	listLoaded  bool
	// listPartial is set while the list shows the declared DLQs alone,
	// the whole listing still running.
	listPartial bool
	listErr     string
	// fresh is when the list was last read whole, and whether its
	// latest read failed; metricsErr the latest metrics failure.
	fresh      common.Freshness
	metricsErr string
	// deadlines are the queues' data-loss deadlines by name; streams the
	// retentions read for this listing; deadlineErr what the countdown
	// could not read.
	deadlines   map[string]deadline.Queue
	streams     *deadline.Streams
	deadlineErr string

	// The browse.
	cur           target
	res           bdlq.BrowseResult
	byID          map[string]bdlq.Message
	previews      map[string]string // payload previews by message id
	browses       common.Requests
	browseLoading bool
	browseErr     string

	// Long work.
	// jobs stamps each hydration, redrives each redrive followed.
	jobs     common.Requests
	redrives common.Requests
	job      *job
	redrive  *redriveState

	// consumers is the pane of the selected DLQ's sources (C).
	consumers *consumers.Pane

	width, height int
}

// New makes the tab.
func New(c *common.Common, opts ...Option) *Model {
	o := options{now: time.Now, exportDir: ".", poll: time.Second}
	for _, f := range opts {
		f(&o)
	}
	m := &Model{c: c, o: o, lists: common.NewRequests(common.DLQTab), browses: common.NewRequests(common.DLQTab), jobs: common.NewRequests(common.DLQTab), redrives: common.NewRequests(common.DLQTab), metrics: map[string]queueMetrics{}, byID: map[string]bdlq.Message{}, previews: map[string]string{}}
	m.list = table.New(c.Styles, &c.Keys.List, listColumns())
	m.list.SetEmpty("looking for dead-letter queues…") // until a listing says otherwise
	m.msgs = table.New(c.Styles, &c.Keys.List, messageColumns(80, true, false))
	m.msgs.SetEmpty("the queue is empty")
	m.detail = jsonview.New(c.Styles, &c.Keys.List)
	m.consumers = consumers.New(c, common.DLQTab).WithClock(o.now)
	m.SetSize(c.Width, c.Height)
	return m
}

// reloadMsg is the retry of a failed load.
type reloadMsg struct{ common.Stamp }

func reloadCmd() tea.Msg { return reloadMsg{common.Stamp{Tab: common.DLQTab}} }

func (m *Model) ID() common.TabID { return common.DLQTab }
func (m *Model) Title() string    { return "DLQs" }

// Init loads the list.
func (m *Model) Init() tea.Cmd { return m.loadList() }

func (m *Model) env() *common.Env { return m.c.Environment() }

func (m *Model) session() *backend.Session { return m.env().Session }

// sessionStamp is what a reply good for the whole session carries (an
// action's outcome, a plan to confirm).
func (m *Model) sessionStamp() common.Stamp { return common.SessionStamp(common.DLQTab, m.env()) }

// Capturing is true while a filter is typed.
func (m *Model) Capturing() bool {
	return m.list.Filtering() || m.msgs.Filtering() || m.consumers.Capturing()
}

// Completions offers queue names for :dlq.
func (m *Model) Completions(command string) []string {
	if command != "dlq" && command != "dlqs" {
		return nil
	}
	out := make([]string, 0, len(m.dlqs))
	for _, d := range m.dlqs {
		out = append(out, d.Queue.Name)
	}
	return out
}

// Update handles keys, the tab's data and the shared messages.
func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	if cmd, mine := m.consumers.Handle(msg); mine {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseWheelMsg:
		return m, m.forward(msg)
	case common.OpenMsg:
		if msg.Tab != common.DLQTab {
			return m, nil
		}
		if msg.Target == "" {
			m.back(true)
			return m, nil
		}
		if _, ok := msg.Extra.(common.HydrateNearest); ok {
			return m, m.openToHydrate(msg.Target)
		}
		return m, m.openQueue(msg.Target)
	case common.RefreshMsg:
		// The operator asked: the next listings read AWS again, not
		// what another tab read lately.
		m.env().RefreshInventory()
		return m, m.reload()
	case reloadMsg:
		return m, m.reload()
	case common.AutoRefreshMsg, common.FocusMsg:
		// The list only, when due (every tick redraws "updated … ago";
		// a tab shown again catches up): browsing again would raise
		// receive counts.
		if f, ok := msg.(common.FocusMsg); ok && !f.Focused {
			return m, nil
		}
		if !m.fresh.Due(m.o.now()) {
			return m, nil
		}
		return m, m.loadList()
	case common.SessionMsg:
		return m, m.resetSession()
	case declaredMsg:
		return m, m.onDeclared(msg)
	case listMsg:
		return m, m.onList(msg)
	case metricsMsg:
		return m, m.onMetrics(msg)
	case deadlinesMsg:
		return m, m.onDeadlines(msg)
	case browseMsg:
		return m, m.onBrowse(msg)
	case hydratePlanMsg:
		return m, m.onHydratePlan(msg)
	case jobStartedMsg:
		return m, m.onJobStarted(msg)
	case jobMsg:
		return m, m.onJob(msg)
	case redrivePlanMsg:
		return m, m.onRedrivePlan(msg)
	case redriveStartedMsg:
		return m, m.onRedriveStarted(msg)
	case redriveTickMsg:
		return m, m.onRedriveTick(msg)
	case redriveTasksMsg:
		return m, m.onRedriveTasks(msg)
	case common.DoneMsg:
		return m, m.onDone(msg)
	}
	return m, nil
}

// reload loads the list again and, inside a queue, shows its kept browse
// as the session's own deletes, hydrations and redrives left it. It never
// receives: a refresh that browsed raised every message's receive count.
func (m *Model) reload() tea.Cmd {
	if m.level == levelBrowse && !m.showKept() {
		// Not browsed (a purge or redrive dropped the browse): the
		// messages shown are gone; b browses what is there now.
		m.apply(bdlq.BrowseResult{Queue: bdlq.Queue{Name: m.cur.name, URL: m.cur.url, ARN: m.cur.arn}})
	}
	return m.loadList()
}

// resetSession drops everything loaded for the old session and loads anew.
func (m *Model) resetSession() tea.Cmd {
	if m.job != nil {
		m.job.cancel()
		m.job = nil
	}
	m.redrive = nil
	m.dlqs, m.notes = nil, nil
	m.metrics = map[string]queueMetrics{}
	m.deadlines, m.streams, m.deadlineErr = nil, nil, ""
	m.list.SetRows(nil)
	m.list.ClearMarks()
	m.listLoaded, m.listPartial, m.listErr, m.metricsErr = false, false, "", ""
	m.fresh.Forget()
	m.back(true)
	return m.loadList()
}

// back leaves the browse (and the detail) for the list.
func (m *Model) back(toList bool) {
	m.split.Hide()
	m.detail.Clear()
	m.layout() // the messages get their whole width back
	if toList {
		m.level = levelList
		m.browses.Drop() // answers to the old browse are dropped
		m.browseLoading = false
	}
}

// forward hands a key or wheel event to what has the focus.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.split.Open():
		m.detail, cmd = m.detail.Update(msg)
	case m.level == levelBrowse:
		m.msgs, cmd = m.msgs.Update(msg)
	default:
		m.list, cmd = m.list.Update(msg)
	}
	return cmd
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.Capturing() {
		return m.forward(msg)
	}
	k, l := m.c.Keys.DLQ, m.c.Keys.List
	switch {
	case key.Matches(msg, l.Back):
		switch {
		case m.split.Open():
			m.back(false)
		case m.level == levelBrowse && m.msgs.Filter() != "":
			return m.forward(msg)
		case m.level == levelBrowse:
			m.back(true)
		default:
			return m.forward(msg)
		}
		return nil
	case key.Matches(msg, l.Open):
		if m.split.Open() {
			return nil
		}
		if m.level == levelList {
			if r, ok := m.list.Selected(); ok {
				return m.openRow(r.ID)
			}
			return nil
		}
		m.openDetail()
		return nil
	case key.Matches(msg, m.c.Keys.Consumers.Open):
		if t, _, ok := m.currentQueue(); ok {
			return m.consumers.OfDLQ(cmp.Or(t.arn, t.name))
		}
		return nil
	case key.Matches(msg, k.HydrateAll):
		return m.hydrateAll()
	case key.Matches(msg, k.Hydrate):
		return m.hydrateSelected()
	case key.Matches(msg, k.Redrive):
		return m.startRedrive()
	case key.Matches(msg, k.Delete):
		return m.deleteMessages()
	case key.Matches(msg, k.Purge):
		return m.purge()
	case key.Matches(msg, k.Export):
		return m.export()
	case key.Matches(msg, k.Browse):
		return m.browseAgain()
	case key.Matches(msg, k.Select):
		if m.level == levelBrowse && !m.split.Open() && !m.env().ReadOnly() {
			m.msgs.ToggleMark()
			m.msgs.SetCursor(m.msgs.Cursor() + 1)
		}
		return nil
	case key.Matches(msg, l.Trace):
		return m.trace()
	case key.Matches(msg, l.Copy):
		return m.copyBody()
	}
	return m.forward(msg)
}

// ShortHelp is the footer: the keys that do something here.
func (m *Model) ShortHelp() []key.Binding {
	if m.consumers.Open() {
		return m.consumers.ShortHelp()
	}
	k, l := m.c.Keys.DLQ, m.c.Keys.List
	ro := m.env().ReadOnly()
	var out []key.Binding
	switch {
	case m.split.Open():
		out = []key.Binding{l.Back, l.Up, l.Down, l.PageDown, l.Copy, l.Trace}
		if !ro {
			out = append(out, k.Hydrate, k.Delete)
		}
	case m.level == levelBrowse:
		out = []key.Binding{l.Open, l.Back, l.Filter, k.Browse}
		if !ro {
			out = append(out, k.Hydrate, k.HydrateAll, k.Select, k.Delete, k.Redrive, k.Purge)
		}
		out = append(out, k.Export, l.Trace)
	default:
		out = []key.Binding{l.Open, m.c.Keys.Consumers.Open, l.Filter}
		if !ro {
			out = append(out, k.HydrateAll, k.Redrive, k.Purge)
		}
		out = append(out, k.Export)
	}
	return out
}

// FullHelp lists every binding of the tab, writes left out under
// read-only.
func (m *Model) FullHelp() [][]key.Binding {
	if m.consumers.Open() {
		return m.consumers.FullHelp()
	}
	k, l := m.c.Keys.DLQ, m.c.Keys.List
	nav := append([]key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Open, l.Back, l.Filter}, common.SortKeys(l)...)
	read := []key.Binding{k.Browse, k.Export, l.Trace, l.Copy, m.c.Keys.Consumers.Open}
	if m.env().ReadOnly() {
		return [][]key.Binding{nav, read}
	}
	return [][]key.Binding{nav, read, {k.Hydrate, k.HydrateAll, k.Select, k.Redrive, k.Delete, k.Purge}}
}

// job is a hydration running in the background.
type job struct {
	stamp  common.Stamp
	queue  string
	url    string
	loc    backend.ArchiveLocation
	cancel context.CancelFunc
	// all is the plan of a hydrate-all: the set confirmed.
	all      *hydrate.Plan
	bar      progress.Model
	started  time.Time
	hydrated int
	events   int
	left     int
	skipped  int
	failed   int
}

// redriveState follows a redrive's move task.
type redriveState struct {
	stamp   common.Stamp
	queue   string
	arn     string
	handle  string
	started time.Time
	bar     progress.Model
}

// Stop cancels a running hydration when the app quits: what was archived
// stays, and messages not yet done stay in the queue.
func (m *Model) Stop() {
	if m.job != nil {
		m.job.cancel()
	}
}
