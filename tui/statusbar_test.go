package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/views/common"
)

// TestStatusBarNeverCutsWhereYouAre: at 80 columns on a read-only local
// session the badge was cut to "RE" by the endpoint before it. Profile,
// region, account and READ-ONLY stay whole at every width from 80 down
// to what they need; the endpoint and the status line give way, cut
// with "…".
func TestStatusBarNeverCutsWhereYouAre(t *testing.T) {
	m, _ := newApp(t, true)
	m.Update(identityMsg{gen: m.Env().Gen, id: backend.Identity{Account: "000000000000"}})
	m.Update(common.StatusMsg{Text: "listed 3 streams, 2 queues, 1 bucket and their metrics in 120 ms", Level: common.Success})
	press(m, "j") // the status is no longer fresh: it stays in the bar
	for w := 200; w >= 52; w-- {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		raw := m.statusBar()
		bar := ansi.Strip(raw)
		if lipgloss.Width(raw) != w {
			t.Fatalf("at %d: the bar is %d wide: %q", w, lipgloss.Width(raw), bar)
		}
		wants := []string{"local", "us-east-1", "000000000000", "READ-ONLY"}
		if w >= 80 {
			// From 80 columns the labels stay, and the endpoint is said.
			wants = append(wants, "region us-east-1", "account 000000000000", "http://127.")
		}
		if w >= 100 {
			wants = append(wants, "endpoint http://127.")
		}
		for _, want := range wants {
			if !strings.Contains(bar, want) {
				t.Fatalf("at %d: the status bar %q lacks %q", w, bar, want)
			}
		}
		if strings.Contains(bar, "listed") && !strings.Contains(bar, "in 120 ms") && !strings.Contains(bar, "…") {
			t.Fatalf("at %d: the status line is cut without an ellipsis: %q", w, bar)
		}
	}
}
