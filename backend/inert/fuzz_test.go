package inert

import (
	"strings"
	"testing"
)

func FuzzLine(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.in, 20)
	}
	f.Add("\r\n\t\u2028\u0085", 3)
	f.Fuzz(func(t *testing.T, s string, width int) {
		assertInert(t, Line(s), false)
		assertInert(t, Block(s), true)
		width %= 200
		cut := LineCut(s, width)
		assertInert(t, cut, false)
		if width > 0 && Width(cut) > width {
			t.Fatalf("LineCut(%q, %d) is %d cells wide: %q", s, width, Width(cut), cut)
		}
		if width > 0 && !strings.HasSuffix(cut, Ellipsis) && cut != Line(s) {
			t.Fatalf("LineCut(%q, %d) = %q cut without an ellipsis", s, width, cut)
		}
		trunc := Truncate(Line(s), width)
		if width > 0 && Width(trunc) > width {
			t.Fatalf("Truncate(Line(%q), %d) is %d cells wide", s, width, Width(trunc))
		}
	})
}
