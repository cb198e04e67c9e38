package streams

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// t0 is the fixed clock of every test.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

func newTab(t *testing.T, s *backend.Session, w, h int, dark bool, opts ...Option) *Model {
	t.Helper()
	c := viewtest.NewCommon(&common.Env{Session: s}, w, h, dark)
	opts = append([]Option{WithClock(fixedClock), WithGetenv(func(string) string { return "" })}, opts...)
	return New(c, opts...)
}

// driver is viewtest's driver of the tab, with the tab at hand.
type driver struct {
	*viewtest.Driver
	m *Model
}

func newDriver(t *testing.T, m *Model) *driver {
	return &driver{Driver: viewtest.NewDriver(t, m), m: m}
}

func (d *driver) selected() string {
	r, _ := d.m.table.Selected()
	return r.ID
}

func (d *driver) cells(name string) []string {
	d.T.Helper()
	for _, r := range d.m.table.Rows() {
		if r.ID == name {
			return r.Cells
		}
	}
	d.T.Fatalf("no row %s among %v", name, d.m.Names())
	return nil
}

// flatten runs cmd and returns the commands of its batch, or a command
// that gives its message again.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

func pasteMsg(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }
