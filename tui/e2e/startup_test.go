package e2e

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/tui"
)

// goneNotice is what cmd/sluice's chooseProfile says when the profile
// used last no longer exists (its own test, through runTUI, checks that
// the UI starts on local with it).
const goneNotice = "profile gone no longer exists; using local"

// TestStartupNoticeStaysInTheStatusBar: a remembered profile that no
// longer exists is passed over for local with a notice; a later success
// used to clear it at once, so the operator never learnt that the
// session was not the one they left. Here the UI starts on the demo with
// the notice: the status bar shows it beside the local profile, and it is
// still there after the Streams and DLQs lists have been read whole (each
// a success) and the tabs switched.
func TestStartupNoticeStaysInTheStatusBar(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	s := session(t, e, false)
	a := startModel(t, tui.New(tui.Options{
		Profiles: []backend.Profile{s.Profile}, Session: s, Config: config.File{}, Keys: keymap.Default(),
		Tabs: tabs, Dark: true, Notice: goneNotice,
	}), 160, 48)
	a.waitFor("the notice beside the local profile", shortWait, func(s string) bool {
		bar := line(s, -2)
		return strings.Contains(bar, "local") && strings.Contains(bar, goneNotice)
	})
	a.waitFor("the streams read whole", shortWait, func(s string) bool {
		_, ok := lineWith(s, "  "+demo.StreamName+" ", "active")
		return ok && strings.Contains(bodyHeader(s), "updated ")
	})
	a.press("3")
	a.waitFor("the DLQs read whole", shortWait, func(s string) bool {
		return depth(s, demo.DLQName) != "" && strings.Contains(bodyHeader(s), "updated ")
	})
	// One more key and frame: the successes' messages are in by then.
	a.press("1")
	screen := a.waitFor("the Streams tab again", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), "Streams") })
	if bar := line(screen, -2); !strings.Contains(bar, goneNotice) {
		t.Fatalf("the notice left the status bar after the lists were read: %q", bar)
	}
	a.quit()
}
