package common

import "testing"

func TestCutAtWord(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"enter: next/submit · esc: cancel", 40, "enter: next/submit · esc: cancel"},
		{"enter: next/submit · esc: cancel", 32, "enter: next/submit · esc: cancel"},
		{"enter: next/submit · esc: cancel", 31, "enter: next/submit · esc:…"},
		{"enter: next/submit · esc: cancel", 26, "enter: next/submit · esc:…"},
		{"enter: next/submit · esc: cancel", 25, "enter: next/submit…"},
		{"enter: next/submit · esc: cancel", 20, "enter: next/submit…"},
		{"enter: next/submit · esc: cancel", 19, "enter: next/submit…"},
		{"enter: next/submit · esc: cancel", 18, "enter:…"},
		{"supercalifragilistic words", 8, "superca…"},
		{"abc", 0, ""},
	} {
		if got := CutAtWord(c.in, c.width); got != c.want {
			t.Errorf("CutAtWord(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
