package table

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Key is what a cell sorts by. A row gives keys for the cells whose text
// does not sort right (a duration "3m20s", a sparkline, a time written
// without its year); any other cell sorts by its text, read as a number
// when it is one ("1,234", "1.2k").
type Key struct {
	kind keyKind
	num  float64
	text string
}

type keyKind int

const (
	// keyUnset is a Row.Sort slot left empty: the cell's text decides.
	keyUnset keyKind = iota
	keyMissing
	keyNum
	keyText
)

// Num sorts a cell by v.
func Num(v float64) Key { return Key{kind: keyNum, num: v} }

// Time sorts a cell by t; the zero time is missing.
func Time(t time.Time) Key {
	if t.IsZero() {
		return Missing()
	}
	// Microseconds since the epoch fit a float64 exactly for millennia.
	return Key{kind: keyNum, num: float64(t.UnixMicro())}
}

// Text sorts a cell by s, ignoring case; "" is missing.
func Text(s string) Key {
	if s == "" {
		return Missing()
	}
	return Key{kind: keyText, text: strings.ToLower(s)}
}

// Missing is a cell with no value: it sorts last, whichever the direction.
func Missing() Key { return Key{kind: keyMissing} }

// SortState is the column a table sorts by and the direction: what a tab
// remembers. The column is named by its title, so that a table whose
// columns change with the width or the content keeps its sort.
type SortState struct {
	Column string
	Desc   bool
}

// Sort is the table's sort; Column is "" when the rows keep their order.
func (m Model) Sort() SortState { return m.sort }

// SetSort sorts by s, keeping the cursor on its row.
func (m *Model) SetSort(s SortState) {
	id := m.selectedID()
	m.sort = s
	m.refilter()
	m.follow(id)
	m.clamp()
}

// sortable lists the indexes of the columns one can sort by: those with
// a title (an untitled column is padding).
func (m Model) sortable() []int {
	var out []int
	for i, c := range m.cols {
		if c.Title != "" {
			out = append(out, i)
		}
	}
	return out
}

// sortIndex is the index of the sort column, -1 when the table is not
// sorted or the column is not shown.
func (m Model) sortIndex() int {
	if m.sort.Column == "" {
		return -1
	}
	for i, c := range m.cols {
		if c.Title == m.sort.Column {
			return i
		}
	}
	return -1
}

// moveSort makes the next (step 1) or previous (step -1) column the sort
// column; from an unsorted table, the first or the last. Past the last
// column the table is unsorted again, so the rows' own order is one key
// away.
func (m *Model) moveSort(step int) {
	cols := m.sortable()
	if len(cols) == 0 {
		return
	}
	at := slices.Index(cols, m.sortIndex())
	next := SortState{Desc: m.sort.Desc}
	switch {
	case at < 0 && step > 0:
		next.Column = m.cols[cols[0]].Title
	case at < 0:
		next.Column = m.cols[cols[len(cols)-1]].Title
	case at+step >= 0 && at+step < len(cols):
		next.Column = m.cols[cols[at+step]].Title
	}
	m.SetSort(next)
}

// flipSort turns the direction over; on an unsorted table it sorts by
// the first column, descending.
func (m *Model) flipSort() {
	if m.sortIndex() < 0 {
		if cols := m.sortable(); len(cols) > 0 {
			m.SetSort(SortState{Column: m.cols[cols[0]].Title, Desc: true})
		}
		return
	}
	m.SetSort(SortState{Column: m.sort.Column, Desc: !m.sort.Desc})
}

// sortView orders m.view by the sort column; rows that compare equal keep
// their order (the rows' own, as given).
func (m *Model) sortView() {
	col := m.sortIndex()
	if col < 0 || len(m.view) < 2 {
		return
	}
	// Each key is read once (a cell's text is parsed), then sorted with
	// its row.
	keyed := make([]keyedRow, len(m.view))
	for i, ri := range m.view {
		keyed[i] = keyedRow{m.rows[ri].key(col), ri}
	}
	// Equal keys keep the rows' order: the view was in row order, so
	// the row index breaks ties, and the faster unstable sort is stable.
	desc := m.sort.Desc
	slices.SortFunc(keyed, func(a, b keyedRow) int {
		if c := compareKeys(&a.key, &b.key, desc); c != 0 {
			return c
		}
		return a.ri - b.ri
	})
	for i := range keyed {
		m.view[i] = keyed[i].ri
	}
}

type keyedRow struct {
	key Key
	ri  int
}

// insertSorted puts row ri into the sorted view at its place: after the
// rows it equals, as a stable sort would.
func (m *Model) insertSorted(ri int) {
	col := m.sortIndex()
	k := m.rows[ri].key(col)
	at, _ := slices.BinarySearchFunc(m.view, k, func(vi int, k Key) int {
		vk := m.rows[vi].key(col)
		if c := compareKeys(&vk, &k, m.sort.Desc); c != 0 {
			return c
		}
		return -1 // equal keys: after them
	})
	m.view = slices.Insert(m.view, at, ri)
}

// compareKeys orders a before b: missing values last in both directions,
// numbers before text.
func compareKeys(a, b *Key, desc bool) int {
	if (a.kind == keyMissing) != (b.kind == keyMissing) {
		if a.kind == keyMissing {
			return 1
		}
		return -1
	}
	var c int
	switch {
	case a.kind == keyMissing:
		return 0
	case a.kind != b.kind:
		c = cmp.Compare(a.kind, b.kind)
	case a.kind == keyNum:
		c = cmp.Compare(a.num, b.num)
	default:
		c = strings.Compare(a.text, b.text)
	}
	if desc {
		return -c
	}
	return c
}

// key is what the row's cell col sorts by: its Sort key when it has one,
// else its text.
func (r Row) key(col int) Key {
	if col < len(r.Sort) && r.Sort[col].kind != keyUnset {
		return r.Sort[col]
	}
	if col >= len(r.Cells) {
		return Missing()
	}
	return CellKey(r.Cells[col])
}

// CellKey is how a cell's text sorts: a number when it reads as one,
// missing when it is a placeholder ("", "–", "-", "…", "?"), else text.
func CellKey(cell string) Key {
	s := strings.TrimSpace(cell)
	switch s {
	case "", "–", "-", "…", "?":
		return Missing()
	}
	if v, ok := parseNumber(s); ok {
		return Num(v)
	}
	return Text(s)
}

// parseNumber reads "1,234", "≥ 1,234…", "12.5", "1.2k", "3M": the ways
// this app writes counts.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimPrefix(s, "≥")
	s = strings.TrimSuffix(s, "…")
	s = strings.TrimSuffix(s, "%")
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	mult := 1.0
	if n := len(s); n > 1 {
		switch s[n-1] {
		case 'k', 'K':
			mult = 1e3
		case 'M':
			mult = 1e6
		case 'G':
			mult = 1e9
		case 'T':
			mult = 1e12
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	// ParseFloat also reads "inf" and "nan": names, not numbers, here.
	if s == "" || !(s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '.') {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v * mult, true
}

// sortTitle is a column's title with the sort mark when it is the sort
// column, cut so that the mark shows in the column's width.
func (m Model) sortTitle(i int) string {
	t := m.cols[i].Title
	if i != m.sortIndex() {
		return t
	}
	mark := "▲"
	if m.sort.Desc {
		mark = "▼"
	}
	w := m.widths[i]
	if w <= 1 {
		return mark
	}
	r := []rune(t)
	if len(r)+1 > w {
		r = r[:w-1]
	}
	return string(r) + mark
}
