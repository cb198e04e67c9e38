package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// callView shows the AWS calls made, newest first: what sluice did on
// the operator's behalf.
type callView struct {
	calls  []backend.Call
	total  int
	offset int
}

func newCallView(s *backend.Session) callView {
	if s == nil {
		return callView{}
	}
	calls := s.Calls.Calls()
	// Newest first.
	for i, j := 0, len(calls)-1; i < j; i, j = i+1, j-1 {
		calls[i], calls[j] = calls[j], calls[i]
	}
	return callView{calls: calls, total: s.Calls.Total()}
}

func (c *callView) scroll(down bool) {
	if down {
		c.offset = min(c.offset+3, max(len(c.calls)-1, 0))
	} else {
		c.offset = max(c.offset-3, 0)
	}
}

func (c *callView) key(msg tea.KeyPressMsg, k *keymap.KeyMap) {
	switch {
	case key.Matches(msg, k.List.Down):
		c.offset = min(c.offset+1, max(len(c.calls)-1, 0))
	case key.Matches(msg, k.List.Up):
		c.offset = max(c.offset-1, 0)
	case key.Matches(msg, k.List.Top):
		c.offset = 0
	case key.Matches(msg, k.List.Bottom):
		c.offset = max(len(c.calls)-1, 0)
	case key.Matches(msg, k.List.PageDown):
		c.offset = min(c.offset+10, max(len(c.calls)-1, 0))
	case key.Matches(msg, k.List.PageUp):
		c.offset = max(c.offset-10, 0)
	}
}

func (c callView) view(st *theme.Styles, width, height int) string {
	var b strings.Builder
	b.WriteString(st.Title.Render("Call log") + st.Muted.Render(fmt.Sprintf("  %d calls made, newest first; esc closes", c.total)))
	b.WriteString("\n" + st.Header.Render(fmt.Sprintf("%-12s %-10s %-26s %8s  %-22s %s", "TIME", "SERVICE", "OPERATION", "MS", "RESULT", "RESOURCE")))
	rows := max(height-2, 1)
	for i := c.offset; i < len(c.calls) && i < c.offset+rows; i++ {
		call := c.calls[i]
		line := fmt.Sprintf("%-12s %-10s %-26s %8d  %-22s %s", call.Time.Format("15:04:05.000"), cutTo(call.Service, 10), cutTo(call.Operation, 26),
			call.Duration/time.Millisecond, cutTo(call.Result, 22), inert.Line(call.Resource))
		style := st.Row
		if call.Result != "ok" {
			style = st.Err
		}
		b.WriteString("\n" + style.Render(inert.Truncate(line, width)))
	}
	if len(c.calls) == 0 {
		b.WriteString("\n" + st.Muted.Render("no calls yet"))
	}
	return b.String()
}

func cutTo(s string, w int) string { return inert.Truncate(inert.Line(s), w) }
