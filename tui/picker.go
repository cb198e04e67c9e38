package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/theme"
)

// picker chooses a profile: local and every AWS and sluice profile.
type picker struct {
	profiles []backend.Profile
	cursor   int
}

func newPicker(profiles []backend.Profile) picker { return picker{profiles: profiles} }

// focus puts the cursor on the current profile.
func (p *picker) focus(s *backend.Session) {
	if s == nil {
		return
	}
	for i, pr := range p.profiles {
		if pr.Name == s.Profile.Name {
			p.cursor = i
		}
	}
}

func (m *Model) updatePicker(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.picker
	l := m.keys.List
	switch {
	case key.Matches(msg, l.Back) || msg.String() == "q":
		m.overlay = overlayNone
	case key.Matches(msg, l.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, l.Down):
		p.cursor = min(p.cursor+1, len(p.profiles)-1)
	case key.Matches(msg, l.Top):
		p.cursor = 0
	case key.Matches(msg, l.Bottom):
		p.cursor = len(p.profiles) - 1
	case key.Matches(msg, l.Open):
		m.overlay = overlayNone
		if p.cursor < len(p.profiles) {
			return m.switchSession(p.profiles[p.cursor], "")
		}
	}
	return nil
}

func (p picker) view(st *theme.Styles, width, height int) string {
	var b strings.Builder
	b.WriteString(st.Title.Render("Profiles") + st.Muted.Render("  enter switches, without a restart"))
	rows := max(height-6, 3)
	start := max(0, min(p.cursor-rows/2, len(p.profiles)-rows))
	for i := start; i < len(p.profiles) && i < start+rows; i++ {
		pr := p.profiles[i]
		region := pr.Region
		if region == "" {
			region = "(default region)"
		}
		flags := string(pr.Kind)
		if pr.ReadOnly {
			flags += ", read-only"
		}
		if pr.Endpoint != "" {
			flags += ", " + pr.Endpoint
		}
		swatch := st.ProfileStyle(pr.Color).Render(" ")
		line := swatch + " " + padRight(inert.Truncate(inert.Line(pr.Name), 24), 24) + " " + padRight(region, 16) + " " + inert.Truncate(inert.Line(flags), max(width-60, 10))
		if i == p.cursor {
			line = st.Selected.Render(line)
		}
		b.WriteString("\n" + line)
	}
	if len(p.profiles) == 0 {
		b.WriteString("\n" + st.Muted.Render("no profiles"))
	}
	return st.Pane.Padding(0, 1).Render(b.String())
}
