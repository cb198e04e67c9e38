package split

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/views/theme"
)

func TestListGetsItsWidthBackWhenTheDetailCloses(t *testing.T) {
	var m Model
	m.SetSize(150, 3)
	if m.ListWidth() != 150 {
		t.Fatalf("closed: %d", m.ListWidth())
	}
	m.Show()
	if !m.SideBySide() || m.ListWidth() != 60 || m.DetailWidth() != 89 {
		t.Fatalf("wide: list %d detail %d", m.ListWidth(), m.DetailWidth())
	}
	m.Hide()
	if m.ListWidth() != 150 {
		t.Fatalf("closed again: %d", m.ListWidth())
	}
	m.SetSize(80, 3)
	m.Show()
	if m.SideBySide() || m.DetailWidth() != 80 {
		t.Fatalf("narrow: side %v detail %d", m.SideBySide(), m.DetailWidth())
	}
}

func TestViewLaysOut(t *testing.T) {
	st := theme.New(theme.Dark(), true)
	var m Model
	m.SetSize(Wide, 2)
	list, detail := "L1\nL2", "D1"
	if got := strings.Join(m.View(&st, list, detail), "|"); got != "L1|L2" {
		t.Fatalf("closed: %q", got)
	}
	m.Show()
	if got := strings.Join(m.View(&st, list, detail), "|"); got != "L1│D1|L2│" {
		t.Fatalf("side by side: %q", got)
	}
	m.SetSize(80, 2)
	if got := strings.Join(m.View(&st, list, detail), "|"); got != "D1" {
		t.Fatalf("over: %q", got)
	}
}
