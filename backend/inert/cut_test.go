package inert

import (
	"strings"
	"testing"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"hello", 1, "…"},
		{"hello", 0, ""},
		{"hello", -3, ""},
		{"", 3, ""},
		{"世界世界", 8, "世界世界"},
		{"世界世界", 7, "世界世…"},
		{"世界世界", 6, "世界…"}, // 世界世 would leave no cell for the ellipsis
		{"a世", 2, "a…"},
		{"e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301e\u0301"}, // combining marks take no cell
		{"e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		{"🚀🚀", 3, "🚀…"},
	}
	for _, tc := range tests {
		got := Truncate(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if tc.width > 0 && Width(got) > tc.width {
			t.Errorf("Truncate(%q, %d) is %d cells wide", tc.in, tc.width, Width(got))
		}
	}
}

func TestTruncateStopsOnZeroWidthFlood(t *testing.T) {
	s := "x" + strings.Repeat("\u0301", 1<<20)
	got := Truncate(s, 10)
	if len(got) > 200 || !strings.HasSuffix(got, Ellipsis) {
		t.Fatalf("Truncate of a combining-mark flood returned %d bytes", len(got))
	}
}

func TestLineCut(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"plain", 10, "plain"},
		{"plain text", 6, "plain…"},
		{"\x1b[2J", 10, `\x1b[2J`},
		{"\x1b[2J", 6, `\x1b[…`},
		{"\x1b[2J", 4, `…`},
		{"ab\x1b[2J", 5, `ab…`}, // the 4-cell escape does not fit whole in 2 cells
		{"a\nb", 4, `a\nb`},
		{"\u202eabc", 7, `\u202e…`},
		{"x\xffy", 6, `x\xffy`},
		{"x\xffy", 5, `x…`},
		{"", 5, ""},
		{"abc", 0, ""},
	}
	for _, tc := range tests {
		got := LineCut(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("LineCut(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		assertInert(t, got, false)
	}
}

// LineCut must agree with the slow path it replaces.
func TestLineCutMatchesTruncateOfLine(t *testing.T) {
	inputs := []string{"hello world", "a\x1b[31mred\x1b[0m text", "世界\t\u202e\xff!", "e\u0301\u0301\u0301x"}
	for _, tc := range attacks {
		inputs = append(inputs, tc.in)
	}
	for _, in := range inputs {
		for width := 1; width <= 40; width++ {
			fast, slow := LineCut(in, width), Truncate(Line(in), width)
			if fast != slow && !escapeDropped(fast, slow) {
				t.Errorf("width %d: LineCut(%q) = %q, Truncate(Line) = %q", width, in, fast, slow)
			}
		}
	}
}

// escapeDropped accepts the one intended difference: Truncate(Line(s)) may
// keep the start of an escape ("\x…") where LineCut drops the escape whole.
func escapeDropped(fast, slow string) bool {
	f, s := strings.TrimSuffix(fast, Ellipsis), strings.TrimSuffix(slow, Ellipsis)
	return strings.HasPrefix(s, f) && strings.Contains(s[len(f):], `\`)
}

func TestLineCutReadsOnlyWhatFits(t *testing.T) {
	huge := strings.Repeat("\x1b[2J", 1<<18) // 1 MiB, every byte needs thought
	if allocs := testing.AllocsPerRun(10, func() { _ = LineCut(huge, 80) }); allocs > 3 {
		t.Errorf("LineCut allocated %v times", allocs)
	}
	got := LineCut(huge, 80)
	if Width(got) > 80 || len(got) > 400 {
		t.Errorf("LineCut of 1 MiB returned %d bytes, %d cells", len(got), Width(got))
	}
}

func BenchmarkLineCut1MiB(b *testing.B) {
	line := strings.Repeat(`{"k":"v\u001b[2J","n":12345},`, (1<<20)/28)
	b.ReportAllocs()
	for b.Loop() {
		_ = LineCut(line, 120)
	}
}

func BenchmarkLineCut1MiBWithEscapes(b *testing.B) {
	line := strings.Repeat("ab\x1b[2J\u202e\xff", (1<<20)/11)
	b.ReportAllocs()
	for b.Loop() {
		_ = LineCut(line, 120)
	}
}

func BenchmarkLine1KiB(b *testing.B) {
	line := strings.Repeat("event \x1b[1m", 1024/11)
	b.ReportAllocs()
	for b.Loop() {
		_ = Line(line)
	}
}

func TestTruncateLeft(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "…llo"},
		{"hello", 1, "…"},
		{"hello", 0, ""},
		{"", 3, ""},
		{"世界世界", 8, "世界世界"},
		{"世界世界", 7, "…界世界"},
		{"世界世界", 6, "…世界"},
		{"e\u0301e\u0301e\u0301", 2, "…e\u0301"},
		{"🚀🚀", 3, "…🚀"},
	}
	for _, tc := range tests {
		got := TruncateLeft(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("TruncateLeft(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if tc.width > 0 && Width(got) > tc.width {
			t.Errorf("TruncateLeft(%q, %d) is %d cells wide", tc.in, tc.width, Width(got))
		}
	}
	// A pasted megabyte costs what fits, not what was pasted.
	long := strings.Repeat("select(.a) | ", 100_000) + "end"
	if got := TruncateLeft(long, 20); Width(got) != 20 || !strings.HasSuffix(got, "| end") {
		t.Errorf("long input: %q", got)
	}
}

func TestPadAndFit(t *testing.T) {
	for _, c := range []struct {
		in       string
		w        int
		pad, fit string
	}{
		{"ab", 4, "ab  ", "ab  "},
		{"abcdef", 4, "abcdef", "abc…"},
		{"世", 3, "世 ", "世 "},
		{"", 0, "", ""},
	} {
		if got := Pad(c.in, c.w); got != c.pad {
			t.Errorf("Pad(%q, %d) = %q, want %q", c.in, c.w, got, c.pad)
		}
		if got := Fit(c.in, c.w); got != c.fit {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.fit)
		}
	}
}
