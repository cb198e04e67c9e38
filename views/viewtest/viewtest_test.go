package viewtest

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestKeyNamesMatchWhatBubbleTeaReports(t *testing.T) {
	for _, k := range []string{"enter", "esc", "tab", "shift+tab", "up", "down", "space", "backspace", "pgdown", "pgup", "ctrl+u", "j", "G", "/", "é"} {
		if got := Key(k).String(); got != k {
			t.Errorf("Key(%q).String() = %q", k, got)
		}
	}
	if got := Of[int]([]tea.Msg{1, "x", 2}); len(got) != 2 {
		t.Errorf("Of[int] = %v", got)
	}
}
