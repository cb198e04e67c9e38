// Package archives is the Archives tab: the pipelines' archived failed
// events as a drill-down consumer → day → hour → events, newest first,
// with a time range, a partition-key and a jq filter; the event in a
// detail pane beside its failure context; and replay (one key, or many
// with a live progress bar), mark replayed, delete and trace.
package archives

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/progress"
	"github.com/sluicehq/sluice/views/split"
	"github.com/sluicehq/sluice/views/table"
)

// Option tunes the tab.
type Option func(*options)

type options struct {
	now         func() time.Time
	concurrency int
	// countPage is the keys a count lists a call (S3's 1,000 when zero).
	countPage int32
	inventory []inventory.Option
}

// WithInventory tunes the pipeline discovery behind the consumers list
// (tests pass a shorter bound than inventory.ServiceTimeout).
func WithInventory(opts ...inventory.Option) Option {
	return func(o *options) { o.inventory = opts }
}

// WithCountPage sets how many keys a count of an hour's events lists a
// call (tests choose few, to see a count grow page by page).
func WithCountPage(n int32) Option { return func(o *options) { o.countPage = n } }

// WithClock sets the clock of time ranges, replay marks and rates.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithConcurrency bounds how many event bodies are fetched at once (4 by
// default).
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = max(n, 1) } }

type level int

const (
	levelConsumers level = iota
	levelDays
	levelHours
	levelEvents
)

// Ranges are the time ranges Range cycles through; 0 is all.
var Ranges = []struct {
	Name string
	Dur  time.Duration
}{{"1h", time.Hour}, {"6h", 6 * time.Hour}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"all", 0}}

// consumer is one row of the first level: a pipeline's consumer with its
// archive and replay target.
// consumer is a consumer whose archive the tab browses.
type consumer = inventory.ArchiveConsumer

// noConsumers is the empty list when everything could be read.
const noConsumers = "no pipeline has an archive: tag its DLQ sluice:archive=s3://bucket/prefix, declare it in the config, or pass --archive"

// hour is one hour folder with, when known, how many events it holds.
type hour struct {
	Start time.Time
	// Count is −1 when the hour was found without listing its events.
	Count int
}

// Model is the Archives tab.
type Model struct {
	c *common.Common
	o options

	level     level
	consumers table.Model
	days      table.Model
	hours     table.Model
	events    table.Model
	detail    jsonview.Model
	// split lays the events and an event's detail out.
	split     split.Model
	detailKey string

	// req stamps each kind of request the tab makes.
	req requests

	// Data.
	cons        []consumer
	notes       []string
	consLoading bool
	consLoaded  bool
	// consFresh, hoursFresh and eventsFresh are when each level's list
	// was last read and whether its latest read failed: what the header
	// and the banner say, and what the clock's tick asks whether a read
	// is due.
	consFresh, hoursFresh, eventsFresh common.Freshness
	pending                            string // a consumer to open once the list arrives

	cur          consumer
	hourList     []hour
	hoursExact   bool
	hoursLoading bool
	day          time.Time
	hr           time.Time

	objects       []archive.Object
	eventsLoading bool
	bodies        map[string]archive.Event
	bodyErr       map[string]string
	jqMatch       map[string]bool
	// history is the replay attempts of the hour's events, read from the
	// hour's manifests: manifestKeys as listed (newest first), of which
	// manifestsRead have been read (or failed to be).
	history       archive.History
	manifestKeys  []string
	manifestsRead map[string]bool
	attemptsErr   string

	// Filters.
	rangeIdx int
	pk       string
	jq       *decode.Filter
	replayed bool
	input    input

	// Long work.
	job *bulkJob

	// counts are the event counts of the days and hours on screen.
	counts counts
	// hidden is set while another tab is shown: no count is read.
	hidden bool

	width, height int
}

// New makes the tab.
func New(c *common.Common, opts ...Option) *Model {
	o := options{now: time.Now, concurrency: 4}
	for _, f := range opts {
		f(&o)
	}
	m := &Model{c: c, o: o, req: newRequests(), rangeIdx: len(Ranges) - 1}
	m.consumers = table.New(c.Styles, &c.Keys.List, consumerColumns())
	m.consumers.SetEmpty(noConsumers)
	m.days = table.New(c.Styles, &c.Keys.List, dayColumns())
	m.days.SetEmpty("no archived events in this range")
	m.hours = table.New(c.Styles, &c.Keys.List, hourColumns())
	m.hours.SetEmpty("no archived events in this range")
	m.events = table.New(c.Styles, &c.Keys.List, eventColumns(80, false))
	m.events.SetEmpty("no events")
	m.detail = jsonview.New(c.Styles, &c.Keys.List)
	m.resetEvents()
	m.SetSize(c.Width, c.Height)
	return m
}

type reloadMsg struct{ common.Stamp }

func reloadCmd() tea.Msg { return reloadMsg{common.Stamp{Tab: common.ArchivesTab}} }

func (m *Model) ID() common.TabID { return common.ArchivesTab }
func (m *Model) Title() string    { return "Archives" }

// Init lists the consumers.
func (m *Model) Init() tea.Cmd { return m.loadConsumers() }

func (m *Model) env() *common.Env { return m.c.Environment() }

func (m *Model) session() *backend.Session { return m.env().Session }

// sessionStamp is what a reply good for the whole session carries (an
// action's outcome, a count to confirm).
func (m *Model) sessionStamp() common.Stamp { return common.SessionStamp(common.ArchivesTab, m.env()) }

// table is the list of the current level.
func (m *Model) table() *table.Model {
	switch m.level {
	case levelDays:
		return &m.days
	case levelHours:
		return &m.hours
	case levelEvents:
		return &m.events
	}
	return &m.consumers
}

// Capturing is true while a filter or an input is typed.
func (m *Model) Capturing() bool { return m.input.active || m.table().Filtering() }

// Completions offers consumer names for :archives.
func (m *Model) Completions(command string) []string {
	if command != "archives" && command != "archive" {
		return nil
	}
	out := make([]string, 0, len(m.cons))
	for _, c := range m.cons {
		out = append(out, c.Name)
	}
	return out
}

// Update handles keys, the tab's data and the shared messages; then,
// whatever changed what is on screen, the counts it needs are read.
func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	_, cmd := m.update(msg)
	if more := m.wantCount(); more != nil {
		cmd = tea.Batch(cmd, more)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if m.input.active {
			return m, m.inputKey(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseWheelMsg:
		return m, m.forward(msg)
	case common.OpenMsg:
		if msg.Tab != common.ArchivesTab {
			return m, nil
		}
		return m, m.open(msg.Target)
	case common.RefreshMsg:
		// The operator asked: the next listings read AWS again, not
		// what another tab read lately.
		m.env().RefreshInventory()
		return m, m.reload()
	case reloadMsg:
		return m, m.reload()
	case common.AutoRefreshMsg, common.FocusMsg:
		// The list shown, when due (every tick redraws "updated … ago";
		// a tab shown again catches up at once). Hidden, the root sends
		// no tick: no calls.
		if f, ok := msg.(common.FocusMsg); ok {
			m.hidden = !f.Focused
			if m.hidden {
				return m, nil
			}
		}
		return m, m.refreshDue()
	case common.SessionMsg:
		return m, m.resetSession()
	case consumersMsg:
		return m, m.onConsumers(msg)
	case hoursMsg:
		return m, m.onHours(msg)
	case eventsMsg:
		return m, m.onEvents(msg)
	case bodiesMsg:
		return m, m.onBodies(msg)
	case manifestsListedMsg:
		return m, m.onManifestsListed(msg)
	case manifestsMsg:
		return m, m.onManifests(msg)
	case matchesMsg:
		m.onMatches(msg)
		return m, nil
	case detailMsg:
		return m, m.onDetail(msg)
	case countMsg:
		return m, m.onCount(msg)
	case hourCountMsg:
		m.onHourCount(msg)
		return m, nil
	case bulkStartedMsg:
		return m, m.onBulkStarted(msg)
	case bulkMsg:
		return m, m.onBulk(msg)
	case copyDestMsg:
		return m, m.onCopyDest(msg)
	case common.DoneMsg:
		return m, m.onDone(msg)
	}
	return m, nil
}

// reload loads the current level again, keeping the place.
func (m *Model) reload() tea.Cmd {
	switch m.level {
	case levelConsumers:
		return m.loadConsumers()
	case levelDays, levelHours:
		return m.loadHours()
	default:
		return tea.Batch(m.loadHours(), m.loadEvents())
	}
}

// fresh is the freshness of the list shown.
func (m *Model) fresh() *common.Freshness {
	switch m.level {
	case levelDays, levelHours:
		return &m.hoursFresh
	case levelEvents:
		return &m.eventsFresh
	}
	return &m.consFresh
}

// refreshDue reads the list shown again when it is due: the consumers,
// the consumer's days and hours, or the hour's events (one listing of the
// hour and one of its manifests; bodies and manifests already read are
// not read again). A read in flight is not doubled.
func (m *Model) refreshDue() tea.Cmd {
	if m.session() == nil || !m.fresh().Due(m.o.now()) {
		return nil
	}
	switch m.level {
	case levelConsumers:
		return m.loadConsumers()
	case levelDays, levelHours:
		return m.loadHours()
	}
	return m.loadEvents()
}

func (m *Model) resetSession() tea.Cmd {
	if m.job != nil {
		m.job.cancel()
		m.job = nil
	}
	m.cons, m.notes = nil, nil
	m.consumers.SetRows(nil)
	m.consLoaded = false
	m.consFresh.Forget()
	m.hoursFresh.Forget()
	m.eventsFresh.Forget()
	m.req.hours.Drop()
	m.req.events.Drop()
	m.forgetCounts()
	m.level = levelConsumers
	m.closeDetail()
	m.resetEvents()
	m.layout()
	return m.loadConsumers()
}

func (m *Model) resetEvents() {
	m.objects = nil
	m.bodies = map[string]archive.Event{}
	m.bodyErr = map[string]string{}
	m.jqMatch = map[string]bool{}
	m.history = archive.History{}
	m.manifestKeys, m.manifestsRead, m.attemptsErr = nil, map[string]bool{}, ""
	m.events.SetRows(nil)
	m.events.ClearMarks()
}

func (m *Model) forward(msg tea.Msg) tea.Cmd {
	if m.split.Open() {
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return cmd
	}
	t := m.table()
	nt, cmd := t.Update(msg)
	*t = nt
	return cmd
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.input.active {
		return m.inputKey(msg)
	}
	if m.table().Filtering() {
		return m.forward(msg)
	}
	k, l := m.c.Keys.Archives, m.c.Keys.List
	switch {
	case key.Matches(msg, l.Back):
		return m.up()
	case key.Matches(msg, l.Open):
		return m.drill()
	case key.Matches(msg, k.Range):
		m.rangeIdx = (m.rangeIdx + 1) % len(Ranges)
		if m.level == levelConsumers {
			return nil
		}
		return m.reload()
	case key.Matches(msg, k.ShowReplayed):
		m.replayed = !m.replayed
		m.events.ClearMarks()
		m.layout()
		if m.level == levelConsumers {
			return nil
		}
		return m.reload()
	case key.Matches(msg, k.JQ):
		m.openInput("jq", m.jqText())
		return nil
	case key.Matches(msg, k.PartitionKey):
		m.openInput("partition key", m.pk)
		return nil
	case key.Matches(msg, k.CopyTo):
		return m.askCopyDest()
	case key.Matches(msg, k.Select):
		if m.level == levelEvents && !m.split.Open() && !m.env().ReadOnly() {
			m.events.ToggleMark()
			m.events.SetCursor(m.events.Cursor() + 1)
		}
		return nil
	case key.Matches(msg, k.Replay):
		return m.replayOne()
	case key.Matches(msg, k.ReplayMany):
		return m.replayMany()
	case key.Matches(msg, k.Mark):
		return m.markReplayed()
	case key.Matches(msg, k.Delete):
		return m.deleteEvents()
	case key.Matches(msg, l.Trace):
		return m.trace()
	case key.Matches(msg, l.Copy):
		return m.copyEvent()
	}
	return m.forward(msg)
}

func (m *Model) jqText() string {
	if m.jq == nil {
		return ""
	}
	return m.jq.String()
}

// up goes back a level: the detail, a filter, then the tree.
func (m *Model) up() tea.Cmd {
	switch {
	case m.split.Open():
		m.closeDetail()
		return nil
	case m.table().Filter() != "":
		return m.forward(tea.KeyPressMsg{Code: tea.KeyEscape})
	}
	switch m.level {
	case levelEvents:
		m.level = levelHours
		// What was done to the hour's events (a replay, a delete) may
		// have changed its count: it is counted again.
		delete(m.counts.byHour, m.hr)
		m.req.events.Drop()
		m.eventsLoading = false
		m.eventsFresh.Forget()
		m.resetEvents()
	case levelHours:
		m.level = levelDays
	case levelDays:
		m.level = levelConsumers
		m.req.hours.Drop()
		m.hoursLoading = false
		m.hoursFresh.Forget()
	}
	m.layout()
	return nil
}

// drill opens what is under the cursor.
func (m *Model) drill() tea.Cmd {
	if m.split.Open() {
		return nil
	}
	r, ok := m.table().Selected()
	if !ok {
		return nil
	}
	switch m.level {
	case levelConsumers:
		for _, c := range m.cons {
			if c.Name == r.ID {
				return m.openConsumer(c)
			}
		}
	case levelDays:
		d, err := time.Parse(time.DateOnly, r.ID)
		if err != nil {
			return nil
		}
		m.day = d
		m.level = levelHours
		m.refreshHourRows()
		m.hours.SetCursor(0)
		m.layout()
	case levelHours:
		h, err := time.Parse(time.RFC3339, r.ID)
		if err != nil {
			return nil
		}
		m.hr = h
		m.level = levelEvents
		m.eventsFresh.Forget()
		m.resetEvents()
		m.events.SetFilter("")
		m.events.SetCursor(0)
		m.layout()
		return m.loadEvents()
	case levelEvents:
		return m.openDetail(r.ID)
	}
	return nil
}

// open handles :archives [consumer].
func (m *Model) open(name string) tea.Cmd {
	if name == "" {
		m.closeDetail()
		m.level = levelConsumers
		m.layout()
		return nil
	}
	for _, c := range m.cons {
		if c.Name == name {
			return m.openConsumer(c)
		}
	}
	if !m.consLoaded {
		m.pending = name
		return nil
	}
	return common.Status(common.Warning, "no archive holds consumer "+name)
}

func (m *Model) openConsumer(c consumer) tea.Cmd {
	if c.Name != m.cur.Name {
		m.hoursFresh.Forget()
		m.hourList = nil
		m.days.SetRows(nil)
		m.hours.SetRows(nil)
		m.days.SetCursor(0)
		m.resetEvents()
	}
	m.closeDetail()
	if c.Name != m.cur.Name {
		m.cur = c
		m.forgetCounts()
	}
	m.cur = c
	m.level = levelDays
	m.consumers.SetRows(m.consumerRows()) // keeps the cursor; selects c
	for i, r := range m.consumers.Visible() {
		if r.ID == c.Name {
			m.consumers.SetCursor(i)
		}
	}
	m.layout()
	return m.loadHours()
}

// ShortHelp is the footer.
func (m *Model) ShortHelp() []key.Binding {
	k, l := m.c.Keys.Archives, m.c.Keys.List
	ro := m.env().ReadOnly()
	var out []key.Binding
	switch {
	case m.split.Open():
		out = []key.Binding{l.Back, l.Up, l.Down, l.Copy, l.Trace}
		if !ro {
			out = append(out, k.Replay, k.Mark, k.Delete)
		}
	case m.level == levelEvents:
		out = []key.Binding{l.Open, l.Back, l.Filter}
		if !ro {
			out = append(out, k.Replay, k.Select, k.ReplayMany, k.Mark, k.Delete)
		}
		out = append(out, k.ShowReplayed, k.Range, k.JQ, k.PartitionKey, l.Trace)
	case m.level == levelConsumers:
		out = []key.Binding{l.Open, l.Filter, k.Range, k.ShowReplayed}
	default:
		out = []key.Binding{l.Open, l.Back}
		if !ro {
			out = append(out, k.ReplayMany)
		}
		out = append(out, k.Range, k.ShowReplayed, k.PartitionKey)
	}
	return out
}

// FullHelp lists every binding, writes left out under read-only.
func (m *Model) FullHelp() [][]key.Binding {
	k, l := m.c.Keys.Archives, m.c.Keys.List
	nav := append([]key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Open, l.Back, l.Filter}, common.SortKeys(l)...)
	read := []key.Binding{k.Range, k.ShowReplayed, k.JQ, k.PartitionKey, l.Trace, l.Copy}
	if m.env().ReadOnly() {
		return [][]key.Binding{nav, append(read, k.CopyTo)} // a copy only reads here
	}
	return [][]key.Binding{nav, append(read, k.CopyTo), {k.Replay, k.Select, k.ReplayMany, k.Mark, k.Delete}}
}

// bulkJob is a bulk replay running in the background.
type bulkJob struct {
	stamp  common.Stamp
	what   string
	target string
	cancel context.CancelFunc
	bar    progress.Model
}

// Stop cancels a running bulk replay when the app quits: events the
// target accepted are marked, the rest stay waiting for the next run.
func (m *Model) Stop() {
	if m.job != nil {
		m.job.cancel()
	}
}
