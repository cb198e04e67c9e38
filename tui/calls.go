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
	// budget is the API budget's buckets as the view opened.
	budget []backend.BudgetState
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
	v := callView{calls: calls, total: s.Calls.Total()}
	if s.Budget != nil {
		v.budget = s.Budget.States()
	}
	return v
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
	b.WriteString("\n" + st.Muted.Render(inert.Truncate(budgetLine(c.budget), width)))
	b.WriteString("\n" + st.Header.Render(fmt.Sprintf("%-12s %-10s %-26s %8s %8s  %-22s %s", "TIME", "SERVICE", "OPERATION", "MS", "WAIT MS", "RESULT", "RESOURCE")))
	rows := max(height-3, 1)
	for i := c.offset; i < len(c.calls) && i < c.offset+rows; i++ {
		call := c.calls[i]
		line := fmt.Sprintf("%-12s %-10s %-26s %8d %8d  %-22s %s", call.Time.Format("15:04:05.000"), cutTo(call.Service, 10), cutTo(call.Operation, 26),
			call.Duration/time.Millisecond, call.Wait/time.Millisecond, cutTo(call.Result, 22), inert.Line(call.Resource))
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

// budgetLine sums up the API budget: how many calls waited for it, how
// many throttles it met, and the APIs it slowed down (rate below limit).
func budgetLine(states []backend.BudgetState) string {
	waits, throttles := 0, 0
	var waited time.Duration
	var slowed []string
	for _, s := range states {
		waits += s.Waits
		waited += s.Waited
		throttles += s.Throttles
		if s.Rate < s.Limit {
			slowed = append(slowed, fmt.Sprintf("%s.%s %.3g of %.3g/s", s.Service, s.Operation, s.Rate, s.Limit))
		}
	}
	line := fmt.Sprintf("budget: %d APIs; %d calls waited %s in all; %d throttled", len(states), waits, waited.Round(time.Millisecond), throttles)
	if len(slowed) > 0 {
		line += "; slowed: " + strings.Join(slowed, ", ")
	}
	return line
}

func cutTo(s string, w int) string { return inert.Truncate(inert.Line(s), w) }
