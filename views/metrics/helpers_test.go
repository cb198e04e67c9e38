package metrics

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/theme"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// scheduled is a tick the tab asked for.
type scheduled struct {
	after time.Duration
	msg   tea.Msg
}

// driver runs the tab's commands as the program would, except ticks,
// which it keeps for the test to deliver.
type driver struct {
	t     *testing.T
	m     *Model
	out   []tea.Msg
	ticks []scheduled
}

func newDriver(t *testing.T, s *backend.Session, w, h int, dark bool) *driver {
	t.Helper()
	p := theme.Light()
	if dark {
		p = theme.Dark()
	}
	st := theme.New(p, false)
	km := keymap.Default()
	c := &common.Common{Width: w, Height: h, Styles: &st, Keys: &km, Env: &common.Env{Session: s, Gen: 1}}
	d := &driver{t: t}
	d.m = New(c, WithClock(func() time.Time { return t0 }), WithLocation(time.UTC))
	d.m.tick = func(after time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		d.ticks = append(d.ticks, scheduled{after, fn(t0.Add(after))})
		return nil
	}
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case common.Routed:
		if msg.RouteTo() != common.MetricsTab {
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
		d.send(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
	}
}

func (d *driver) selected() string { return d.m.selectedID() }

func (d *driver) ids() []string {
	var out []string
	for _, r := range d.m.list.Rows() {
		out = append(out, r.ID)
	}
	return out
}

func (d *driver) failures() []string {
	var out []string
	keep := d.out[:0]
	for _, m := range d.out {
		if st, ok := m.(common.StatusMsg); ok && st.Level == common.Failure {
			out = append(out, st.Text)
			continue
		}
		keep = append(keep, m)
	}
	d.out = keep
	return out
}

func openMsg(target string) common.OpenMsg {
	return common.OpenMsg{Tab: common.MetricsTab, Target: target}
}
