package archives

import (
	"strings"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/common"
)

// SetSize takes the body area the root gives the tab.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.layout()
}

func (m *Model) bodyHeight() int {
	h := m.height - 1 - len(m.bannerLines())
	if m.input.active {
		h--
	}
	if m.job != nil {
		h--
	}
	return max(h, 2)
}

// eventsWidth is the events list's width: all of it, or the left part
// beside the detail.
func (m *Model) eventsWidth() int { return m.split.ListWidth() }

func (m *Model) layout() {
	body := m.bodyHeight()
	m.consumers.SetSize(m.width, body)
	m.days.SetSize(m.width, body)
	m.hours.SetSize(m.width, body)
	m.split.SetSize(m.width, body)
	ew := m.eventsWidth()
	m.events.SetSize(ew, body)
	m.events.SetColumns(eventColumns(ew, m.replayed))
	if m.split.Open() {
		m.detail.SetSize(m.split.DetailWidth(), body)
	}
	m.refreshEventRows()
}

// View draws the tab, exactly its width × height.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := append([]string{m.header()}, m.bannerLines()...)
	switch {
	case m.split.Open():
		lines = append(lines, m.split.View(m.c.Styles, m.events.View(), m.detail.View())...)
	default:
		lines = append(lines, strings.Split(m.table().View(), "\n")...)
	}
	// The prompt and the progress bar sit at the bottom and come first:
	// on a screen too short for everything, the list yields its lines,
	// never the line being typed in.
	var bottom []string
	if m.input.active {
		label := m.input.label + ": "
		prompt := label + m.input.edit.View(max(m.width-inert.Width(label), 0))
		bottom = append(bottom, m.c.Styles.Accent.Render(inert.Fit(prompt, m.width)))
	}
	if m.job != nil {
		bottom = append(bottom, m.job.bar.View(m.width))
	}
	bottom = bottom[:min(len(bottom), m.height)]
	lines = lines[:min(len(lines), m.height-len(bottom))]
	blank := strings.Repeat(" ", m.width)
	for len(lines)+len(bottom) < m.height {
		lines = append(lines, blank)
	}
	return strings.Join(append(lines, bottom...), "\n")
}

// bannerLines say, under the header, why the latest read of the list
// shown failed, whole enough to act on (at most three lines, AWS's
// message inert); the rows read before stay below. Failures belong here,
// not in the status bar.
func (m *Model) bannerLines() []string {
	f := m.fresh()
	if m.width <= 0 {
		return nil
	}
	if f.Err() == "" {
		return m.unreadLines()
	}
	what := "consumers"
	switch m.level {
	case levelDays, levelHours:
		what = "archive of " + m.cur.Name
	case levelEvents:
		what = "events of " + m.cur.Name + " " + m.hr.UTC().Format("2006-01-02 15:00") + " UTC"
	}
	// The header says when; this line says what and why.
	out := common.Wrap("✗ "+inert.Line(what+": "+f.Err())+" (ctrl+r retries)", m.width, 3)
	for i, l := range out {
		out[i] = m.c.Styles.Err.Render(l)
	}
	return out
}

// unreadLines say, over the consumers, which of them a partial refresh
// could not read again and why: their rows are as last read.
func (m *Model) unreadLines() []string {
	if m.level != levelConsumers {
		return nil
	}
	var names []string
	for _, c := range m.cons {
		if f := c.Unread; f != nil {
			names = append(names, c.Name+" ("+f.Service+" "+string(f.Kind)+")")
		}
	}
	if len(names) == 0 {
		return nil
	}
	line := "✗ " + plural(len(names), "consumer") + " not re-read, shown as last read: " + strings.Join(names, ", ")
	out := common.Wrap(inert.Line(line)+" (ctrl+r retries)", m.width, 2)
	for i, l := range out {
		out[i] = m.c.Styles.Err.Render(l)
	}
	return out
}

// header is the breadcrumbs on the left and the filters on the right.
func (m *Model) header() string {
	st := m.c.Styles
	crumbs := []string{"Archives"}
	if m.level >= levelDays {
		crumbs = append(crumbs, inert.Line(m.cur.Name))
	}
	if m.level >= levelHours {
		crumbs = append(crumbs, m.day.UTC().Format("2006-01-02"))
	}
	if m.level >= levelEvents {
		crumbs = append(crumbs, m.hr.UTC().Format("15:00")+" UTC")
	}
	left := strings.Join(crumbs, " › ")
	var info []string
	f, now := m.fresh(), m.o.now()
	switch {
	case m.session() == nil:
		info = append(info, "no session")
	case f.Err() != "" && !f.Read().IsZero():
		// The banner below says why; the header that the rows are old.
		info = append(info, "refresh failed "+common.Ago(now, f.FailedAt())+", showing what was read "+common.Ago(now, f.Read()))
	case f.Err() != "":
		info = append(info, "read failed "+common.Ago(now, f.FailedAt()))
	case f.Read().IsZero() && (m.consLoading || m.hoursLoading || m.eventsLoading):
		info = append(info, "loading…")
	case !f.Read().IsZero():
		info = append(info, f.Line(now))
	}
	if m.level == levelEvents {
		n := len(m.events.Marked())
		if n > 0 {
			info = append(info, plural(n, "mark"))
		}
	}
	info = append(info, "range "+Ranges[m.rangeIdx].Name)
	if m.pk != "" {
		info = append(info, "key="+inert.Line(m.pk))
	}
	if m.jq != nil {
		info = append(info, "jq "+inert.Line(m.jq.String()))
	}
	if m.replayed {
		info = append(info, "replayed copies")
	}
	for _, n := range m.notes {
		if m.level == levelConsumers {
			info = append(info, inert.Line(n))
		}
	}
	l := inert.Truncate(left, m.width)
	right := inert.Truncate("  "+strings.Join(info, " · "), max(m.width-inert.Width(l), 0))
	pad := max(m.width-inert.Width(l)-inert.Width(right), 0)
	return st.Title.Render(l) + strings.Repeat(" ", pad) + st.Muted.Render(right)
}
