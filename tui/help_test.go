package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestHelpScrollsToEveryKey: at 80×24 help was cut at the screen's
// bottom, and the focused tab's keys, drawn last, could not be read. Now
// it scrolls with j/k, the arrows, pgup/pgdown and g/G, says which lines
// are in view, and every binding can be brought on screen.
func TestHelpScrollsToEveryKey(t *testing.T) {
	m, probes := newApp(t, false)
	probes[3].full = manyKeys(30)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "4", "?")
	seen := map[string]bool{}
	look := func() string {
		s := ansi.Strip(m.render())
		if n := len(strings.Split(s, "\n")); n != 24 {
			t.Fatalf("%d lines", n)
		}
		for i := range 30 {
			if d := fmt.Sprintf("tab action %02d", i); strings.Contains(s, d) {
				seen[d] = true
			}
		}
		return s
	}
	first := look()
	if !strings.Contains(first, "lines 1–") || !strings.Contains(first, " of ") {
		t.Fatalf("help does not say where it is:\n%s", first)
	}
	for range 60 {
		press(m, "j")
		look()
	}
	if len(seen) != 30 {
		t.Fatalf("j showed %d of the tab's 30 keys", len(seen))
	}
	if !strings.Contains(look(), "keys can be rebound") {
		t.Fatal("j did not reach the end of help")
	}
	// The closing note is whole, wrapped at a word, not cut at the edge.
	if end := look(); !strings.Contains(end, `["X"]})`) {
		t.Fatalf("the note's end is cut:\n%s", end)
	}
	press(m, "g")
	if top := look(); top != first {
		t.Fatalf("g did not go back to the top:\n%s", top)
	}
	press(m, "G")
	end := look()
	press(m, "k")
	if look() == end {
		t.Fatal("k did not scroll up")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	m.Update(tea.KeyPressMsg{Code: tea.KeyPgUp})
	m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if look() == first {
		t.Fatal("pgdown, pgup, down ended at the top")
	}
	press(m, "esc", "?")
	if look() != first {
		t.Fatal("help opened again does not start at the top")
	}
}

// TestHelpNamesTheVersion: help ends with the binary's version line, the
// first thing a bug report asks for.
func TestHelpNamesTheVersion(t *testing.T) {
	m, _ := newApp(t, false)
	m.opts.Version = "v1.4.0 (commit 9a9d387abcde, built 2026-12-07T19:59:55Z)"
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 60})
	press(m, "?", "G")
	if s := ansi.Strip(m.render()); !strings.Contains(s, "sluice v1.4.0 (commit 9a9d387abcde, built 2026-12-07T19:59:55Z)") {
		t.Fatalf("help does not name the version:\n%s", s)
	}
}
