package common_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestViewsDoNotImportUpward: the root imports the views, never the other
// way round (the theme lives in views/theme for that reason).
func TestViewsDoNotImportUpward(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/sluicehq/sluice/views/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/sluicehq/sluice/tui" || strings.HasPrefix(p, "github.com/sluicehq/sluice/tui/") {
			t.Errorf("a views package imports %s", p)
		}
	}
}
