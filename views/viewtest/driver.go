package viewtest

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/views/common"
)

// Driver plays the program for one tab: it runs the tab's commands, hands
// the tab the messages meant for it, and keeps those meant for the root
// (status lines, confirmations, opens, traces, copies, other tabs'
// messages) in Out for the test to look at.
type Driver struct {
	T   testing.TB
	Tab common.TabID
	// Update is the tab's Update, its model discarded.
	Update func(tea.Msg) tea.Cmd
	Out    []tea.Msg
}

// NewDriver drives tab.
func NewDriver(t testing.TB, tab common.Tab) *Driver {
	return &Driver{T: t, Tab: tab.ID(), Update: func(msg tea.Msg) tea.Cmd {
		_, cmd := tab.Update(msg)
		return cmd
	}}
}

// maxSteps bounds a run: a tab whose commands never stop answering is a
// failure, not a hung test.
const maxSteps = 100000

// Run runs cmd and every command the tab answers with, until none is
// left.
func (d *Driver) Run(cmd tea.Cmd) {
	d.T.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > maxSteps {
			d.T.Fatal("the tab never settles")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if d.forRoot(msg) {
				d.Out = append(d.Out, msg)
				continue
			}
			queue = append(queue, d.Update(msg))
		}
	}
}

// forRoot reports whether msg is the root's to handle.
func (d *Driver) forRoot(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.SucceededMsg, common.ConfirmRequest, common.TraceMsg, common.CopyMsg, common.OpenMsg, common.DeadlineMsg:
		return true
	}
	if r, ok := msg.(common.Routed); ok {
		return r.RouteTo() != d.Tab
	}
	return false
}

// Send hands msg to the tab and runs what it starts.
func (d *Driver) Send(msg tea.Msg) {
	d.T.Helper()
	d.Run(d.Update(msg))
}

// Press presses keys by name (see Key), one after the other.
func (d *Driver) Press(keys ...string) {
	d.T.Helper()
	for _, k := range keys {
		d.Send(Key(k))
	}
}

// Type types text, one key a rune.
func (d *Driver) Type(text string) {
	d.T.Helper()
	for _, r := range text {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Take removes and returns the kept messages of type T.
func Take[T any](d *Driver) []T {
	var got []T
	keep := d.Out[:0]
	for _, m := range d.Out {
		if v, ok := m.(T); ok {
			got = append(got, v)
		} else {
			keep = append(keep, m)
		}
	}
	d.Out = keep
	return got
}
