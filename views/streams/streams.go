// Package streams is the Streams tab: every Kinesis stream with its mode,
// status, shards, retention, incoming records over the last hour, worst
// iterator age and the depth of its pipelines' DLQs; enter opens its
// shards. Streams are created, deleted, re-retained and written to from
// here, each behind a confirmation.
package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/streamadmin"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/consumers"
	"github.com/sluicehq/sluice/views/table"
)

// entry is what is known of one stream.
type entry struct {
	stream    inventory.Stream
	described bool
	descErr   string
	// describing is set while a describe of the stream is in flight;
	// descLoad is the load whose describe last answered for it, so that
	// a reload describes every stream again (visible ones first).
	describing bool
	descLoad   int
	// listedLoad is the last load that listed the stream: only what
	// this load listed is described (a failed listing keeps the rows
	// read before as they were).
	listedLoad int

	// metrics of the last hour; fetched is false until they arrive.
	fetched        bool
	stale          bool
	pending        bool
	start, end     time.Time
	incoming       []chart.Point
	iterAge        float64
	hasAge         bool
	metricsErr     string
	dlqDepth       int
	hasDLQ         bool
	row            table.Row
	rowOK          bool
	rowSparkWidth  int
	rowForDLQKnown bool
}

// Model is the Streams tab.
type Model struct {
	c     *common.Common
	table table.Model

	width, height int

	// loads stamps each listing: replies to an older one are dropped.
	loads   common.Requests
	entries map[string]*entry
	// order is the rows' order: the names listed so far by this load,
	// then those of the previous load not yet listed again.
	order  []string
	listed []string
	// loading is true while pages remain.
	loading bool
	// dlqLoaded is true once the DLQ depths have arrived (or failed).
	dlqLoaded bool
	dlqErr    string
	// fresh is when the listing was last read whole and whether the
	// latest read failed; dlqFresh the same for the DLQ depths.
	fresh, dlqFresh common.Freshness
	// background is set while a describe of streams off screen is in
	// flight, near while one of streams on screen is: one chunk at a
	// time each, and none off screen while rows on screen wait, so that
	// the API budget is spent on what the operator sees first.
	background, near bool
	// loadN counts loads, for entry.descLoad.
	loadN int

	// selectName is a stream to select once it is listed (an OpenMsg
	// target that has not arrived yet).
	selectName string

	form *form
	lim  limiter
	// consumers is the pane of the selected stream's consumers (C).
	consumers *consumers.Pane

	now      func() time.Time
	getenv   func(string) string
	pageSize int32
}

// Option tunes the tab.
type Option func(*Model)

// WithClock sets the clock the metrics' hour and the test record's time
// come from.
func WithClock(now func() time.Time) Option { return func(m *Model) { m.now = now } }

// WithGetenv sets where $EDITOR is read from.
func WithGetenv(getenv func(string) string) Option { return func(m *Model) { m.getenv = getenv } }

// WithPageSize lists streams n at a time (defaultPageSize otherwise).
func WithPageSize(n int32) Option { return func(m *Model) { m.pageSize = n } }

// defaultPageSize is a thousand names a call: the first page is rows at
// once, and 10,000 streams are listed in 10 calls (pages of 100 took 50 s
// of AWS's ListStreams budget); only the rows on screen are described
// first.
const defaultPageSize = 1000

// concurrency bounds the metrics calls in flight.
const concurrency = 8

// New makes the tab.
func New(c *common.Common, opts ...Option) *Model {
	m := &Model{c: c, loads: common.NewRequests(common.StreamsTab), entries: map[string]*entry{}, lim: newLimiter(concurrency), now: time.Now, getenv: os.Getenv, pageSize: defaultPageSize}
	for _, o := range opts {
		o(m)
	}
	m.table = table.New(c.Styles, &c.Keys.List, m.columns(80))
	m.table.SetEmpty("loading streams…")
	m.consumers = consumers.New(c, common.StreamsTab).WithClock(m.now)
	m.SetSize(max(c.Width, 20), max(c.Height, 4))
	return m
}

func (m *Model) ID() common.TabID { return common.StreamsTab }
func (m *Model) Title() string    { return "Streams" }

// Init lists the streams.
func (m *Model) Init() tea.Cmd { return m.load() }

// Capturing is true while a form is open or the filter is typed.
func (m *Model) Capturing() bool {
	return m.form != nil || m.table.Filtering() || m.consumers.Capturing()
}

// sparkWidth is the records column's width: the sparkline and its newest
// value.
func sparkWidth(width int) int { return min(max(13+(width-80)/3, 13), 48) }

func (m *Model) columns(width int) []table.Column {
	return []table.Column{
		{Title: "NAME", Width: 14, Flex: 1},
		{Title: "MODE", Width: 11},
		{Title: "STATUS", Width: 8},
		{Title: "SHARDS", Width: 6, Right: true},
		{Title: "RETAIN", Width: 6, Right: true},
		{Title: "RECORDS/MIN", Width: sparkWidth(width)},
		{Title: "ITER AGE", Width: 8, Right: true},
		{Title: "DLQ", Width: 5, Right: true},
	}
}

// SetSize lays the tab out again.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.table.SetColumns(m.columns(width))
	m.table.SetSize(width, m.tableHeight())
	m.refreshRows()
	m.consumers.SetSize(width, height)
}

func (m *Model) tableHeight() int {
	h := m.height - 1 - len(m.bannerLines())
	if m.form != nil {
		h -= m.form.height()
	}
	return max(h, 2)
}

// stamp is what a reply to the current load carries.
func (m *Model) stamp() common.Stamp { return m.loads.Current(m.c.Env) }

// load starts listing the streams again; what is shown stays until the
// new answer replaces it.
func (m *Model) load() tea.Cmd {
	stamp := m.loads.Next(m.c.Env)
	m.listed = nil
	m.loadN++
	m.background, m.near = false, false
	for _, e := range m.entries {
		e.pending = false
		e.stale = true
		e.describing = false
	}
	if m.c.Env == nil || m.c.Env.Session == nil {
		m.loading = false
		m.table.SetEmpty("no session")
		return nil
	}
	m.loading = true
	// The depths shown stay until the new ones replace them.
	now := m.now()
	m.fresh.Start(now)
	m.dlqFresh.Start(now)
	s := m.c.Env.Session
	return tea.Batch(
		fetchPage(stamp, m.c.Env, inventory.ListStreams(s, inventory.PageSize(m.pageSize))),
		fetchDLQ(stamp, m.c.Env),
	)
}

// reset drops everything loaded (another session).
func (m *Model) reset() {
	m.entries = map[string]*entry{}
	m.order, m.listed = nil, nil
	m.form = nil
	m.dlqLoaded = false
	m.dlqErr = ""
	m.fresh.Forget()
	m.dlqFresh.Forget()
	m.table.SetEmpty("loading streams…")
	m.table.SetRows(nil)
	m.table.SetSize(m.width, m.tableHeight())
}

// Update handles keys and the replies of the tab's commands.
func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	cmd := m.update(msg)
	if more := m.wantDescribe(); more != nil {
		cmd = tea.Batch(cmd, more)
	}
	if more := m.wantMetrics(); more != nil {
		cmd = tea.Batch(cmd, more)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	if cmd, mine := m.consumers.Handle(msg); mine {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.form != nil {
			m.form.update(msg)
		}
		return nil
	case tea.MouseWheelMsg:
		m.table, _ = m.table.Update(msg)
		return nil
	case common.OpenMsg:
		if msg.Target != "" {
			m.selectName = msg.Target
			m.applySelect()
		}
		if _, ok := msg.Extra.(common.ShowConsumers); ok && msg.Target != "" {
			return m.consumers.OfStream(msg.Target)
		}
		return nil
	case common.RefreshMsg:
		// The operator asked: the next listings read AWS again, not
		// what another tab read lately.
		m.c.Env.RefreshInventory()
		return m.load()
	case reloadMsg:
		return m.load()
	case common.AutoRefreshMsg:
		// Every second: the header's "updated … ago" moves with the
		// redraw that follows; the lists are read again when due.
		if m.fresh.Due(m.now()) {
			return m.load()
		}
		return nil
	case common.FocusMsg:
		// Shown again: catch up on what fell due while hidden.
		if msg.Focused && m.fresh.Due(m.now()) {
			return m.load()
		}
		return nil
	case common.SessionMsg:
		m.reset()
		return m.load()
	case pageMsg:
		return m.page(msg)
	case describedMsg:
		return m.described(msg)
	case metricsMsg:
		if !msg.Fresh(m.stamp()) {
			return nil
		}
		e := m.entries[msg.name]
		if e == nil {
			return nil
		}
		e.pending, e.stale, e.rowOK = false, false, false
		if msg.err != nil {
			// Said in the row, never the status bar (one failure per row
			// would drown it): "?" when nothing was read before, else
			// the last good figures, marked, and the header says so.
			e.metricsErr = msg.err.Error()
		} else {
			e.fetched = true
			e.metricsErr = ""
			e.start, e.end, e.incoming = msg.start, msg.end, msg.incoming
			e.iterAge, e.hasAge = msg.iterAge, msg.hasAge
		}
		m.refreshRows()
		return nil
	case dlqMsg:
		if !msg.Fresh(m.stamp()) {
			return nil
		}
		m.dlqLoaded = true
		for name, e := range m.entries {
			d, ok := msg.depth[name]
			if !ok && msg.err != nil {
				continue // not read this time: the last depth read stands
			}
			e.dlqDepth, e.hasDLQ, e.rowOK = d, ok, false
		}
		// The failure is the header's to say, with the rows it concerns.
		if msg.err != nil {
			m.dlqErr = msg.err.Error()
			m.dlqFresh.Failed(m.now(), msg.err)
		} else {
			m.dlqErr = ""
			m.dlqFresh.Succeeded(m.now())
		}
		m.refreshRows()
		m.SetSize(m.width, m.height) // the banner may take or give a line
		return nil
	case common.DoneMsg:
		return msg.Report(m.writeStamp(), m.load)
	case editedMsg:
		return m.edited(msg)
	}
	return nil
}

// page adds a page of names and asks for their summaries and the next
// page.
func (m *Model) page(msg pageMsg) tea.Cmd {
	if !msg.Fresh(m.stamp()) {
		return nil
	}
	if msg.err != nil {
		// The rows read before stay; the banner says the refresh failed.
		m.loading = false
		m.fresh.Failed(m.now(), msg.err)
		m.table.SetEmpty("could not list streams")
		m.SetSize(m.width, m.height)
		return nil
	}
	m.listed = append(m.listed, msg.names...)
	for _, n := range msg.names {
		if m.entries[n] == nil {
			m.entries[n] = &entry{stream: inventory.Stream{Name: n}}
		}
		m.entries[n].listedLoad = m.loadN
	}
	// The names are rows at once; wantDescribe fills in those on
	// screen first.
	var cmds []tea.Cmd
	if msg.more {
		cmds = append(cmds, fetchPage(msg.Stamp, m.c.Env, msg.pager))
	} else {
		m.loading = false
		m.fresh.Succeeded(m.now())
		m.SetSize(m.width, m.height)
		cmds = append(cmds, common.Succeeded)
		// The listing is whole: streams it did not name are gone.
		keep := map[string]bool{}
		for _, n := range m.listed {
			keep[n] = true
		}
		for n := range m.entries {
			if !keep[n] {
				delete(m.entries, n)
			}
		}
		m.table.SetEmpty("no streams; c creates one")
	}
	m.reorder()
	return tea.Batch(cmds...)
}

// reorder lays the rows out: listed names first, then the previous
// load's names not listed yet.
func (m *Model) reorder() {
	seen := make(map[string]bool, len(m.listed))
	order := make([]string, 0, len(m.entries))
	for _, n := range m.listed {
		if !seen[n] {
			seen[n] = true
			order = append(order, n)
		}
	}
	for _, n := range m.order {
		if !seen[n] && m.entries[n] != nil {
			seen[n] = true
			order = append(order, n)
		}
	}
	m.order = order
	m.refreshRows()
	m.applySelect()
}

func (m *Model) described(msg describedMsg) tea.Cmd {
	if !msg.Fresh(m.stamp()) {
		return nil
	}
	if msg.background {
		m.background = false
	} else {
		m.near = false
	}
	for _, name := range msg.names {
		if e := m.entries[name]; e != nil {
			e.describing, e.descLoad = false, m.loadN
		}
	}
	for _, st := range msg.streams {
		e := m.entries[st.Name]
		if e == nil {
			continue
		}
		e.stream, e.described, e.descErr, e.rowOK = st, true, "", false
	}
	// A stream that could not be described is an error row; the status
	// bar is not the place.
	for name, err := range msg.failed {
		if e := m.entries[name]; e != nil {
			e.descErr, e.rowOK = err.Error(), false
		}
	}
	m.refreshRows()
	return nil
}

// applySelect moves the cursor to the stream an OpenMsg named, once it
// is listed.
func (m *Model) applySelect() {
	if m.selectName == "" {
		return
	}
	for i, r := range m.table.Visible() {
		if r.ID == m.selectName {
			m.table.SetCursor(i)
			m.selectName = ""
			return
		}
	}
	if !m.loading && m.entries[m.selectName] == nil && len(m.listed) > 0 {
		m.selectName = "" // not a stream here: give up quietly
	}
}

// refreshRows gives the table the rows, rebuilding only those whose data
// changed.
func (m *Model) refreshRows() {
	rows := make([]table.Row, 0, len(m.order))
	sw := sparkWidth(m.width)
	for _, n := range m.order {
		e := m.entries[n]
		if e == nil {
			continue
		}
		if !e.rowOK || e.rowSparkWidth != sw || e.rowForDLQKnown != m.dlqLoaded {
			e.row = m.row(e, sw)
			e.rowOK, e.rowSparkWidth, e.rowForDLQKnown = true, sw, m.dlqLoaded
		}
		rows = append(rows, e.row)
	}
	m.table.SetRows(rows)
}

const pendingCell = "…"

// row draws one stream.
func (m *Model) row(e *entry, sw int) table.Row {
	st := e.stream
	r := table.Row{ID: st.Name, Cells: make([]string, 8), Sort: make([]table.Key, 8)}
	r.Cells[0] = st.Name
	for i := 1; i < 5; i++ {
		r.Cells[i] = pendingCell
	}
	switch {
	case e.descErr != "":
		r.Cells[1], r.Cells[3], r.Cells[4] = "?", "?", "?"
		r.Cells[2], r.Tone = "error", table.Bad
	case e.described:
		r.Cells[1] = modeName(st.Mode)
		r.Cells[2] = strings.ToLower(st.Status)
		r.Cells[3] = strconv.Itoa(st.OpenShards)
		r.Cells[4] = retention(st.RetentionHours)
		r.Sort[4] = table.Num(float64(st.RetentionHours))
		if st.Status != "ACTIVE" {
			r.Tone = table.Warn
		}
	}
	r.Cells[5] = pendingCell
	r.Cells[6] = pendingCell
	switch {
	case !e.fetched && e.metricsErr != "":
		r.Cells[5], r.Cells[6] = "?", "?"
		r.Tone = table.Bad
	case e.fetched:
		r.Cells[5] = sparkCell(e, sw)
		r.Sort[5] = table.Missing()
		if n := len(e.incoming); n > 0 {
			r.Sort[5] = table.Num(e.incoming[n-1].Value) // the newest minute, as shown
		}
		r.Cells[6] = "–"
		if e.hasAge {
			r.Cells[6] = chart.Format(e.iterAge, "Milliseconds")
			r.Sort[6] = table.Num(e.iterAge)
			if e.iterAge >= float64(time.Minute/time.Millisecond) && r.Tone == table.Plain {
				r.Tone = table.Warn
			}
		}
	}
	switch {
	case !m.dlqLoaded:
		r.Cells[7] = pendingCell
	case m.dlqErr != "" && !e.hasDLQ && m.dlqFresh.Read().IsZero():
		r.Cells[7] = "?"
	case !e.hasDLQ:
		r.Cells[7] = "–"
	default:
		r.Cells[7] = chart.Count(float64(e.dlqDepth))
		if e.dlqDepth > 0 && r.Tone != table.Bad {
			r.Tone = table.Bad
		}
	}
	return r
}

// sparkCell is the hour's records per minute and the newest minute's
// count.
func sparkCell(e *entry, sw int) string {
	last := "–"
	if n := len(e.incoming); n > 0 {
		last = chart.Count(e.incoming[n-1].Value)
	}
	last = inert.Truncate(last, 5)
	w := max(sw-6, 1)
	vals := chart.Resample(e.incoming, e.start, e.end, time.Minute, w)
	return chart.Sparkline(vals, w) + " " + strings.Repeat(" ", max(5-inert.Width(last), 0)) + last
}

func modeName(mode string) string {
	switch mode {
	case "ON_DEMAND":
		return "on-demand"
	case "PROVISIONED":
		return "provisioned"
	}
	return strings.ToLower(mode)
}

// retention writes hours as days when they are whole days past one.
func retention(hours int) string {
	if hours >= 48 && hours%24 == 0 {
		return strconv.Itoa(hours/24) + "d"
	}
	return strconv.Itoa(hours) + "h"
}

// wantMetrics asks for the metrics of the rows in and around the view
// that have none, or old ones.
// nearChunk is how many streams on screen one describe reads: AWS's
// DescribeStreamSummary budget lets ten through at once, so the first
// rows fill in without a wait; backgroundChunk is the same off screen.
// The budget paces the calls.
const (
	nearChunk       = 10
	backgroundChunk = 20
)

// wantDescribe describes the streams on screen (and a screen either
// side) not yet described by this load, then, one chunk at a time, the
// others in list order: with thousands of streams, what the operator
// sees fills in first and the rest follows within the API budget.
func (m *Model) wantDescribe() tea.Cmd {
	if m.c.Env == nil || m.c.Env.Session == nil {
		return nil
	}
	wanted := func(id string) bool {
		e := m.entries[id]
		return e != nil && e.listedLoad == m.loadN && !e.describing && e.descLoad != m.loadN
	}
	// take marks the first n wanted of ids as being described.
	take := func(ids []string, n int) []string {
		var out []string
		for _, id := range ids {
			if len(out) == n {
				break
			}
			if wanted(id) {
				m.entries[id].describing = true
				out = append(out, id)
			}
		}
		return out
	}
	stamp := m.stamp()
	if m.near {
		return nil
	}
	if near := take(m.nearIDs(), nearChunk); len(near) > 0 {
		m.near = true
		return describe(stamp, m.c.Env, near, false)
	}
	if m.background {
		return nil
	}
	if rest := take(m.order, backgroundChunk); len(rest) > 0 {
		m.background = true
		return describe(stamp, m.c.Env, rest, true)
	}
	return nil
}

// nearIDs are the rows on screen and a screen either side of the
// cursor, in the order shown.
func (m *Model) nearIDs() []string {
	return m.table.IDsAround(max(m.tableHeight(), 1))
}

func (m *Model) wantMetrics() tea.Cmd {
	if m.c.Env == nil || m.c.Env.Session == nil {
		return nil
	}
	ids := m.nearIDs()
	if len(ids) == 0 {
		return nil
	}
	var cmds []tea.Cmd
	stamp, now := m.stamp(), m.now()
	for _, id := range ids {
		e := m.entries[id]
		if e == nil || e.pending || (e.fetched && !e.stale) {
			continue
		}
		e.pending = true
		cmds = append(cmds, fetchMetrics(stamp, m.c.Env, m.lim, id, now))
	}
	return tea.Batch(cmds...)
}

// selected is the stream under the cursor.
func (m *Model) selected() (*entry, bool) {
	r, ok := m.table.Selected()
	if !ok {
		return nil, false
	}
	e := m.entries[r.ID]
	return e, e != nil
}

func (m *Model) readOnly() bool { return m.c.Env.ReadOnly() }

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.form != nil {
		return m.formKey(msg)
	}
	if m.table.Filtering() {
		m.table, _ = m.table.Update(msg)
		return nil
	}
	k, l := m.c.Keys.Streams, m.c.Keys.List
	switch {
	case key.Matches(msg, l.Open):
		if e, ok := m.selected(); ok {
			return common.Open(common.ShardsTab, e.stream.Name, nil)
		}
		return nil
	case key.Matches(msg, m.c.Keys.Consumers.Open):
		if e, ok := m.selected(); ok {
			return m.consumers.OfStream(e.stream.Name)
		}
		return nil
	case key.Matches(msg, l.Copy):
		if e, ok := m.selected(); ok {
			text, what := e.stream.ARN, "the ARN of "+e.stream.Name
			if text == "" {
				text, what = e.stream.Name, "the stream name"
			}
			return func() tea.Msg { return common.CopyMsg{Text: text, What: what} }
		}
		return nil
	case key.Matches(msg, k.Create, k.Delete, k.Retention, k.PutRecord) && m.readOnly():
		return common.Status(common.Warning, "read-only: streams cannot be changed here")
	case key.Matches(msg, k.Create):
		m.openForm(m.createForm())
		return nil
	case key.Matches(msg, k.Delete):
		if e, ok := m.selected(); ok {
			return m.confirmDelete(e)
		}
		return nil
	case key.Matches(msg, k.Retention):
		if e, ok := m.selected(); ok {
			if !e.described {
				return common.Status(common.Warning, "wait for "+inert.Line(e.stream.Name)+" to be described")
			}
			m.openForm(m.retentionForm(e))
		}
		return nil
	case key.Matches(msg, k.PutRecord):
		if e, ok := m.selected(); ok {
			m.openForm(m.putForm(e))
		}
		return nil
	}
	m.table, _ = m.table.Update(msg)
	return nil
}

func (m *Model) openForm(f *form) {
	f.startEditing(&m.c.Keys.Input)
	m.form = f
	m.table.SetSize(m.width, m.tableHeight())
}

func (m *Model) closeForm() {
	m.form = nil
	m.table.SetSize(m.width, m.tableHeight())
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.form
	before := f.height()
	switch f.update(msg) {
	case formCancelled:
		m.closeForm()
		return nil
	case formSubmitted:
		cmd, err := m.submit(f)
		if err != nil {
			f.err = err.Error()
			return nil
		}
		m.closeForm()
		return cmd
	}
	if f.height() != before {
		m.table.SetSize(m.width, m.tableHeight())
	}
	return nil
}

const (
	modeProvisioned = "provisioned"
	modeOnDemand    = "on-demand"
)

func (m *Model) createForm() *form {
	return &form{kind: formCreate, title: "Create a stream", fields: []field{
		{label: "name", hint: "letters, digits, _ . -"},
		{label: "mode", value: modeProvisioned, choices: []string{modeProvisioned, modeOnDemand}, hint: "space switches"},
		{label: "shards", value: "1", shown: func(f *form) bool { return f.value("mode") == modeProvisioned }},
	}}
}

func (m *Model) retentionForm(e *entry) *form {
	return &form{kind: formRetention, title: "Retention of " + e.stream.Name, stream: e.stream.Name, fields: []field{
		{label: "hours", value: strconv.Itoa(e.stream.RetentionHours), hint: "24 to 8760 (365 days)"},
	}}
}

func (m *Model) putForm(e *entry) *form {
	f := &form{kind: formPut, title: "Put a test record to " + e.stream.Name, stream: e.stream.Name, fields: []field{
		{label: "partition key", value: "test"},
	}}
	if ed := strings.Fields(m.getenv("EDITOR")); len(ed) > 0 {
		f.editor = ed
		f.fields[0].hint = "enter opens " + ed[0] + " on the data"
	} else {
		f.fields = append(f.fields, field{label: "data", value: compactJSON(m.template()), hint: "$EDITOR is not set: one line"})
	}
	return f
}

// template is the test record a put starts from.
func (m *Model) template() string {
	return "{\n  \"id\": \"test-" + strconv.FormatInt(m.now().UnixMilli(), 10) + "\",\n  \"type\": \"TestEvent\",\n  \"time\": \"" +
		m.now().UTC().Format(time.RFC3339) + "\",\n  \"detail\": {}\n}\n"
}

func compactJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return strings.TrimSpace(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var streamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// submit checks a form and turns it into a confirmation (or, for a put
// record with an editor, the editor first).
func (m *Model) submit(f *form) (tea.Cmd, error) {
	s := m.c.Env.Session
	if s == nil {
		return nil, fmt.Errorf("no session")
	}
	where := "profile " + inert.Line(s.Profile.Name) + ", region " + s.Region
	switch f.kind {
	case formCreate:
		name := f.value("name")
		if !streamName.MatchString(name) {
			return nil, fmt.Errorf("a stream name is 1 to 128 letters, digits, _ . or -")
		}
		onDemand := f.value("mode") == modeOnDemand
		shards := 0
		mode := "on-demand capacity"
		if !onDemand {
			n, err := strconv.Atoi(f.value("shards"))
			if err != nil || n < 1 || n > 10000 {
				return nil, fmt.Errorf("shards: a whole number from 1")
			}
			shards = n
			mode = fmt.Sprintf("provisioned, %d shard%s", n, plural(n))
		}
		title := "Create stream " + name
		lines := []string{
			"Creates the Kinesis stream " + name + " (" + mode + ")",
			"in " + where + ".",
		}
		return m.write("create stream", title, lines, "", func(ctx context.Context) (string, error) {
			return "created stream " + name, streamadmin.Create(ctx, s, name, shards, onDemand)
		}), nil
	case formRetention:
		e := m.entries[f.stream]
		if e == nil {
			return nil, fmt.Errorf("stream %s is gone", f.stream)
		}
		hours, err := strconv.Atoi(f.value("hours"))
		if err != nil || hours < 24 || hours > 8760 {
			return nil, fmt.Errorf("hours: a whole number from 24 to 8760")
		}
		from := e.stream.RetentionHours
		if hours == from {
			return nil, fmt.Errorf("retention is already %d hours", hours)
		}
		lines := []string{fmt.Sprintf("Stream %s: retention from %d to %d hours (%s → %s),", f.stream, from, hours, retention(from), retention(hours))}
		if hours > from {
			lines = append(lines, "with IncreaseStreamRetentionPeriod, in "+where+".",
				"Longer retention is billed as extended data retention.")
		} else {
			lines = append(lines, "with DecreaseStreamRetentionPeriod, in "+where+".",
				fmt.Sprintf("Records older than %d hours become unreadable at once.", hours))
		}
		name := f.stream
		return m.write("change retention", "Change the retention of "+name, lines, "", func(ctx context.Context) (string, error) {
			return fmt.Sprintf("retention of %s is now %d hours", name, hours), streamadmin.SetRetention(ctx, s, name, from, hours)
		}), nil
	case formPut:
		pk := f.value("partition key")
		if pk == "" || len(pk) > 256 {
			return nil, fmt.Errorf("partition key: 1 to 256 characters")
		}
		if f.editor != nil {
			return m.editData(f.stream, pk, f.editor)
		}
		return m.confirmPut(f.stream, pk, []byte(f.value("data"))), nil
	}
	return nil, nil
}

// editData writes the template to a temporary file and opens the editor
// on it; editedMsg follows when it closes.
func (m *Model) editData(stream, pk string, editor []string) (tea.Cmd, error) {
	file, err := os.CreateTemp("", "sluice-record-*.json")
	if err != nil {
		return nil, fmt.Errorf("temporary file: %w", err)
	}
	path := file.Name()
	_, err = file.WriteString(m.template())
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("temporary file: %w", err)
	}
	stamp := m.writeStamp()
	args := append(append([]string(nil), editor[1:]...), path)
	c := exec.Command(editor[0], args...)
	return tea.ExecProcess(c, func(err error) tea.Msg {
		return editedMsg{Stamp: stamp, stream: stream, key: pk, path: path, err: err}
	}), nil
}

// edited reads what the editor left and asks before putting it.
func (m *Model) edited(msg editedMsg) tea.Cmd {
	data, rerr := os.ReadFile(msg.path)
	os.Remove(msg.path)
	if !msg.Fresh(m.writeStamp()) {
		return nil
	}
	if msg.err != nil {
		return common.Fail(fmt.Errorf("editor: %w", msg.err), nil)
	}
	if rerr != nil {
		return common.Fail(fmt.Errorf("read the record: %w", rerr), nil)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return common.Status(common.Warning, "put record cancelled: the file was empty")
	}
	return m.confirmPut(msg.stream, msg.key, data)
}

func (m *Model) confirmPut(stream, pk string, data []byte) tea.Cmd {
	s := m.c.Env.Session
	if s == nil {
		return nil
	}
	preview := strings.Join(strings.Fields(string(data)), " ")
	lines := []string{
		fmt.Sprintf("Writes one record of %d bytes to stream %s", len(data), stream),
		"with partition key " + pk + ", in profile " + s.Profile.Name + ", region " + s.Region + ":",
		preview,
	}
	return m.write("put record", "Put a record to "+stream, lines, "", func(ctx context.Context) (string, error) {
		shard, seq, err := streamadmin.PutRecord(ctx, s, stream, pk, data)
		return "put a record to " + stream + ": " + shard + ", sequence " + seq, err
	})
}

func (m *Model) confirmDelete(e *entry) tea.Cmd {
	s := m.c.Env.Session
	if s == nil {
		return nil
	}
	name := e.stream.Name
	consumers := len(e.stream.Consumers) > 0
	lines := []string{"Deletes the Kinesis stream " + name + " and every record in it,"}
	if e.described {
		lines = append(lines, fmt.Sprintf("%d open shard%s, %s of retention,", e.stream.OpenShards, plural(e.stream.OpenShards), retention(e.stream.RetentionHours)))
	}
	if consumers {
		lines = append(lines, fmt.Sprintf("and its %d enhanced fan-out consumer%s (%s),", len(e.stream.Consumers), plural(len(e.stream.Consumers)), strings.Join(e.stream.Consumers, ", ")))
	}
	lines = append(lines, "in profile "+s.Profile.Name+", region "+s.Region+". This cannot be undone.")
	return m.write("delete stream", "Delete stream "+name, lines, name, func(ctx context.Context) (string, error) {
		return "deleting stream " + name, streamadmin.Delete(ctx, s, name, consumers)
	})
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Completions offers the stream names for the palette's :tail, :shards
// and :metrics.
func (m *Model) Completions(command string) []string {
	switch command {
	case "tail", "shards", "metrics", "consumers":
		return append([]string(nil), m.order...)
	}
	return nil
}

// Names are the streams listed, in order.
func (m *Model) Names() []string { return m.Completions("shards") }

// View draws the tab: a header line, the table, and the form when one is
// open; exactly the tab's size.
func (m *Model) View() string {
	if m.consumers.Open() {
		return m.consumers.View()
	}
	top := append([]string{m.header()}, m.bannerLines()...)
	lines := strings.Split(strings.Join(append(top, m.table.View()), "\n"), "\n")
	if m.form == nil {
		return strings.Join(lines[:min(len(lines), m.height)], "\n")
	}
	// The table keeps at least two lines: on a very short tab it yields
	// them to the form, whose field and hint are what is being typed.
	form := strings.Split(m.form.view(m.c.Styles, m.width), "\n")
	form = form[:min(len(form), m.height)]
	lines = lines[:min(len(lines), m.height-len(form))]
	return strings.Join(append(lines, form...), "\n")
}

// header says how many streams there are and whether more are coming.
func (m *Model) header() string {
	st := m.c.Styles
	n := len(m.order)
	title := "Streams"
	info := fmt.Sprintf(" %d stream%s", n, plural(n))
	now := m.now()
	switch {
	case m.loading && m.fresh.Read().IsZero():
		info += " · listing more…"
	case m.fresh.Err() == "" && !m.fresh.Read().IsZero():
		info += " · " + m.fresh.Line(now)
	}
	if f := m.table.Filter(); f != "" {
		info += fmt.Sprintf(" · %d shown", m.table.Len())
	}
	info += " · records per minute over the last hour"
	line := title + info
	if inert.Width(line) > m.width {
		return st.Title.Render(inert.Fit(title+info, m.width))
	}
	return st.Title.Render(title) + st.Muted.Render(inert.Pad(info, m.width-inert.Width(title)))
}

// bannerLines say, under the header, what the latest refresh could not
// read, whole enough to act on: the listing, the DLQ depths, the metrics
// of some streams (whose rows keep their last good figures). Failures
// belong here and in their rows, not in the status bar.
func (m *Model) bannerLines() []string {
	if m.width <= 0 {
		return nil
	}
	now := m.now()
	var out []string
	if m.fresh.Err() != "" {
		out = append(out, "✗ streams: "+m.fresh.Line(now)+" (ctrl+r retries)")
	}
	if m.dlqFresh.Err() != "" {
		out = append(out, "✗ DLQ depths: "+m.dlqFresh.Line(now))
	}
	for _, n := range m.order {
		if e := m.entries[n]; e != nil && e.descErr != "" {
			out = append(out, "✗ "+e.descErr)
			break // the rows say which others; the first says why
		}
	}
	failed, first := 0, ""
	for _, n := range m.order {
		if e := m.entries[n]; e != nil && e.metricsErr != "" {
			if failed == 0 {
				first = n + ": " + e.metricsErr
			}
			failed++
		}
	}
	if failed > 0 {
		out = append(out, fmt.Sprintf("✗ metrics of %d stream%s could not be read (%s)", failed, plural(failed), first))
	}
	// At most two lines: the table keeps the rest of a short tab.
	if len(out) > 2 {
		out = out[:2]
	}
	for i, l := range out {
		out[i] = m.c.Styles.Err.Render(inert.Fit(inert.Line(l), m.width))
	}
	return out
}

// ShortHelp is the footer's help.
func (m *Model) ShortHelp() []key.Binding {
	if m.form != nil {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/submit")),
			key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}
	}
	if m.consumers.Open() {
		return m.consumers.ShortHelp()
	}
	l := m.c.Keys.List
	out := []key.Binding{withHelp(l.Open, "shards"), m.c.Keys.Consumers.Open, l.Filter}
	return append(out, m.writeKeys()...)
}

// FullHelp is every binding of the tab.
func (m *Model) FullHelp() [][]key.Binding {
	if m.consumers.Open() {
		return m.consumers.FullHelp()
	}
	l := m.c.Keys.List
	nav := append([]key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, withHelp(l.Open, "shards"), m.c.Keys.Consumers.Open, l.Filter, l.Back, withHelp(l.Copy, "copy ARN")}, common.SortKeys(l)...)
	if w := m.writeKeys(); len(w) > 0 {
		return [][]key.Binding{nav, w}
	}
	return [][]key.Binding{nav}
}

// writeKeys are the write bindings, none under read-only.
func (m *Model) writeKeys() []key.Binding {
	if m.readOnly() {
		return nil
	}
	k := m.c.Keys.Streams
	return []key.Binding{k.Create, k.Delete, k.Retention, k.PutRecord}
}

func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// writeStamp is what a write's outcome and an editor's close carry: they
// belong to the session they were made in, whatever loads came since.
func (m *Model) writeStamp() common.Stamp { return common.SessionStamp(common.StreamsTab, m.c.Env) }

// write asks before a change to a stream, then carries it out; text is
// the success's status line. A failure keeps the list and offers to ask
// again.
func (m *Model) write(what, title string, lines []string, typed string, do func(ctx context.Context) (text string, err error)) tea.Cmd {
	return common.Write{
		Tab: common.StreamsTab, What: what, Title: title, Lines: lines, TypeToConfirm: typed, RetryOnFailure: true,
		Do: func(ctx context.Context) common.StatusMsg {
			text, err := do(ctx)
			if err != nil {
				return common.StatusMsg{Text: err.Error(), Level: common.Failure}
			}
			return common.StatusMsg{Text: text, Level: common.Success}
		},
	}.Ask(m.c.Env)
}
