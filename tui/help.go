package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sluicehq/sluice/views/common"
)

// helpNote closes the help's content: how to leave it and how to rebind.
const helpNote = "esc closes · keys can be rebound in the config file (keys: {\"dlq.purge\": [\"X\"]})"

// helpLines lists every binding in scope: global, navigation, and the
// focused tab's, in columns when they fit in width, else one under the
// other; one line each.
func (m *Model) helpLines(width int) []string {
	section := func(title string, groups ...[]key.Binding) string {
		var b strings.Builder
		b.WriteString(m.styles.Title.Render(title))
		for _, g := range groups {
			for _, k := range g {
				if !k.Enabled() {
					continue
				}
				b.WriteString("\n" + m.styles.HelpKey.Render(padRight(k.Help().Key, 12)) + " " + m.styles.HelpDesc.Render(k.Help().Desc))
			}
		}
		return b.String()
	}
	g, l := m.keys.Global, m.keys.List
	global := section("Global", []key.Binding{g.Tab1, g.Tab2, g.Tab3, g.Tab4, g.Tab5, g.NextTab, g.PrevTab, g.Palette, g.Profiles, g.CallLog, g.Refresh, g.Deadline, g.Help, g.Quit})
	nav := section("Navigation", []key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Open, l.Back, l.Filter, l.Trace, l.Copy})
	tab := section(m.Active().Title(), m.Active().FullHelp()...)
	cols := []string{global, nav, tab}
	box := lipgloss.JoinHorizontal(lipgloss.Top, intersperse(cols, "    ")...)
	if lipgloss.Width(box) > width {
		// The focused tab's keys first: they are what help is opened for
		// on a small screen, and the global ones are in the footer.
		box = strings.Join([]string{tab, global, nav}, "\n\n")
	}
	// The note wraps at a word: cut at the box's edge it lost the end of
	// its example.
	foot := common.Wrap(helpNote, width, 4)
	if m.opts.Version != "" {
		foot = append(foot, "sluice "+m.opts.Version)
	}
	lines := strings.Split(box+"\n", "\n")
	for _, l := range foot {
		lines = append(lines, m.styles.Muted.Render(l))
	}
	return lines
}

// helpFrame is the help box's border and padding, and the position line
// under its content.
func (m *Model) helpFrame() (w, h int) {
	pane := m.styles.Pane.Padding(0, 1)
	return pane.GetHorizontalFrameSize(), pane.GetVerticalFrameSize() + 1
}

// helpRows is how many lines of help the body shows at once.
func (m *Model) helpRows() int {
	_, fh := m.helpFrame()
	return max(m.bodyHeight()-fh, 1)
}

// helpMaxTop is the last line help can scroll to the top.
func (m *Model) helpMaxTop() int {
	fw, _ := m.helpFrame()
	return max(len(m.helpLines(m.width-fw))-m.helpRows(), 0)
}

// helpKey scrolls the help: a line, a page, or to either end.
func (m *Model) helpKey(msg tea.KeyPressMsg) {
	l := m.keys.List
	page := max(m.helpRows()-1, 1)
	switch {
	case key.Matches(msg, l.Down):
		m.helpTop++
	case key.Matches(msg, l.Up):
		m.helpTop--
	case key.Matches(msg, l.PageDown):
		m.helpTop += page
	case key.Matches(msg, l.PageUp):
		m.helpTop -= page
	case key.Matches(msg, l.Top):
		m.helpTop = 0
	case key.Matches(msg, l.Bottom):
		m.helpTop = m.helpMaxTop()
	}
	m.helpTop = max(min(m.helpTop, m.helpMaxTop()), 0)
}

// helpView is the help box: the lines in view, cut to the width, and,
// when they do not all fit, which lines are in view.
func (m *Model) helpView() string {
	fw, _ := m.helpFrame()
	inner := max(m.width-fw, 1)
	lines := m.helpLines(inner)
	rows := m.helpRows()
	top := max(min(m.helpTop, len(lines)-rows), 0)
	shown := lines[top:min(top+rows, len(lines))]
	for i, l := range shown {
		shown[i] = cut(l, inner)
	}
	if len(lines) > rows {
		pos := fmt.Sprintf("lines %d–%d of %d · j/k, pgup/pgdn, g/G scroll · esc closes", top+1, top+len(shown), len(lines))
		shown = append(shown, m.styles.Muted.Render(common.CutAtWord(pos, inner)))
	}
	return m.styles.Pane.Padding(0, 1).Render(strings.Join(shown, "\n"))
}

func intersperse(items []string, sep string) []string {
	var out []string
	for i, it := range items {
		if i > 0 && sep != "" {
			out = append(out, sep)
		}
		out = append(out, it)
	}
	return out
}

func padRight(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
