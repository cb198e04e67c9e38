package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/views/common"
)

// TestTabBarAlwaysNamesTheFocusedTab: on a narrow screen the tab bar was
// cut at its right end, so that at 40 columns the Metrics tab showed with
// no tab of that name on the bar. When the titles do not all fit, the
// other tabs keep their numbers only; a click on a label still opens its
// tab.
func TestTabBarAlwaysNamesTheFocusedTab(t *testing.T) {
	m, _ := newApp(t, false)
	for w := 200; w >= 24; w-- {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		for i, title := range []string{"Streams", "Shards", "DLQs", "Archives", "Metrics"} {
			m.switchTab(i)
			bar := ansi.Strip(m.tabBar())
			if ansi.StringWidth(bar) > w {
				t.Fatalf("at %d the tab bar is %d wide: %q", w, ansi.StringWidth(bar), bar)
			}
			at := strings.Index(bar, itoa(i+1)+" "+title)
			if at < 0 {
				t.Fatalf("at %d with %s focused the tab bar is %q", w, title, bar)
			}
			for j := range 5 {
				x := strings.Index(bar, itoa(j+1))
				if got, ok := m.tabAt(ansi.StringWidth(bar[:x])); !ok || got != j {
					t.Fatalf("at %d a click on %q of %q found tab %d, %v", w, itoa(j+1), bar, got, ok)
				}
			}
		}
	}
	if m.Active().ID() != common.MetricsTab {
		t.Fatal("switchTab did not switch")
	}
}
