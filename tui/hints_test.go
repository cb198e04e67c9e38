package tui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// manyKeys is a tab's help longer than an 80×24 screen.
func manyKeys(n int) [][]key.Binding {
	var g []key.Binding
	for i := range n {
		g = append(g, key.NewBinding(key.WithKeys(fmt.Sprint(i)), key.WithHelp(fmt.Sprintf("k%02d", i), fmt.Sprintf("tab action %02d", i))))
	}
	return [][]key.Binding{g}
}

// TestHintsAreCutBetweenHints: the footer was cut at the screen's edge,
// mid-word ("esc canc"). Now it holds as many whole hints as fit and
// says "…" when some are left out, at every width.
func TestHintsAreCutBetweenHints(t *testing.T) {
	m, probes := newApp(t, false)
	for _, h := range manyKeys(12)[0] {
		probes[0].short = append(probes[0].short, h)
	}
	m.Update(tea.WindowSizeMsg{Width: 300, Height: 24})
	full := ansi.Strip(m.footer())
	for w := 200; w >= 10; w-- {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		got := ansi.Strip(m.footer())
		if ansi.StringWidth(got) > w {
			t.Fatalf("at %d the hints are %d wide: %q", w, ansi.StringWidth(got), got)
		}
		if got == full || strings.HasPrefix(full, got+" • ") {
			continue // all of them, or the first whole where " …" would not fit after it
		}
		head, ok := strings.CutSuffix(got, " …")
		if !ok || !strings.HasPrefix(full, head) || !strings.HasPrefix(full[len(head):], " • ") {
			if w >= 20 || !strings.HasSuffix(got, "…") {
				t.Fatalf("at %d the hints are cut mid-hint: %q", w, got)
			}
		}
	}
}
