package tui

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/common"
)

// View draws the tab bar, the focused tab (or an overlay), the status bar
// and the help footer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "sluice"
	if s := m.common.Env.Session; s != nil {
		v.WindowTitle = "sluice · " + inert.Line(s.Profile.Name) + " · " + s.Region
	}
	return v
}

// render is the screen as a string, for View and for tests.
func (m *Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "starting sluice…"
	}
	body := m.bodyHeight()
	var content string
	switch m.overlay {
	case overlayHelp:
		content = m.place(m.helpView(), body)
	case overlayPalette:
		content = m.overlayAtTop(m.palette.view(m.styles, m.width), body)
	case overlayProfiles:
		content = m.place(m.picker.view(m.styles, m.width, body), body)
	case overlayCalls:
		content = m.calls.view(m.styles, m.width, body)
	case overlayConfirm:
		content = m.place(m.dialog.View(m.width), body)
	case overlayTrace:
		content = m.trace.view(m.styles, m.width, body)
	default:
		content = m.Active().View()
	}
	content = fit(content, m.width, body)
	return strings.Join([]string{m.tabBar(), content, m.statusBar(), m.footer()}, "\n")
}

// Render exposes the screen for golden tests.
func (m *Model) Render() string { return m.render() }

func (m *Model) place(s string, height int) string {
	return lipgloss.Place(m.width, height, lipgloss.Center, lipgloss.Center, s)
}

func (m *Model) overlayAtTop(s string, height int) string {
	return lipgloss.Place(m.width, height, lipgloss.Center, lipgloss.Top, s)
}

// tabBar names each tab with its number; the focused one stands out.
func (m *Model) tabBar() string {
	labels := m.tabLabels()
	bar := strings.Join(labels, "")
	brand := m.styles.Title.Render(" sluice ")
	gap := m.width - lipgloss.Width(bar) - lipgloss.Width(brand)
	if gap < 0 {
		return cut(bar, m.width)
	}
	return bar + strings.Repeat(" ", gap) + brand
}

// tabLabels are the tab bar's labels, styled: each tab's number and
// title, or, when they do not all fit, the title of the focused tab
// alone, so that the screen always says which tab it shows.
func (m *Model) tabLabels() []string {
	render := func(short bool) []string {
		out := make([]string, len(m.tabs))
		for i, t := range m.tabs {
			label := itoa(i+1) + " " + t.Title()
			if i == m.active {
				out[i] = m.styles.TabActive.Render(label)
				continue
			}
			if short {
				label = itoa(i + 1)
			}
			out[i] = m.styles.TabInactive.Render(label)
		}
		return out
	}
	labels := render(false)
	if lipgloss.Width(strings.Join(labels, "")) > m.width {
		labels = render(true)
	}
	return labels
}

// tabAt finds the tab under column x of the tab bar.
func (m *Model) tabAt(x int) (int, bool) {
	pos := 0
	for i, l := range m.tabLabels() {
		w := lipgloss.Width(l)
		if x >= pos && x < pos+w {
			return i, true
		}
		pos += w
	}
	return 0, false
}

// statusBar always says where the operator is: profile (in its colour),
// region, account, endpoint, read-only; then the latest status line.
// Profile, region, account and READ-ONLY are never cut: the endpoint and
// the status line yield first, cut with "…", then the labels of region
// and account, and only on a screen narrower than all of that the
// profile's name.
func (m *Model) statusBar() string {
	now := time.Now()
	warn := m.deadlineWarning(now)
	warnDue := warn != "" && (m.status.Text == "" || (m.status.Level < common.Warning && !m.statusFresh))
	left := m.whereabouts(0)
	right := ""
	if warnDue {
		// Data is about to be lost: that outranks news the operator has
		// already seen, never a warning or a failure. The endpoint
		// yields it room: the whole warning where it fits, else its
		// short form (queue, time left, key).
		warn = "⚠ " + inert.Line(warn)
		if left = m.whereabouts(inert.Width(warn) + 1); lipgloss.Width(left)+1+inert.Width(warn) > m.width {
			warn = "⚠ " + inert.Line(m.deadlineWarningShort(now))
			left = m.whereabouts(inert.Width(warn) + 1)
		}
		if room := m.width - lipgloss.Width(left) - 1; room > 8 {
			right = " " + m.styles.Warn.Render(inert.Truncate(warn, room))
		}
	} else if m.status.Text != "" {
		st := m.styles
		style := st.Muted
		switch m.status.Level {
		case common.Success:
			style = st.OK
		case common.Warning:
			style = st.Warn
		case common.Failure:
			style = st.Err
		}
		text := inert.Line(m.status.Text)
		if m.status.Level == common.Failure && m.status.Retry != nil {
			text += " (ctrl+r retries)"
		}
		room := m.width - lipgloss.Width(left) - 2
		switch {
		case lipgloss.Width(text) <= room:
			right = " " + style.Render(text)
		case m.statusFresh:
			// Too long for the bar: the footer shows it whole until the next key.
			right = " " + style.Render(inert.Truncate("message below", max(room, 0)))
		case room > 8:
			right = " " + style.Render(inert.Truncate(text, room))
		}
	}
	line := left + right
	if gap := m.width - lipgloss.Width(line); gap > 0 {
		line += m.styles.StatusBar.Render(strings.Repeat(" ", gap))
	}
	return cut(line, m.width)
}

// whereabouts is the status bar's left part: the profile, region,
// account, endpoint and READ-ONLY, laid out in the width less reserve,
// which the endpoint yields to what must be said beside it.
func (m *Model) whereabouts(reserve int) string {
	s := m.common.Env.Session
	st := m.styles
	if s == nil {
		return st.ProfileStyle("").Render("no profile")
	}
	account := m.identity.Account
	if account == "" {
		account = "…"
		if m.identityErr != "" {
			account = m.identityErr
		}
	}
	badge := ""
	if s.ReadOnly() {
		badge = " " + st.ReadOnlyBadge.Render("READ-ONLY")
	}
	name := inert.Line(s.Profile.Name)
	profile := st.ProfileStyle(s.Profile.Color)
	where := st.StatusKey.Render(" region ") + st.StatusValue.Render(s.Region) +
		st.StatusKey.Render(" account ") + st.StatusValue.Render(account)
	room := m.width - lipgloss.Width(badge)
	if lipgloss.Width(profile.Render(name)+where) > room {
		// The values without their labels still say where.
		where = " " + st.StatusValue.Render(s.Region) + " " + st.StatusValue.Render(account)
	}
	if over := lipgloss.Width(profile.Render(name)+where) - room; over > 0 {
		name = inert.Truncate(name, max(inert.Width(name)-over, 1))
	}
	left := profile.Render(name) + where
	// Every custom endpoint is said, per service when they differ
	// (AWS_ENDPOINT_URL_S3 alone), so a local setup never looks like
	// production: whole when it fits, else as much of it as fits.
	if ep := inert.Line(s.EndpointSummary()); ep != "" {
		room := m.width - lipgloss.Width(left) - lipgloss.Width(badge) - reserve
		// The label goes before the value is cut below 16 cells.
		label := " endpoint "
		if room-inert.Width(label) < min(inert.Width(ep), 16) {
			label = " "
		}
		if valueRoom := room - inert.Width(label); valueRoom >= 8 {
			left += st.StatusKey.Render(label) + st.StatusValue.Render(inert.Truncate(ep, valueRoom))
		}
	}
	return left + badge
}

// footer is the short help of whatever has the keys.
func (m *Model) footer() string {
	if m.statusFresh && m.overlay == overlayNone && m.status.Text != "" {
		if text := m.overflowingStatus(); text != "" {
			return text
		}
	}
	var pairs []string
	add := func(k, d string) {
		pairs = append(pairs, m.styles.HelpKey.Render(k)+" "+m.styles.HelpDesc.Render(d))
	}
	switch m.overlay {
	case overlayConfirm:
		add("y", "yes")
		add("n/esc", "no")
		add("tab", "switch")
		add("enter", "press")
	case overlayPalette:
		add("tab", "complete")
		add("enter", "run")
		add("esc", "close")
	case overlayProfiles:
		add("j/k", "move")
		add("enter", "switch")
		add("esc", "close")
	case overlayHelp:
		add("j/k", "scroll")
		add("pgup/pgdn", "page")
		add("g/G", "top/bottom")
		add("esc", "close")
	case overlayCalls, overlayTrace:
		add("esc", "close")
	default:
		for _, b := range m.Active().ShortHelp() {
			if b.Enabled() {
				add(b.Help().Key, b.Help().Desc)
			}
		}
		g := m.keys.Global
		add(g.Palette.Help().Key, g.Palette.Help().Desc)
		add(g.Help.Help().Key, g.Help.Help().Desc)
		add(g.Quit.Help().Key, g.Quit.Help().Desc)
	}
	return m.hintLine(pairs)
}

// hintLine joins key hints in the width: as many whole ones as fit, then
// "…" when some are left out, so that a hint is never cut mid-word.
func (m *Model) hintLine(pairs []string) string {
	sep := m.styles.HelpSep.Render(" • ")
	if line := strings.Join(pairs, sep); lipgloss.Width(line) <= m.width {
		return line
	}
	more := " " + m.styles.HelpSep.Render(inert.Ellipsis)
	line := ""
	for i, p := range pairs {
		next := p
		if i > 0 {
			next = line + sep + p
		}
		if lipgloss.Width(next)+lipgloss.Width(more) > m.width {
			break
		}
		line = next
	}
	if line == "" && len(pairs) > 0 {
		// Not even one whole hint fits: the first, cut at a word.
		return m.styles.HelpDesc.Render(common.CutAtWord(ansi.Strip(pairs[0]), m.width))
	}
	return line + more
}

// fit pads or cuts s to exactly width × height, so that a tab that draws
// too much never pushes the status bar off screen.
func fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = cut(l, width)
		if w := lipgloss.Width(lines[i]); w < width {
			lines[i] += strings.Repeat(" ", width-w)
		}
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return strings.Join(lines, "\n")
}

// cut shortens a styled line to width cells.
func cut(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "")
}

func itoa(n int) string { return strconv.Itoa(n) }

// overflowingStatus is the status line, whole, in the footer's place when
// it is too long for the status bar; "" when it fits there.
func (m *Model) overflowingStatus() string {
	text := inert.Line(m.status.Text)
	if m.status.Level == common.Failure && m.status.Retry != nil {
		text += " (ctrl+r retries)"
	}
	bar := ansi.Strip(m.statusBar())
	if strings.Contains(bar, text) {
		return ""
	}
	style := m.styles.Muted
	switch m.status.Level {
	case common.Success:
		style = m.styles.OK
	case common.Warning:
		style = m.styles.Warn
	case common.Failure:
		style = m.styles.Err
	}
	return style.Render(elideMiddle(text, m.width))
}

// elideMiddle cuts the middle out of a line too wide for width: what
// failed is at the start of an error and why at its end.
func elideMiddle(s string, width int) string {
	if inert.Width(s) <= width || width < 9 {
		return inert.Truncate(s, width)
	}
	tailWidth := (width - 1) / 2
	r := []rune(s)
	w, i := 0, len(r)
	for i > 0 && w+inert.RuneWidth(r[i-1]) <= tailWidth {
		i--
		w += inert.RuneWidth(r[i])
	}
	head := inert.Truncate(string(r[:i]), width-w)
	return strings.TrimSuffix(head, "…") + "…" + string(r[i:])
}
