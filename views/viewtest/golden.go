package viewtest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// Size is a terminal size a view is drawn at.
type Size struct{ W, H int }

func (s Size) String() string { return fmt.Sprintf("%dx%d", s.W, s.H) }

// GoldenSizes are the sizes every tab's goldens are drawn at: the
// smallest supported terminal and a large one.
func GoldenSizes() []Size { return []Size{{80, 24}, {160, 48}} }

// EachSize runs f at each size, as a subtest named after it.
func EachSize(t *testing.T, sizes []Size, f func(t *testing.T, w, h int)) {
	t.Helper()
	for _, s := range sizes {
		t.Run(s.String(), func(t *testing.T) { f(t, s.W, s.H) })
	}
}

// liveEscapes are what a hostile payload tries to send the terminal: a
// screen clear, an OSC 52 clipboard write, a bell.
var liveEscapes = []string{"\x1b[2J", "\x1b]52", "\x07"}

// loopbackPorts are the ports test servers picked (Linux's ephemeral ports
// have five digits, so the layout keeps its widths): a failure naming the
// endpoint it could not reach reads the same in every run.
var loopbackPorts = regexp.MustCompile(`(127\.0\.0\.1:)[0-9]{5}`)

// CheckView asserts that view is exactly w × h cells and that no live
// escape from data reaches it, and returns it plain: without styles, the
// loopback ports masked.
func CheckView(t testing.TB, view string, w, h int) string {
	t.Helper()
	for _, bad := range liveEscapes {
		if strings.Contains(view, bad) {
			t.Fatalf("view holds a live %q", bad)
		}
	}
	plain := loopbackPorts.ReplaceAllString(ansi.Strip(view), "${1}PPPPP")
	lines := strings.Split(plain, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, l)
		}
	}
	return plain
}

// Golden checks view (CheckView) and compares it with
// testdata/<TestName>.golden; go test -update rewrites it. Goldens hold
// the plain text of the dark theme alone: the themes differ in colour
// only, and colour is left to the themes' own tests.
func Golden(t *testing.T, view string, w, h int) {
	t.Helper()
	golden.RequireEqual(t, []byte(CheckView(t, view, w, h)))
}
