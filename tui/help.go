package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpView lists every binding in scope: global, navigation, and the
// focused tab's, in columns.
func (m *Model) helpView() string {
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
	global := section("Global", []key.Binding{g.Tab1, g.Tab2, g.Tab3, g.Tab4, g.Tab5, g.NextTab, g.PrevTab, g.Palette, g.Profiles, g.CallLog, g.Refresh, g.Help, g.Quit})
	nav := section("Navigation", []key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Open, l.Back, l.Filter, l.Trace, l.Copy})
	tab := section(m.Active().Title(), m.Active().FullHelp()...)
	cols := []string{global, nav, tab}
	box := lipgloss.JoinHorizontal(lipgloss.Top, intersperse(cols, "    ")...)
	if lipgloss.Width(box) > m.width-4 {
		box = lipgloss.JoinVertical(lipgloss.Left, intersperse(cols, "")...)
	}
	return m.styles.Pane.Padding(0, 1).Render(box + "\n\n" + m.styles.Muted.Render("esc closes · keys can be rebound in the config file (keys: {\"dlq.purge\": [\"X\"]})"))
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
