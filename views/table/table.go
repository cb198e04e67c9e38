// Package table is the list every tab is made of: columns cut to the
// width, only the visible rows rendered, a cursor that survives refreshes,
// a filter, a sort by any column, and marks for acting on many rows.
package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// Column is one column. Width is fixed unless Flex > 0, in which case the
// column shares what is left of the width in proportion to Flex (never
// less than Width).
type Column struct {
	Title string
	Width int
	Flex  int
	Right bool
}

// Row is one row. ID keeps the cursor on the same row across refreshes;
// cells come from data and are made inert when drawn.
type Row struct {
	ID    string
	Cells []string
	// Tone colours the row: 0 plain, else a theme level.
	Tone Tone
	// Sort, by column, is what cells sort by when their text would sort
	// wrong; a short or nil slice leaves the rest to their text.
	Sort []Key
}

// Tone is how a row reads.
type Tone int

const (
	Plain Tone = iota
	Dim
	Good
	Warn
	Bad
)

// Model is a table.
type Model struct {
	cols   []Column
	widths []int
	rows   []Row
	// view indexes rows that pass the filter, in order.
	view      []int
	cursor    int
	offset    int
	width     int
	height    int
	styles    *theme.Styles
	keys      *keymap.List
	filter    string
	filtering bool
	marked    map[string]bool
	empty     string
	sort      SortState
}

// New makes a table with columns.
func New(styles *theme.Styles, keys *keymap.List, cols []Column) Model {
	return Model{cols: cols, styles: styles, keys: keys, marked: map[string]bool{}, empty: "nothing here"}
}

// SetEmpty sets what an empty table says.
func (m *Model) SetEmpty(text string) { m.empty = text }

// SetColumns replaces the columns.
func (m *Model) SetColumns(cols []Column) {
	m.cols = cols
	m.layout()
}

// SetSize sets the table's size, header included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, max(height, 2)
	m.layout()
	m.clamp()
}

// SetRows replaces the rows, keeping the cursor on the row with the same
// ID when it is still there.
func (m *Model) SetRows(rows []Row) {
	id := m.selectedID()
	m.rows = rows
	m.refilter()
	m.follow(id)
	m.clamp()
}

// follow puts the cursor on the row whose ID is id, when there is one:
// the cursor follows a row, not a place, through refreshes and sorts.
func (m *Model) follow(id string) {
	if id == "" {
		return
	}
	for i, ri := range m.view {
		if m.rows[ri].ID == id {
			m.cursor = i
			return
		}
	}
}

// AppendRows adds rows at the end (a tail). When the cursor was on the
// last row, it follows; in a sorted table the rows take their places and
// the cursor stays on its row.
func (m *Model) AppendRows(rows []Row) {
	if m.sortIndex() >= 0 {
		id := m.selectedID()
		for _, r := range rows {
			m.rows = append(m.rows, r)
			if m.matches(r) {
				m.insertSorted(len(m.rows) - 1)
			}
		}
		m.follow(id)
		m.clamp()
		return
	}
	follow := m.cursor >= len(m.view)-1
	for _, r := range rows {
		m.rows = append(m.rows, r)
		if m.matches(r) {
			m.view = append(m.view, len(m.rows)-1)
		}
	}
	if follow {
		m.cursor = len(m.view) - 1
	}
	m.clamp()
}

// DropFirst removes the n oldest rows (a bounded tail).
func (m *Model) DropFirst(n int) {
	if n <= 0 {
		return
	}
	n = min(n, len(m.rows))
	id := m.selectedID()
	m.rows = append(m.rows[:0:0], m.rows[n:]...)
	// The rows left keep their places in the view (filtered and sorted
	// as they were); only their indexes move down by n.
	view := m.view[:0]
	for _, ri := range m.view {
		if ri >= n {
			view = append(view, ri-n)
		}
	}
	m.view = view
	m.follow(id)
	m.clamp()
}

// Rows are all rows, filtered or not, in the order they were given.
func (m Model) Rows() []Row { return m.rows }

// Visible are the rows that pass the filter, in the order shown.
func (m Model) Visible() []Row {
	out := make([]Row, len(m.view))
	for i, ri := range m.view {
		out[i] = m.rows[ri]
	}
	return out
}

// Shown are the rows drawn now: the visible rows in the window the
// cursor has scrolled to. What is read lazily (a count, a metric) is read
// for these.
func (m Model) Shown() []Row {
	end := min(m.offset+m.bodyHeight(), len(m.view))
	out := make([]Row, 0, max(end-m.offset, 0))
	for i := m.offset; i < end; i++ {
		out = append(out, m.rows[m.view[i]])
	}
	return out
}

// IDsAround are the ids of the visible rows within span of the cursor,
// in the order shown (sorted and filtered): a screen's worth either side
// of what the operator looks at, which is what is read first.
func (m Model) IDsAround(span int) []string {
	if len(m.view) == 0 {
		return nil
	}
	lo, hi := max(m.cursor-span, 0), min(m.cursor+span, len(m.view)-1)
	ids := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		ids = append(ids, m.rows[m.view[i]].ID)
	}
	return ids
}

// Len counts the rows that pass the filter.
func (m Model) Len() int { return len(m.view) }

// Selected is the row under the cursor.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return Row{}, false
	}
	return m.rows[m.view[m.cursor]], true
}

// Cursor is the cursor's index among the visible rows.
func (m Model) Cursor() int { return m.cursor }

// SetCursor moves the cursor.
func (m *Model) SetCursor(i int) {
	m.cursor = i
	m.clamp()
}

func (m Model) selectedID() string {
	if r, ok := m.Selected(); ok {
		return r.ID
	}
	return ""
}

// ToggleMark marks or unmarks the selected row.
func (m *Model) ToggleMark() {
	if r, ok := m.Selected(); ok {
		if m.marked[r.ID] {
			delete(m.marked, r.ID)
		} else {
			m.marked[r.ID] = true
		}
	}
}

// Marked lists the marked rows' IDs in row order.
func (m Model) Marked() []string {
	var out []string
	for _, r := range m.rows {
		if m.marked[r.ID] {
			out = append(out, r.ID)
		}
	}
	return out
}

// ClearMarks unmarks every row.
func (m *Model) ClearMarks() { m.marked = map[string]bool{} }

// Filtering reports whether the filter is being typed.
func (m Model) Filtering() bool { return m.filtering }

// Filter is the current filter text.
func (m Model) Filter() string { return m.filter }

// StartFilter starts typing a filter.
func (m *Model) StartFilter() { m.filtering = true }

// SetFilter applies text as the filter.
func (m *Model) SetFilter(text string) {
	m.filter = text
	m.refilter()
	m.clamp()
}

func (m *Model) refilter() {
	m.view = m.view[:0]
	for i, r := range m.rows {
		if m.matches(r) {
			m.view = append(m.view, i)
		}
	}
	m.sortView()
}

func (m Model) matches(r Row) bool {
	if m.filter == "" {
		return true
	}
	needle := strings.ToLower(m.filter)
	for _, c := range r.Cells {
		if strings.Contains(strings.ToLower(c), needle) {
			return true
		}
	}
	return false
}

// Update moves the cursor, scrolls with the wheel, and edits the filter
// while it is being typed.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.filtering {
			m.editFilter(msg)
			return m, nil
		}
		page := max(m.height-2, 1)
		switch {
		case key.Matches(msg, m.keys.Up):
			m.cursor--
		case key.Matches(msg, m.keys.Down):
			m.cursor++
		case key.Matches(msg, m.keys.Top):
			m.cursor = 0
		case key.Matches(msg, m.keys.Bottom):
			m.cursor = len(m.view) - 1
		case key.Matches(msg, m.keys.PageUp):
			m.cursor -= page
		case key.Matches(msg, m.keys.PageDown):
			m.cursor += page
		case key.Matches(msg, m.keys.Filter):
			m.filtering = true
		case key.Matches(msg, m.keys.SortNext):
			m.moveSort(1)
		case key.Matches(msg, m.keys.SortPrev):
			m.moveSort(-1)
		case key.Matches(msg, m.keys.SortFlip):
			m.flipSort()
		case key.Matches(msg, m.keys.Back) && m.filter != "":
			m.SetFilter("")
		}
		m.clamp()
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.cursor -= 3
		case tea.MouseWheelDown:
			m.cursor += 3
		}
		m.clamp()
	}
	return m, nil
}

func (m *Model) editFilter(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "enter":
		m.filtering = false
	case "esc":
		m.filtering = false
		m.SetFilter("")
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.SetFilter(string(r[:len(r)-1]))
		}
	case "ctrl+u":
		m.SetFilter("")
	default:
		if msg.Text != "" {
			m.SetFilter(m.filter + msg.Text)
		}
	}
}

func (m *Model) clamp() {
	if m.cursor >= len(m.view) {
		m.cursor = len(m.view) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	body := m.bodyHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+body {
		m.offset = m.cursor - body + 1
	}
	if m.offset > max(len(m.view)-body, 0) {
		m.offset = max(len(m.view)-body, 0)
	}
	if m.offset < 0 {
		m.offset = 0
	}
}

// bodyHeight is the rows shown: the height less the header and, while a
// filter is set, its line.
func (m Model) bodyHeight() int {
	h := m.height - 1
	if m.filtering || m.filter != "" {
		h--
	}
	return max(h, 1)
}

// layout gives each column its width: fixed ones first, then flex ones
// share the rest.
func (m *Model) layout() {
	m.widths = make([]int, len(m.cols))
	used, flex := 0, 0
	for i, c := range m.cols {
		m.widths[i] = c.Width
		used += c.Width
		flex += c.Flex
	}
	used += max(len(m.cols)-1, 0) // one space between columns
	room := m.width - used - 2    // the cursor gutter
	if flex > 0 && room > 0 {
		for i, c := range m.cols {
			if c.Flex > 0 {
				m.widths[i] += room * c.Flex / flex
			}
		}
	}
}

// View draws the header and the visible rows, exactly width × height.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.styles.Header.Render(m.line(m.titles(), false)))
	body := m.bodyHeight()
	end := min(m.offset+body, len(m.view))
	drawn := 0
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		r := m.rows[m.view[i]]
		selected := i == m.cursor
		text := m.line(r.Cells, m.marked[r.ID])
		b.WriteString(m.rowStyle(r, selected).Render(text))
		drawn++
	}
	if len(m.view) == 0 {
		b.WriteByte('\n')
		msg := m.empty
		if m.filter != "" {
			msg = "no row matches " + inert.Line(m.filter)
		}
		b.WriteString(m.styles.Muted.Render(inert.Pad("  "+msg, m.width)))
		drawn++
	}
	for ; drawn < body; drawn++ {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", m.width))
	}
	if m.filtering || m.filter != "" {
		b.WriteByte('\n')
		prompt := "/" + inert.Line(m.filter)
		if m.filtering {
			prompt += "█"
		}
		info := m.styles.Muted.Render(" " + itoa(len(m.view)) + "/" + itoa(len(m.rows)))
		b.WriteString(m.styles.Accent.Render(inert.Pad(inert.Truncate(prompt, m.width-12), m.width-inert.Width(info))) + info)
	}
	return b.String()
}

func (m Model) titles() []string {
	t := make([]string, len(m.cols))
	for i := range m.cols {
		t[i] = m.sortTitle(i)
	}
	return t
}

func (m Model) rowStyle(r Row, selected bool) interface{ Render(...string) string } {
	if selected {
		return m.styles.Selected
	}
	switch r.Tone {
	case Dim:
		return m.styles.Muted
	case Good:
		return m.styles.OK
	case Warn:
		return m.styles.Warn
	case Bad:
		return m.styles.Err
	}
	return m.styles.Row
}

// line lays cells out in the columns, each made inert and cut to its
// width, with a gutter that shows marks.
func (m Model) line(cells []string, marked bool) string {
	var b strings.Builder
	if marked {
		b.WriteString("● ")
	} else {
		b.WriteString("  ")
	}
	for i, w := range m.widths {
		if i > 0 {
			b.WriteByte(' ')
		}
		cell := ""
		if i < len(cells) {
			cell = inert.LineCut(cells[i], w)
		}
		if m.cols[i].Right {
			b.WriteString(strings.Repeat(" ", max(w-inert.Width(cell), 0)) + cell)
		} else {
			b.WriteString(inert.Pad(cell, w))
		}
	}
	return inert.Truncate(inert.Pad(b.String(), m.width), m.width)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
