package inert

import (
	"testing"
	"unicode/utf8"
)

// assertInert fails t when s holds anything a terminal would interpret.
func assertInert(t testing.TB, s string, newlinesAllowed bool) {
	t.Helper()
	if err := inertError(s, newlinesAllowed); err != "" {
		t.Fatalf("output not inert: %s in %q", err, s)
	}
}

func inertError(s string, newlinesAllowed bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' && newlinesAllowed {
			continue
		}
		if c < 0x20 || c == 0x7f {
			return "control byte"
		}
	}
	for _, r := range s {
		if dangerousRune(r) || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return "C1 or bidi rune"
		}
		// Listed here as well as in dangerousRune, so that dropping one
		// there fails the fuzz targets.
		if (r >= 0x200b && r <= 0x200d) || r == 0x2060 || r == 0xfeff || r == 0x200e || r == 0x200f || r == 0x061c {
			return "zero-width or bidi mark"
		}
	}
	return ""
}
