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
