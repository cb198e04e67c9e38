package metrics

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// scheduled is a tick the tab asked for.
type scheduled struct {
	after time.Duration
	msg   tea.Msg
}

// driver is viewtest's driver of the tab, except that the tab's ticks
// are kept for the test to deliver.
type driver struct {
	*viewtest.Driver
	m     *Model
	ticks []scheduled
}

func newDriver(t *testing.T, s *backend.Session, w, h int, dark bool) *driver {
	t.Helper()
	c := viewtest.NewCommon(&common.Env{Session: s}, w, h, dark)
	d := &driver{m: New(c, WithClock(func() time.Time { return t0 }), WithLocation(time.UTC))}
	d.Driver = viewtest.NewDriver(t, d.m)
	d.m.tick = func(after time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		d.ticks = append(d.ticks, scheduled{after, fn(t0.Add(after))})
		return nil
	}
	return d
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
	keep := d.Out[:0]
	for _, m := range d.Out {
		if st, ok := m.(common.StatusMsg); ok && st.Level == common.Failure {
			out = append(out, st.Text)
			continue
		}
		keep = append(keep, m)
	}
	d.Out = keep
	return out
}

func openMsg(target string) common.OpenMsg {
	return common.OpenMsg{Tab: common.MetricsTab, Target: target}
}
