package table

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

func newTable(n int) Model {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	m := New(&st, &km.List, []Column{{Title: "NAME", Width: 8, Flex: 1}, {Title: "SIZE", Width: 6, Right: true}})
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{ID: fmt.Sprint(i), Cells: []string{fmt.Sprintf("row-%d", i), fmt.Sprint(i * 10)}}
	}
	m.SetSize(40, 6)
	m.SetRows(rows)
	return m
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, _ = m.Update(msg)
	}
	return m
}

func TestViewIsExactlyTheSizeAndShowsOnlyVisibleRows(t *testing.T) {
	m := newTable(100)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w != 40 {
			t.Errorf("line %q is %d wide", l, w)
		}
	}
	if !strings.Contains(lines[1], "row-0") || strings.Contains(ansi.Strip(m.View()), "row-5") {
		t.Errorf("view:\n%s", ansi.Strip(m.View()))
	}
}

func TestCursorScrollsAndSurvivesRefresh(t *testing.T) {
	m := newTable(100)
	m = press(m, "j", "j", "j", "j", "j", "j", "j")
	if r, _ := m.Selected(); r.ID != "7" {
		t.Fatalf("selected %v", r.ID)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "row-7") || strings.Contains(v, "row-0 ") {
		t.Errorf("did not scroll:\n%s", v)
	}
	// A refresh that adds rows before it keeps the cursor on row 7.
	rows := append([]Row{{ID: "new", Cells: []string{"new"}}}, m.Rows()...)
	m.SetRows(rows)
	if r, _ := m.Selected(); r.ID != "7" {
		t.Fatalf("after refresh selected %v", r.ID)
	}
	m = press(m, "G")
	if r, _ := m.Selected(); r.ID != "99" {
		t.Fatalf("G selected %v", r.ID)
	}
	m = press(m, "g")
	if r, _ := m.Selected(); r.ID != "new" {
		t.Fatalf("g selected %v", r.ID)
	}
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	m := newTable(100)
	m = press(m, "/", "9", "9")
	if !m.Filtering() || m.Len() != 1 {
		t.Fatalf("filtering %v len %d", m.Filtering(), m.Len())
	}
	m = press(m, "enter")
	if m.Filtering() || m.Len() != 1 || !strings.Contains(ansi.Strip(m.View()), "/99") {
		t.Fatalf("after enter: %v %d\n%s", m.Filtering(), m.Len(), ansi.Strip(m.View()))
	}
	m = press(m, "esc")
	if m.Len() != 100 {
		t.Fatalf("esc left %d rows", m.Len())
	}
}

func TestCellsFromDataAreInertAndCut(t *testing.T) {
	m := newTable(0)
	m.SetRows([]Row{{ID: "x", Cells: []string{"\x1b]52;c;aGk=\x07evil\x1b[2J" + strings.Repeat("A", 1<<20), "1"}}})
	v := m.View()
	if strings.Contains(v, "\x1b]52") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x07") {
		t.Fatalf("escape reached the view: %q", v)
	}
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if w := ansi.StringWidth(l); w != 40 {
			t.Errorf("line %q is %d wide", l, w)
		}
	}
}

func TestMarksAndTailAppend(t *testing.T) {
	m := newTable(3)
	m = press(m, "G")
	m.ToggleMark()
	m.AppendRows([]Row{{ID: "3", Cells: []string{"row-3"}}})
	if r, _ := m.Selected(); r.ID != "3" {
		t.Fatalf("tail did not follow: %v", r.ID)
	}
	if got := m.Marked(); len(got) != 1 || got[0] != "2" {
		t.Fatalf("marked %v", got)
	}
	m.DropFirst(2)
	if m.Len() != 2 || m.Rows()[0].ID != "2" {
		t.Fatalf("drop: %v", m.Rows())
	}
}

func BenchmarkView100kRows(b *testing.B) {
	m := newTable(100_000)
	m.SetSize(160, 48)
	m.SetCursor(50_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func sortedTable() Model {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	m := New(&st, &km.List, []Column{{Title: "NAME", Width: 8}, {Title: "SIZE", Width: 6, Right: true}, {Title: "", Flex: 1}})
	m.SetSize(40, 8)
	m.SetRows([]Row{
		{ID: "a", Cells: []string{"alpha", "9"}},
		{ID: "b", Cells: []string{"Bravo", "1,200"}},
		{ID: "c", Cells: []string{"charlie", "–"}},
		{ID: "d", Cells: []string{"delta", "80"}},
		{ID: "e", Cells: []string{"echo", "1.5k"}},
	})
	return m
}

func ids(m Model) string {
	var b strings.Builder
	for _, r := range m.Visible() {
		b.WriteString(r.ID)
	}
	return b.String()
}

func TestSortMovesThroughTitledColumnsAndFlips(t *testing.T) {
	m := sortedTable()
	m = press(m, ">")
	if got := m.Sort(); got.Column != "NAME" || got.Desc {
		t.Fatalf("first > sorts by %+v", got)
	}
	if ids(m) != "abcde" {
		t.Errorf("by name ascending, ignoring case: %s", ids(m))
	}
	m = press(m, ">")
	// Numbers read as numbers (1,200 and 1.5k are past 80), the dash is
	// missing and goes last.
	if ids(m) != "adbec" {
		t.Errorf("by size ascending: %s", ids(m))
	}
	m = press(m, "s")
	if ids(m) != "ebdac" {
		t.Errorf("by size descending, missing still last: %s", ids(m))
	}
	header := strings.Split(ansi.Strip(m.View()), "\n")[0]
	if !strings.Contains(header, "SIZE▼") || strings.Contains(header, "NAME▲") {
		t.Errorf("header %q", header)
	}
	m = press(m, ">") // past the last titled column: the rows' own order
	if m.Sort().Column != "" || ids(m) != "abcde" {
		t.Errorf("past the last column: %+v %s", m.Sort(), ids(m))
	}
	m = press(m, "<")
	if m.Sort().Column != "SIZE" {
		t.Errorf("< from unsorted sorts by the last column: %+v", m.Sort())
	}
}

func TestSortKeepsTheCursorOnItsRowAcrossARefreshThatReorders(t *testing.T) {
	m := sortedTable()
	m.SetSort(SortState{Column: "SIZE", Desc: true})
	m = press(m, "g", "down", "down") // e, b, d: on d
	if r, _ := m.Selected(); r.ID != "d" {
		t.Fatalf("cursor on %q", r.ID)
	}
	// A refresh: d's size grows past everyone's, b's drops, and a new row
	// comes in; the cursor stays on d wherever it lands.
	m.SetRows([]Row{
		{ID: "a", Cells: []string{"alpha", "9"}},
		{ID: "b", Cells: []string{"Bravo", "1"}},
		{ID: "d", Cells: []string{"delta", "9M"}},
		{ID: "e", Cells: []string{"echo", "1.5k"}},
		{ID: "f", Cells: []string{"fox", "20"}},
	})
	if ids(m) != "defab" {
		t.Fatalf("order after refresh: %s", ids(m))
	}
	if r, _ := m.Selected(); r.ID != "d" || m.Cursor() != 0 {
		t.Errorf("cursor on %q at %d, want d at 0", r.ID, m.Cursor())
	}
	// Changing the sort keeps it too.
	m = press(m, "s")
	if r, _ := m.Selected(); r.ID != "d" || m.Cursor() != 4 {
		t.Errorf("after flip: cursor on %q at %d, want d at 4", r.ID, m.Cursor())
	}
}

func TestRowSortKeysOverrideTheText(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	m := New(&st, &km.List, []Column{{Title: "AGE", Width: 6}})
	m.SetSize(20, 6)
	m.SetRows([]Row{
		{ID: "x", Cells: []string{"3m20s"}, Sort: []Key{Num(200)}},
		{ID: "y", Cells: []string{"45s"}, Sort: []Key{Num(45)}},
		{ID: "z", Cells: []string{"1h"}, Sort: []Key{Missing()}},
	})
	m.SetSort(SortState{Column: "AGE"})
	if ids(m) != "yxz" {
		t.Errorf("%s", ids(m))
	}
}

func TestSortedTailTakesAppendedRowsInPlace(t *testing.T) {
	m := sortedTable()
	m.SetSort(SortState{Column: "NAME"})
	m = press(m, "down") // on b
	m.AppendRows([]Row{{ID: "0", Cells: []string{"aaron", "1"}}})
	if ids(m) != "0abcde" {
		t.Fatalf("%s", ids(m))
	}
	if r, _ := m.Selected(); r.ID != "b" {
		t.Errorf("cursor on %q", r.ID)
	}
}

func TestCellKeyReadsTheAppsNumbersOnly(t *testing.T) {
	for cell, want := range map[string]float64{"1,234": 1234, "≥ 1,234…": 1234, "1.2k": 1200, "3M": 3e6, "-4": -4} {
		if k := CellKey(cell); k.kind != keyNum || k.num != want {
			t.Errorf("%q: %+v", cell, k)
		}
	}
	for _, cell := range []string{"inf", "NaN", "k", "shard-1"} {
		if k := CellKey(cell); k.kind != keyText {
			t.Errorf("%q: %+v, want text", cell, k)
		}
	}
	for _, cell := range []string{"", " ", "–", "?", "…"} {
		if k := CellKey(cell); k.kind != keyMissing {
			t.Errorf("%q: %+v, want missing", cell, k)
		}
	}
}

func TestSortedTailDropsItsOldestAndKeepsItsOrderAndFilter(t *testing.T) {
	m := sortedTable()
	m.SetSort(SortState{Column: "NAME", Desc: true})
	m.SetFilter("a") // alpha, Bravo, charlie, delta: not echo
	m.AppendRows([]Row{{ID: "f", Cells: []string{"alfa", "3"}}, {ID: "g", Cells: []string{"zara", "4"}}})
	if ids(m) != "gdcbaf" {
		t.Fatalf("after append: %s", ids(m))
	}
	m.DropFirst(2) // a and b, the oldest
	if ids(m) != "gdcf" {
		t.Fatalf("after drop: %s", ids(m))
	}
	m.SetFilter("")
	if ids(m) != "gedcf" {
		t.Fatalf("unfiltered: %s", ids(m))
	}
}

// The rows read first are those around the cursor as shown: sorted, the
// top of the screen is the top of the sort, not of the listing.
func TestIDsAroundFollowTheSort(t *testing.T) {
	m := sortedTable()
	m.SetSort(SortState{Column: "SIZE", Desc: true})
	m = press(m, "g")
	order := ids(m)
	if got := strings.Join(m.IDsAround(1), ""); got != order[:2] {
		t.Fatalf("around the top of %s: %s, want %s", order, got, order[:2])
	}
	m = press(m, "down", "down")
	if got := strings.Join(m.IDsAround(1), ""); got != order[1:4] {
		t.Fatalf("around the third row of %s: %s, want %s", order, got, order[1:4])
	}
	m.SetFilter("zzz")
	if got := m.IDsAround(1); got != nil {
		t.Fatalf("nothing shown, yet around the cursor: %v", got)
	}
}
