package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/views/common"
)

// deadlineWarning is the status bar's warning of the nearest data-loss
// deadline, with the key that acts on it; "" when none is under the
// warning threshold.
func (m *Model) deadlineWarning(now time.Time) string {
	if !m.deadline.Found {
		return ""
	}
	text, due := common.DeadlineWarning(m.deadline.Queue, m.common.Env.Thresholds(), now)
	if !due {
		return ""
	}
	return text + " · " + m.keys.Global.Deadline.Help().Key + " hydrate"
}

// deadlineWarningShort is the warning in the fewest cells, for a status
// bar with no room for the whole: still the queue, the time left and the
// key.
func (m *Model) deadlineWarningShort(now time.Time) string {
	if !m.deadline.Found {
		return ""
	}
	text, due := common.DeadlineWarningShort(m.deadline.Queue, m.common.Env.Thresholds(), now)
	if !due {
		return ""
	}
	return text + " " + m.keys.Global.Deadline.Help().Key
}

// hydrateNearest answers the deadline key: the DLQs tab opens the queue
// warned of and asks to hydrate it (the confirmation is the guard, and
// read-only refuses it there).
func (m *Model) hydrateNearest() tea.Cmd {
	if m.deadlineWarning(time.Now()) == "" {
		return common.Status(common.Info, "no DLQ deadline is near")
	}
	q := m.deadline.Queue
	target := q.URL
	if target == "" {
		target = q.Queue
	}
	return func() tea.Msg {
		return common.OpenMsg{Tab: common.DLQTab, Target: target, Extra: common.HydrateNearest{}}
	}
}
