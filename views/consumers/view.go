package consumers

import (
	"fmt"
	"strconv"
	"strings"

	cons "github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/table"
)

// detailLines is the height of the selected consumer's description under
// the list: its title and eight lines.
const detailLines = 9

func columns() []table.Column {
	return []table.Column{
		{Title: "NAME", Width: 14, Flex: 2},
		{Title: "KIND", Width: 4},
		{Title: "STATE", Width: 20},
		{Title: "TARGET", Width: 10, Flex: 1},
		{Title: "DLQ", Width: 10, Flex: 1},
	}
}

func (p *Pane) bannerLines() []string {
	if len(p.failures) == 0 || p.width <= 0 {
		return nil
	}
	line := "✗ " + p.failures[0].Error()
	if n := len(p.failures); n > 1 {
		line = fmt.Sprintf("✗ %d failures; %s", n, p.failures[0].Error())
	}
	return []string{p.c.Styles.Err.Render(inert.Fit(inert.Line(line), p.width))}
}

// tableHeight is the list's: its rows and header when they fit, so that
// the description sits right under them, else what the description
// leaves.
func (p *Pane) tableHeight() int {
	room := max(p.height-1-len(p.bannerLines())-detailLines-1, 3)
	return min(max(len(p.list)+1, 2), room)
}

func (p *Pane) refreshRows() {
	rows := make([]table.Row, 0, len(p.list))
	for _, c := range p.list {
		state := stateText(c)
		if _, ok := p.following[c.Name]; ok {
			state += " …"
		}
		tone := table.Plain
		switch {
		case strings.HasSuffix(c.State, "_FAILED"):
			tone = table.Bad
		case c.Stopped() || !c.Settled():
			tone = table.Warn
		}
		rows = append(rows, table.Row{ID: c.Name, Tone: tone, Cells: []string{
			c.Name, string(c.Kind), state, shortName(c.Target), orDash(shortName(c.DLQ)),
		}})
	}
	p.table.SetRows(rows)
	p.table.SetSize(p.width, p.tableHeight())
}

// View draws the pane at exactly the host's size.
func (p *Pane) View() string {
	lines := []string{p.header()}
	lines = append(lines, p.bannerLines()...)
	lines = append(lines, strings.Split(p.table.View(), "\n")...)
	lines = append(lines, "")
	lines = append(lines, p.detailView()...)
	for len(lines) < p.height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if l == "" {
			lines[i] = strings.Repeat(" ", p.width)
		}
	}
	return strings.Join(lines[:min(len(lines), p.height)], "\n")
}

func (p *Pane) header() string {
	st := p.c.Styles
	title := p.kindOf + inert.Line(p.of)
	n := len(p.list)
	info := fmt.Sprintf(" · %d consumer%s", n, plural(n))
	if line := p.fresh.Line(p.now()); line != "" && p.fresh.Err() == "" {
		info += " · " + line
	} else if p.fresh.Read().IsZero() && p.fresh.Err() == "" {
		info += " · reading…"
	}
	if inert.Width(title+info) > p.width {
		return st.Title.Render(inert.Fit(title+info, p.width))
	}
	return st.Title.Render(title) + st.Muted.Render(inert.Pad(info, p.width-inert.Width(title)))
}

// detailView describes the selected consumer in detailLines lines.
func (p *Pane) detailView() []string {
	st := p.c.Styles
	out := make([]string, 0, detailLines)
	c, ok := p.selected()
	if !ok {
		for len(out) < detailLines {
			out = append(out, "")
		}
		return out
	}
	title := c.Ref().String()
	if c.Function != "" {
		title += " → function " + c.Function
	}
	out = append(out, st.PaneTitle.Render(inert.Fit(inert.Line(title), p.width)))
	row := func(label, value string) {
		value = inert.Line(value)
		out = append(out, st.Muted.Render(label)+st.Row.Render(inert.Fit(value, max(p.width-inert.Width(label), 1))))
	}
	state := c.State + " · desired " + orDash(c.DesiredState)
	if _, ok := p.following[c.Name]; ok {
		state += " · following until it settles"
	}
	if c.StateReason != "" {
		state += " · reason: " + c.StateReason
	}
	row("state       ", state)
	row("source      ", inventory.StreamName(c.Source)+" · from "+orDash(c.StartingPosition))
	row("target      ", c.Target)
	row("batch       ", fmt.Sprintf("%d records · window %ds", c.BatchSize, c.BatchWindowSeconds))
	row("retry       ", fmt.Sprintf("attempts %s · record age %s · bisect %s", infinite(c.MaximumRetryAttempts), age(c.MaximumRecordAgeSeconds), onOff(c.Bisect)))
	row("DLQ         ", orDash(c.DLQ))
	row("last hour   ", p.activityText(c))
	return out
}

func (p *Pane) activityText(c cons.Consumer) string {
	d := p.detail
	switch {
	case p.detailErr != "" && (d == nil || d.Name != c.Name):
		return "? " + p.detailErr
	case d == nil || d.Name != c.Name:
		return "reading…"
	case d.ActivityFailure != nil:
		return "? " + d.ActivityFailure.Error()
	}
	text := "no metrics reported"
	if a := d.LastHour; a != nil && a.Reported {
		verb := "invocations"
		if c.Kind == cons.KindESM {
			verb = "invocations of " + c.Function
		}
		text = fmt.Sprintf("%.0f %s · %.0f failed · target %.0f ms on average", a.Invocations, verb, a.Failures, a.TargetDurationMs)
	}
	if p.detailErr != "" {
		text += " (not re-read: " + p.detailErr + ")"
	}
	return text
}

func shortName(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return arn
	}
	return inventory.StreamName(arn)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func infinite(n int) string {
	if n < 0 {
		return "infinite"
	}
	return strconv.Itoa(n)
}

func age(n int) string {
	if n < 0 {
		return "infinite"
	}
	return strconv.Itoa(n) + "s"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
