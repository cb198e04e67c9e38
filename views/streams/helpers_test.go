package streams

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/theme"
	"github.com/sluicehq/sluice/views/viewtest"
)

// t0 is the fixed clock of every test.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

func newTab(t *testing.T, s *backend.Session, w, h int, dark bool, opts ...Option) *Model {
	t.Helper()
	p := theme.Light()
	if dark {
		p = theme.Dark()
	}
	st := theme.New(p, false)
	km := keymap.Default()
	c := &common.Common{Width: w, Height: h, Styles: &st, Keys: &km, Env: &common.Env{Session: s, Gen: 1}}
	opts = append([]Option{WithClock(fixedClock), WithGetenv(func(string) string { return "" })}, opts...)
	return New(c, opts...)
}

// driver runs a tab's commands the way the program would: messages for
// the tab go back into it; the others (status, confirmations, opens) are
// collected.
type driver struct {
	t   *testing.T
	m   *Model
	out []tea.Msg
}

func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case common.Routed:
		if msg.RouteTo() != common.StreamsTab {
			d.out = append(d.out, msg)
			return
		}
		d.send(msg)
	default:
		d.out = append(d.out, msg)
	}
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(viewtest.Key(k))
	}
}

func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// take removes and returns the collected messages of type T.
func take[T any](d *driver) []T {
	var got []T
	keep := d.out[:0]
	for _, m := range d.out {
		if v, ok := m.(T); ok {
			got = append(got, v)
		} else {
			keep = append(keep, m)
		}
	}
	d.out = keep
	return got
}

func (d *driver) selected() string {
	r, _ := d.m.table.Selected()
	return r.ID
}

func (d *driver) cells(name string) []string {
	d.t.Helper()
	for _, r := range d.m.table.Rows() {
		if r.ID == name {
			return r.Cells
		}
	}
	d.t.Fatalf("no row %s among %v", name, d.m.Names())
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
