package e2e

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// shows reports whether the terminal shows exactly frame (as text, blanks
// at the ends of lines aside).
func shows(screen, frame string) bool {
	a, b := strings.Split(screen, "\n"), strings.Split(stripped(frame), "\n")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimRight(a[i], " ") != strings.TrimRight(b[i], " ") {
			return false
		}
	}
	return true
}

// resize changes the window's size: the terminal's grid first, then the
// program hears of it, as when a terminal window is resized.
func (a *app) resize(w, h int) {
	a.t.Helper()
	a.waitFor("the output so far", shortWait, func(string) bool { return true })
	a.term.resize(w, h)
	a.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
}

// settled waits until the terminal shows the app's last frame, which is
// h lines of w cells (the footer's may be shorter), with the DLQs tab and both of the demo's queues on it.
func (a *app) settled(w, h int) string {
	a.t.Helper()
	return a.waitFor("the DLQs tab reflowed to the window", shortWait, func(s string) bool {
		frame := a.rec.lastFrame()
		lines := strings.Split(frame, "\n")
		if len(lines) != h || !shows(s, frame) {
			return false
		}
		for i, l := range lines {
			// The tab bar, the body and the status bar fill the width;
			// the help footer may end early.
			if lw := lipgloss.Width(l); lw > w || (lw != w && i < h-1) {
				return false
			}
		}
		_, bus := lineWith(s, "  "+demo.BusDLQName+" ")
		_, dlq := lineWith(s, "  "+demo.DLQName+" ")
		return strings.HasPrefix(line(s, 0), " 1 Streams") && strings.HasPrefix(bodyHeader(s), "DLQs") && bus && dlq &&
			strings.Contains(line(s, -2), "local") && strings.HasPrefix(line(s, -1), "enter open")
	})
}

// TestResizeReflowsAndKeepsThePlace shrinks the window from 160×48 to
// 80×24 and grows it back with the second DLQ selected: the DLQs tab stays
// in front, every frame is exactly the window, the terminal shows exactly
// the frame, and enter opens the queue that was selected before.
func TestResizeReflowsAndKeepsThePlace(t *testing.T) {
	e := engine(t)
	inventorytest.Setup(t, e)
	s := session(t, e, false)
	a := start(t, s, config.File{}, 160, 48)
	a.press("3")
	a.settled(160, 48)
	a.press("j") // orders-dlq, after orders-bus-dlq

	a.resize(80, 24)
	a.settled(80, 24)
	a.press("enter")
	a.waitFor("orders-dlq opened at 80×24", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), "DLQs › "+demo.DLQName) && strings.Contains(s, "the queue is empty")
	})
	a.press("esc")
	a.settled(80, 24)

	a.resize(160, 48)
	a.settled(160, 48)
	a.press("enter")
	a.waitFor("orders-dlq opened at 160×48", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), "DLQs › "+demo.DLQName) && shows(s, a.rec.lastFrame())
	})
	a.quit()
}
