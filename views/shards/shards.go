// Package shards is the Shards tab: the shards of one stream (state,
// lineage, share of the key space, sequence range) and a live tail of one
// shard or all of them, with a jq filter, pause, a detail pane, copy,
// export and trace.
//
// The tail runs in its own goroutines (backend/tail). Its batches reach the
// model through one tea.Cmd at a time that waits on the tail's channel,
// takes every batch already waiting (so a fast tail becomes few, larger
// messages), builds the rows' cells off the UI goroutine, and is issued
// again once its message is handled. Each message carries the tail's
// generation: batches of a tail that was closed or replaced are dropped.
// The rows are bounded (MaxRows, MaxBytes), so memory stays flat however
// long the tail runs, and only the visible rows are drawn.
package shards

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/lineedit"
	"github.com/sluicehq/sluice/views/table"
)

// Bounds of the tail view.
const (
	// MaxRows is how many records the tail keeps; older ones are dropped.
	MaxRows = 10000
	// MaxBytes bounds the data the kept records hold (for large records).
	MaxBytes = 64 << 20
	// maxCoalesce caps the records one message carries.
	maxCoalesce = 20000
	// coalesceWindow is how long the waiting command gathers batches
	// into one message: a tail shows at most 20 updates a second.
	coalesceWindow = 50 * time.Millisecond
	previewLen     = 240
)

type mode int

const (
	modeShards mode = iota
	modeTail
	modeDetail
)

type inputKind int

const (
	inputNone inputKind = iota
	inputFrom
	inputJQ
)

// tailer is what the view needs of a running tail: *tail.Tail in the app.
type tailer interface {
	Records() <-chan tail.Batch
	Pause()
	Resume()
	Close()
	Stats() tail.Stats
	Err() error
}

// Model is the Shards tab.
type Model struct {
	// width and height are the tab's, set by SetSize.
	width, height int
	// maxRows bounds the tail's rows: MaxRows, or the config's tail.buffer.
	maxRows int
	c       *common.Common

	// loads stamps each listing of the shards; tails each tail started.
	loads, tails common.Requests
	stream       string

	shardList []inventory.Shard
	shards    table.Model
	// traffic is the shards' load from their shard-level metrics, read
	// after each listing.
	traffic shardTraffic
	// wall is the clock of the metrics' window: CloudWatch's time is the
	// real one whatever now says.
	wall    func() time.Time
	loading bool
	// fresh is when the shard list was last read whole and whether the
	// latest read failed: the header's "updated 12s ago", the banner's
	// "refresh failed …", and whether a read is due (common.RefreshEvery).
	fresh common.Freshness
	// hidden is set while another tab is shown: a hidden tab makes no
	// calls, and reads what fell due once it is shown again.
	hidden bool

	mode mode

	// The tail.
	tl        tailer
	cancel    context.CancelFunc
	starting  bool
	tailShard string // "" for every shard
	from      tail.Position
	filter    *decode.Filter
	paused    bool
	pending   []batchMsg // received while paused
	ended     string     // why the tail ended, once it has
	endedErr  bool

	recs ring // the rows' records, by serial (the rows' IDs)
	rows table.Model

	// Figures for the header, refreshed every second.
	received     int64
	lastReceived int64
	lastTick     time.Time
	rate         float64
	behind       int64
	throttles    int64
	// filteredOut counts the records read that the jq yielded nothing for.
	filteredOut int64

	detail jsonview.Model

	input inputKind
	// edit is the prompt's line while input is not inputNone.
	edit lineedit.Model

	// window is how long a message gathers batches (coalesceWindow).
	window time.Duration

	// now is the clock: it names export files and says when the shard
	// list is due; exportDir, when set, is where exports go.
	now       func() time.Time
	exportDir string
}

// New makes the tab.
func New(c *common.Common) *Model {
	maxRows := MaxRows
	if c.Env != nil && c.Env.Config.Tail.Buffer > 0 {
		maxRows = c.Env.Config.Tail.Buffer
	}
	m := &Model{c: c, loads: common.NewRequests(common.ShardsTab), tails: common.NewRequests(common.ShardsTab), from: tail.Position{Kind: tail.Latest}, now: time.Now, recs: newRing(maxRows), maxRows: maxRows, window: coalesceWindow}
	m.wall = time.Now
	m.shards = table.New(c.Styles, &c.Keys.List, shardColumns(c.Width))
	m.shards.SetEmpty("no shards")
	m.rows = table.New(c.Styles, &c.Keys.List, []table.Column{
		{Title: "TIME", Width: 12},
		{Title: "SHARD", Width: 5, Right: true},
		{Title: "PARTITION KEY", Width: 10, Flex: 1},
		{Title: "SEQUENCE", Width: 14},
		{Title: "SIZE", Width: 8, Right: true},
		{Title: "PREVIEW", Width: 16, Flex: 4},
	})
	m.rows.SetEmpty("waiting for records…")
	m.detail = jsonview.New(c.Styles, &c.Keys.List)
	m.SetSize(c.Width, c.Height)
	return m
}

func (m *Model) ID() common.TabID { return common.ShardsTab }
func (m *Model) Title() string    { return "Shards" }
func (m *Model) Init() tea.Cmd    { return nil }

// Capturing is true while a filter, a position or a jq expression is
// being typed.
func (m *Model) Capturing() bool {
	if m.input != inputNone {
		return true
	}
	switch m.mode {
	case modeShards:
		return m.shards.Filtering()
	case modeTail:
		return m.rows.Filtering()
	}
	return false
}

// SetSize lays the tab out in width × height.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	body := max(height-1, 2) // the header line
	if m.input != inputNone {
		body = max(body-1, 2)
	}
	m.shards.SetColumns(shardColumns(width))
	m.shards.SetSize(width, max(body-len(m.bannerLines()), 1))
	m.rows.SetSize(width, body)
	m.detail.SetSize(width, max(height-1, 1))
	m.layoutShardRows()
}

// ShortHelp lists the keys of the current view.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch m.mode {
	case modeTail:
		return []key.Binding{k.Shards.Pause, k.List.Open, k.Shards.From, k.Shards.JQ, k.List.Copy, k.Shards.Export, k.List.Trace, k.List.Filter, k.List.Back}
	case modeDetail:
		return []key.Binding{k.List.Up, k.List.Down, k.List.Copy, k.List.Trace, k.Shards.Pause, k.List.Back}
	}
	return []key.Binding{k.Shards.Tail, k.Shards.TailAll, k.Shards.From, k.Shards.JQ, k.List.Filter}
}

// FullHelp lists every key of the tab.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{
		{k.Shards.Tail, k.Shards.TailAll, k.Shards.From, k.Shards.JQ, k.Shards.Pause},
		{k.List.Open, k.Shards.Detail, k.List.Copy, k.Shards.Export, k.List.Trace, k.List.Back},
		append([]key.Binding{k.List.Up, k.List.Down, k.List.Top, k.List.Bottom, k.List.PageUp, k.List.PageDown, k.List.Filter}, common.SortKeys(k.List)...),
	}
}

// Messages.

type shardsMsg struct {
	common.Stamp
	stream string
	shards []inventory.Shard
	err    error
}

type tailStartedMsg struct {
	common.Stamp
	tl     *tail.Tail
	cancel context.CancelFunc
	err    error
}

// batchMsg is every batch that was ready when the waiting command woke,
// with the rows' cells already built.
type batchMsg struct {
	common.Stamp
	recs   []tail.Record
	cells  [][]string
	behind int64
	closed bool
}

// retryMsg is the status line's retry: restart the tail, unless
// something newer happened since. (A listing's failure is the tab's to
// say, in the banner; ctrl+r and the cadence read it again.)
type retryMsg struct {
	// Stamp is the tail's; tail is always set.
	common.Stamp
	shard string
	tail  bool
}

type tickMsg struct{ common.Stamp }

type exportedMsg struct {
	common.Stamp
	path string
	n    int
	err  error
}

// Update handles keys, the wheel, and the tab's messages.
func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.OpenMsg:
		if msg.Tab != common.ShardsTab {
			return m, nil
		}
		return m, m.open(msg.Target, msg.Extra)
	case common.SessionMsg:
		cmd := m.closeTail()
		m.mode = modeShards
		m.shardList = nil
		m.traffic = shardTraffic{}
		m.shards.SetRows(nil)
		m.fresh.Forget()
		m.SetSize(m.width, m.height)
		if m.hidden {
			// Read once shown (FocusMsg): a hidden tab makes no calls.
			m.loads.Next(m.c.Env) // an answer of the old session is stale
			m.loading = false
			return m, cmd
		}
		return m, tea.Batch(cmd, m.load())
	case common.RefreshMsg:
		return m, m.load()
	case common.AutoRefreshMsg:
		// Every second while shown: the header's "updated … ago" moves
		// with the redraw that follows; the shard list is read again
		// when due. The tail streams on its own; while it is shown the
		// list is not, and it is read again once it is.
		return m, m.refreshIfDue()
	case common.FocusMsg:
		m.hidden = !msg.Focused
		// Shown again: catch up on what fell due while hidden.
		if msg.Focused {
			return m, m.refreshIfDue()
		}
		return m, nil
	case shardsMsg:
		return m, m.listed(msg)
	case trafficMsg:
		m.trafficRead(msg)
		return m, nil
	case retryMsg:
		if msg.tail && m.tails.Fresh(msg.Stamp, m.c.Env) && m.mode != modeShards {
			return m, m.startTail(msg.shard)
		}
		return m, nil
	case tailStartedMsg:
		return m, m.tailStarted(msg)
	case batchMsg:
		return m, m.batch(msg)
	case tickMsg:
		return m, m.tick(msg)
	case exportedMsg:
		if msg.err != nil {
			return m, common.Fail(fmt.Errorf("export: %w", msg.err), nil)
		}
		return m, common.Status(common.Success, fmt.Sprintf("exported %d records to %s", msg.n, msg.path))
	case tea.PasteMsg:
		if m.input != inputNone {
			m.edit.Update(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseWheelMsg:
		switch m.mode {
		case modeShards:
			m.shards, _ = m.shards.Update(msg)
		case modeTail:
			m.rows, _ = m.rows.Update(msg)
		case modeDetail:
			m.detail, _ = m.detail.Update(msg)
		}
	}
	return m, nil
}

// open chooses a stream; with common.TailAll it tails every shard from
// LATEST at once.
func (m *Model) open(stream string, extra any) tea.Cmd {
	var cmds []tea.Cmd
	if stream != "" && stream != m.stream {
		cmds = append(cmds, m.closeTail())
		m.stream = stream
		m.shardList = nil
		m.traffic = shardTraffic{}
		m.shards.SetRows(nil)
		m.shards.SetCursor(0)
		m.fresh.Forget()
		m.mode = modeShards
		m.SetSize(m.width, m.height)
		cmds = append(cmds, m.load())
	}
	if _, ok := extra.(common.TailAll); ok && m.stream != "" {
		m.from = tail.Position{Kind: tail.Latest}
		cmds = append(cmds, m.startTail(""))
	}
	return tea.Batch(cmds...)
}

// refreshIfDue reads the shard list again when it is shown and due.
func (m *Model) refreshIfDue() tea.Cmd {
	if m.hidden || m.mode != modeShards || m.stream == "" || !m.fresh.Due(m.now()) {
		return nil
	}
	return m.load()
}

// listed takes a listing of the shards. A failure keeps the rows read
// before and is said in the tab (the banner, or the body when nothing
// was read yet), not in the status bar; a listing that worked replaces
// the rows, the cursor staying on the shard it was on.
func (m *Model) listed(msg shardsMsg) tea.Cmd {
	if !m.loads.Fresh(msg.Stamp, m.c.Env) || msg.stream != m.stream {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.fresh.Failed(m.now(), msg.err)
		m.SetSize(m.width, m.height) // the banner takes a line
		return nil
	}
	m.fresh.Succeeded(m.now())
	m.shardList = msg.shards
	m.SetSize(m.width, m.height) // lays the rows out; the banner gives its line back
	return tea.Batch(common.Succeeded, m.loadTraffic(msg.Stamp))
}

// load lists the stream's shards; the rows shown stay until the answer
// replaces them.
func (m *Model) load() tea.Cmd {
	stamp := m.loads.Next(m.c.Env)
	if m.stream == "" || m.c.Env == nil || m.c.Env.Session == nil {
		return nil
	}
	m.loading = true
	m.fresh.Start(m.now())
	env, stream := m.c.Env, m.stream
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		shards, err := inventory.ListShards(ctx, env.Session, stream)
		if err != nil {
			// The operation and AWS's code and message, not the SDK's
			// chain (status, request id), which a banner cannot hold.
			err = errors.New(env.Session.Failure("kinesis", "", err).Message)
		}
		return shardsMsg{Stamp: stamp, stream: stream, shards: shards, err: err}
	}
}

func (m *Model) layoutShardRows() {
	w := m.width
	rows := make([]table.Row, len(m.shardList))
	for i, s := range m.shardList {
		state, tone := "open", table.Good
		if !s.Open {
			state, tone = "closed", table.Dim
		}
		var parents []string
		for _, p := range []string{s.ParentID, s.AdjacentParentID} {
			if p != "" {
				parents = append(parents, shardNumber(p))
			}
		}
		lineage := strings.Join(parents, "+")
		if lineage == "" {
			lineage = "–"
		}
		kids := "–"
		if len(s.Children) > 0 {
			nums := make([]string, len(s.Children))
			for j, c := range s.Children {
				nums[j] = shardNumber(c)
			}
			kids = strings.Join(nums, ", ")
		}
		lineage += " → " + kids
		seq := abbrevSeq(s.StartSequence, w) + " – "
		if s.EndSequence == "" {
			seq += "(open)"
		} else {
			seq += abbrevSeq(s.EndSequence, w)
		}
		load, loadKeys := m.trafficCells(s.ID, s.Open)
		if m.traffic.hot[s.ID] {
			tone = table.Warn
		}
		cells := append([]string{s.ID, state}, load...)
		cells = append(cells, lineage, strconv.FormatFloat(s.KeyspaceShare*100, 'f', 1, 64)+"%")
		if wideShards(w) {
			cells = append(cells, seq)
		}
		rows[i] = table.Row{ID: s.ID, Tone: tone, Cells: cells, Sort: append([]table.Key{{}, {}}, loadKeys...)}
	}
	m.shards.SetRows(rows)
}

// wideShards reports whether the sequence range column fits beside the
// load columns.
func wideShards(width int) bool { return width >= 110 }

// shardColumns lays out the shard list: the load columns come right
// after the state, where a hot shard is seen first.
func shardColumns(width int) []table.Column {
	cols := []table.Column{
		{Title: "SHARD", Width: 20},
		{Title: "STATE", Width: 6},
		{Title: "REC/MIN", Width: 7, Right: true},
		{Title: "BYTES/MIN", Width: 9, Right: true},
		{Title: "ITER AGE", Width: 8, Right: true},
		{Title: "PARENT→CHILDREN", Width: 14, Flex: 1},
		{Title: "KEYSPACE", Width: 8, Right: true},
	}
	if wideShards(width) {
		cols = append(cols, table.Column{Title: "SEQUENCE RANGE", Width: 25, Flex: 2})
	}
	return cols
}

// shortShard drops the "shardId-" prefix: the number is what differs.
func shortShard(id string) string {
	return strings.TrimPrefix(id, "shardId-")
}

// abbrevSeq fits a 56-digit sequence number to the screen's width: whole
// on a very wide screen, its start and end on a wide one, its end (what
// differs between the records of a shard) on a narrow one.
func abbrevSeq(s string, width int) string {
	switch {
	case len(s) <= 21 || width >= 200:
		return s
	case width >= 120:
		return s[:10] + "…" + s[len(s)-10:]
	}
	return "…" + s[len(s)-10:]
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.input != inputNone {
		return m.editInput(msg)
	}
	k := m.c.Keys
	switch m.mode {
	case modeShards:
		if m.shards.Filtering() {
			m.shards, _ = m.shards.Update(msg)
			return nil
		}
		switch {
		case key.Matches(msg, k.Shards.Tail, k.List.Open):
			if r, ok := m.shards.Selected(); ok {
				return m.startTail(r.ID)
			}
			return nil
		case key.Matches(msg, k.Shards.TailAll):
			return m.startTail("")
		case key.Matches(msg, k.Shards.From):
			m.openInput(inputFrom)
			return nil
		case key.Matches(msg, k.Shards.JQ):
			m.openInput(inputJQ)
			return nil
		}
		m.shards, _ = m.shards.Update(msg)
		return nil
	case modeTail:
		if m.rows.Filtering() {
			m.rows, _ = m.rows.Update(msg)
			return nil
		}
		switch {
		case key.Matches(msg, k.List.Back):
			if m.rows.Filter() != "" {
				m.rows.SetFilter("")
				return nil
			}
			cmd := m.closeTail()
			m.mode = modeShards
			m.SetSize(m.width, m.height) // the banner, if any, is back
			// The list was not read while the tail was shown.
			return tea.Batch(cmd, m.refreshIfDue())
		case key.Matches(msg, k.List.Open, k.Shards.Detail):
			m.openDetail()
			return nil
		case key.Matches(msg, k.Shards.TailAll):
			return m.startTail("")
		}
		if cmd, ok := m.tailKey(msg); ok {
			return cmd
		}
		m.rows, _ = m.rows.Update(msg)
		return nil
	case modeDetail:
		if key.Matches(msg, k.List.Back) {
			m.mode = modeTail
			return nil
		}
		if cmd, ok := m.tailKey(msg); ok {
			return cmd
		}
		m.detail, _ = m.detail.Update(msg)
	}
	return nil
}

// tailKey handles the keys the tail and its detail pane share.
func (m *Model) tailKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Shards.Pause):
		return m.togglePause(), true
	case key.Matches(msg, k.Shards.From):
		m.openInput(inputFrom)
		return nil, true
	case key.Matches(msg, k.Shards.JQ):
		m.openInput(inputJQ)
		return nil, true
	case key.Matches(msg, k.List.Copy):
		return m.copySelected(), true
	case key.Matches(msg, k.Shards.Export):
		return m.export(), true
	case key.Matches(msg, k.List.Trace):
		if r, ok := m.selectedRecord(); ok {
			return common.Trace(common.TraceRequest{StreamARN: r.StreamARN, ShardID: r.ShardID, SequenceNumber: r.SequenceNumber}), true
		}
		return nil, true
	}
	return nil, false
}

func (m *Model) openInput(kind inputKind) {
	m.input = kind
	value := ""
	switch kind {
	case inputFrom:
		value = m.from.String()
	case inputJQ:
		if m.filter != nil {
			value = m.filter.String()
		}
	}
	m.edit = lineedit.New(&m.c.Keys.Input, value)
	m.SetSize(m.width, m.height)
}

func (m *Model) closeInput() {
	m.input = inputNone
	m.SetSize(m.width, m.height)
}

// editInput edits the position or jq prompt; enter applies it and, when
// a tail is running, restarts it with the new setting.
func (m *Model) editInput(msg tea.KeyPressMsg) tea.Cmd {
	switch m.edit.Update(msg) {
	case lineedit.Cancelled:
		m.closeInput()
	case lineedit.Submitted:
		kind, text := m.input, strings.TrimSpace(m.edit.Value())
		switch kind {
		case inputFrom:
			if text == "" {
				m.closeInput()
				return nil
			}
			pos, err := tail.ParsePosition(text)
			if err != nil {
				return common.Fail(fmt.Errorf("tail from: %s", inert.Line(err.Error())), nil)
			}
			m.closeInput()
			m.from = pos
		case inputJQ:
			var f *decode.Filter
			if text != "" {
				var err error
				if f, err = decode.CompileFilter(text); err != nil {
					return common.Fail(fmt.Errorf("jq: %s", inert.Line(err.Error())), nil)
				}
			}
			m.closeInput()
			m.filter = f
		}
		if m.mode != modeShards {
			return m.startTail(m.tailShard)
		}
		return nil
	}
	return nil
}

// View draws the tab, exactly width × height.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	var parts []string
	parts = append(parts, m.header())
	switch {
	case m.stream == "":
		parts = append(parts, m.c.Styles.Muted.Render(inert.Fit("  no stream chosen: open one from Streams (enter), or :tail <stream>", w)))
	case m.mode == modeDetail:
		parts = append(parts, m.detail.View())
	case m.mode == modeTail:
		parts = append(parts, m.rows.View())
	default:
		parts = append(parts, m.bannerLines()...)
		if m.loading && len(m.shardList) == 0 {
			parts = append(parts, m.c.Styles.Muted.Render(inert.Fit("  loading shards of "+inert.Line(m.stream)+"…", w)))
		} else if m.fresh.Err() != "" && len(m.shardList) == 0 {
			parts = append(parts, m.c.Styles.Muted.Render(inert.Fit("  no shards read", w)))
		} else {
			parts = append(parts, m.shards.View())
		}
	}
	if m.input != inputNone && m.mode != modeDetail {
		parts = append(parts, m.inputLine())
	}
	out := strings.Split(strings.Join(parts, "\n"), "\n")
	blank := strings.Repeat(" ", w)
	for len(out) < h {
		out = append(out, blank)
	}
	return strings.Join(out[:h], "\n")
}

// bannerLines say, under the header of the shard list, that its latest
// read failed, when, what is shown instead, and AWS's message.
func (m *Model) bannerLines() []string {
	if m.width <= 0 || m.stream == "" || m.mode != modeShards {
		return nil
	}
	note, failed := m.trafficNote()
	if m.fresh.Err() == "" {
		switch {
		case note == "":
			return nil
		case failed:
			return []string{m.c.Styles.Err.Render(inert.Fit(note, m.width))}
		}
		return []string{m.c.Styles.Muted.Render(inert.Fit(note, m.width))}
	}
	line := inert.Line("✗ " + m.fresh.Line(m.now()) + " (ctrl+r retries)")
	// Two lines at most, so that AWS's message, last, is seen on a
	// narrow screen too; the list keeps the rest.
	first, rest := cutWidth(line, m.width)
	out := []string{m.c.Styles.Err.Render(inert.Pad(first, m.width))}
	if rest != "" && m.height >= 8 {
		out = append(out, m.c.Styles.Err.Render(inert.Fit("  "+rest, m.width)))
	}
	return out
}

// cutWidth splits s (one inert line) after at most width cells, at a
// space when one is in the line's second half: what fits, and what is
// left.
func cutWidth(s string, width int) (string, string) {
	if inert.Width(s) <= width {
		return s, ""
	}
	used, space := 0, -1
	for i, r := range s {
		w := inert.RuneWidth(r)
		if used+w > width {
			if space > 0 && inert.Width(s[:space]) >= width/2 {
				return s[:space], s[space+1:]
			}
			return s[:i], s[i:]
		}
		if r == ' ' {
			space = i
		}
		used += w
	}
	return s, ""
}

// header is the line above the lists: the stream, and the tail's state.
func (m *Model) header() string {
	st, w := m.c.Styles, m.width
	if m.stream == "" {
		return st.Muted.Render(inert.Fit("Shards", w))
	}
	left := inert.LineCut(m.stream, max(w/3, 8))
	var rest []string
	var right string
	var rightStyle = st.Muted
	switch m.mode {
	case modeShards:
		open := 0
		for _, s := range m.shardList {
			if s.Open {
				open++
			}
		}
		noun := "shards"
		if len(m.shardList) == 1 {
			noun = "shard"
		}
		rest = append(rest, fmt.Sprintf("%d %s, %d open", len(m.shardList), noun, open))
		if m.fresh.Err() == "" && !m.fresh.Read().IsZero() {
			rest = append(rest, m.fresh.Line(m.now()))
		}
		rest = append(rest, "tail from "+m.from.String())
		if m.filter != nil {
			rest = append(rest, "jq "+inert.Line(m.filter.String()))
		}
	default:
		what := "all shards"
		if m.tailShard != "" {
			what = m.tailShard
		}
		// The jq expression before the position: cut at 80 columns, a
		// filtered tail must still say it is filtered.
		rest = append(rest, what)
		if m.filter != nil {
			rest = append(rest, "jq "+inert.Line(m.filter.String()))
		}
		rest = append(rest, "from "+m.from.String())
		var state string
		switch {
		case m.ended != "":
			state = "■ " + m.ended
			rightStyle = st.Muted
			if m.endedErr {
				rightStyle = st.Err
			}
		case m.starting:
			state = "○ starting"
		case m.paused:
			state = "❚❚ paused"
			rightStyle = st.Warn
		default:
			state = "● running"
			rightStyle = st.OK
		}
		right = state + fmt.Sprintf(" · %s rec/s · %s ms behind", rateText(m.rate), thousands(m.behind))
		if m.filter != nil && m.filteredOut > 0 && w >= 100 {
			// The rate counts what the jq let through: say what it held
			// back, where the expression itself keeps its room.
			right += " · " + thousands(m.filteredOut) + " held back by jq"
		}
		if m.throttles > 0 || w >= 140 {
			right += " · " + thousands(m.throttles) + " throttles"
		}
		if w >= 140 {
			right += " · " + thousands(int64(m.recs.len())) + " rows"
		}
	}
	mid := " · " + strings.Join(rest, " · ")
	right = inert.Truncate(right, max(w-inert.Width(left)-2, 0))
	room := max(w-inert.Width(left)-inert.Width(right)-1, 0)
	mid = inert.Truncate(mid, room)
	gap := max(w-inert.Width(left)-inert.Width(mid)-inert.Width(right), 0)
	return st.Title.Render(left) + st.Muted.Render(mid) + strings.Repeat(" ", gap) + rightStyle.Render(right)
}

func (m *Model) inputLine() string {
	st, w := m.c.Styles, m.width
	prompt, hint := "from: ", "  trim-horizon · latest · RFC 3339 · -15m · sequence number"
	if m.input == inputJQ {
		prompt, hint = "jq: ", "  select(.status == \"failed\") filters · .detail.orderId projects · empty clears"
	}
	line := prompt + m.edit.View(max(w-inert.Width(prompt), 2))
	used := inert.Width(line)
	hint = common.CutAtWord(hint, max(w-used, 0))
	return st.Accent.Render(line) + st.Muted.Render(hint) + strings.Repeat(" ", max(w-used-inert.Width(hint), 0))
}

func rateText(r float64) string {
	if r <= 0 {
		return "0"
	}
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return thousands(int64(r + 0.5))
}

// thousands writes n with thin separators: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
