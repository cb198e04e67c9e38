package dlq

import (
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/common"
)

// SetSize takes the body area the root gives the tab.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.layout()
	m.consumers.SetSize(m.width, m.height)
}

// layout sizes the list, the messages and the detail for what the header,
// the banner and the progress lines leave.
func (m *Model) layout() {
	body := m.bodyHeight()
	m.list.SetSize(m.width, body)
	m.split.SetSize(m.width, body)
	msgsWidth := m.split.ListWidth()
	if m.split.Open() {
		m.detail.SetSize(m.split.DetailWidth(), body)
	}
	m.msgs.SetSize(msgsWidth, body)
	payloads := false
	for _, x := range m.res.Messages {
		payloads = payloads || x.IsPayload()
	}
	m.msgs.SetColumns(messageColumns(msgsWidth, m.anyFailure(), payloads))
	m.refreshMessageRows(msgsWidth)
}

func (m *Model) bodyHeight() int {
	h := m.height - 1 - len(m.bannerLines()) - len(m.progressLines())
	return max(h, 2)
}

// bannerLines say, over the list, what could not be read (at most three
// lines); over a browse, what the browse did (receive counts, a redrive
// policy), at most two.
func (m *Model) bannerLines() []string {
	if m.width <= 0 {
		return nil
	}
	st := m.c.Styles
	if m.level == levelList {
		// What could not be read, whole enough to act on: the service,
		// the kind and AWS's own message.
		if m.listErr == "" {
			return nil
		}
		out := common.Wrap("✗ "+inert.Line(m.listErr), m.width, 3)
		for i, l := range out {
			out[i] = st.Err.Render(l)
		}
		return out
	}
	switch {
	case m.browseErr != "":
		return []string{st.Err.Render(inert.Fit("✗ "+inert.Line(m.browseErr), m.width))}
	case m.res.Warning != "":
		out := common.Wrap("⚠ "+inert.Line(m.res.Warning), m.width, 2)
		for i, l := range out {
			out[i] = st.Warn.Render(l)
		}
		return out
	}
	return nil
}

func (m *Model) progressLines() []string {
	var out []string
	if m.job != nil {
		out = append(out, m.job.bar.View(m.width))
	}
	if m.redrive != nil {
		out = append(out, m.redrive.bar.View(m.width))
	}
	return out
}

// View draws the tab, exactly its width × height.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.consumers.Open() {
		return m.consumers.View()
	}
	lines := []string{m.header()}
	lines = append(lines, m.bannerLines()...)
	switch {
	case m.level == levelList:
		lines = append(lines, strings.Split(m.list.View(), "\n")...)
	default:
		lines = append(lines, m.split.View(m.c.Styles, m.msgs.View(), m.detail.View())...)
	}
	lines = append(lines, m.progressLines()...)
	blank := strings.Repeat(" ", m.width)
	for len(lines) < m.height {
		lines = append(lines, blank)
	}
	return strings.Join(lines[:m.height], "\n")
}

// header names where the operator is and what it holds.
func (m *Model) header() string {
	st := m.c.Styles
	title := "DLQs"
	var parts []string
	if m.level == levelBrowse {
		title += " › " + inert.Line(m.cur.name)
		q := m.res.Queue
		if q.Name != "" {
			parts = append(parts, fmt.Sprintf("%d visible", q.Visible), fmt.Sprintf("%d in flight", q.InFlight))
			read := fmt.Sprintf("%d read", len(m.res.Messages))
			if len(m.res.Messages) < q.Visible {
				read += " (a browse shows the first 100)"
			}
			parts = append(parts, read)
		}
		if !m.res.At.IsZero() && !m.browseLoading {
			// What is shown is the queue as it was then; b browses again.
			parts = append(parts, common.BrowsedAgo(m.o.now(), m.res.At))
		}
		if n := len(m.msgs.Marked()); n > 0 {
			parts = append(parts, fmt.Sprintf("%d marked", n))
		}
		if m.browseLoading {
			parts = append(parts, "browsing…")
		}
	} else {
		switch {
		case m.session() == nil:
			parts = append(parts, "no session")
		case m.listLoaded:
			total := 0
			for _, d := range m.dlqs {
				total += d.Queue.Visible
			}
			parts = append(parts, plural(len(m.dlqs), "queue"), plural(total, "message")+" waiting")
		case m.listPartial:
			parts = append(parts, plural(len(m.dlqs), "declared queue")+" so far")
		}
		switch {
		case m.listLoading && m.listPartial:
			parts = append(parts, "discovering pipes, Lambda, rules and queues…")
		case m.listLoading:
			parts = append(parts, "loading…")
		}
		now := m.o.now()
		switch {
		case m.listErr != "" && !m.fresh.Read().IsZero():
			// The banner below says what; the header that the rows
			// are those of an older read.
			parts = append(parts, "refresh failed "+common.Ago(now, m.fresh.FailedAt())+", showing what was read "+common.Ago(now, m.fresh.Read()))
		case m.listErr != "":
			parts = append(parts, "partial: "+strings.SplitN(m.listErr, ":", 2)[0])
		case m.listLoaded:
			parts = append(parts, m.fresh.Line(now))
		}
		if m.metricsErr != "" {
			parts = append(parts, "metrics: "+inert.Line(m.metricsErr))
		}
		if m.deadlineErr != "" {
			parts = append(parts, "deadline: "+inert.Line(m.deadlineErr))
		}
		for _, n := range m.notes {
			parts = append(parts, inert.Line(n))
		}
	}
	t := inert.Truncate(title, m.width)
	rest := ""
	if len(parts) > 0 {
		rest = inert.Truncate("  "+strings.Join(parts, " · "), max(m.width-inert.Width(t), 0))
	}
	pad := max(m.width-inert.Width(t)-inert.Width(rest), 0)
	return st.Title.Render(t) + st.Muted.Render(rest) + strings.Repeat(" ", pad)
}
