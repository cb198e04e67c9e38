package inert

import (
	"strings"
	"testing"
)

// attacks are real escape sequences seen in terminal-injection advisories.
var attacks = []struct {
	name, in, want string
}{
	{"OSC 52 clipboard write", "a\x1b]52;c;ZWNobyBwd25lZA==\x07b", `a\x1b]52;c;ZWNobyBwd25lZA==\x07b`},
	{"OSC 52 with ST terminator", "\x1b]52;c;aGk=\x1b\\", `\x1b]52;c;aGk=\x1b\`},
	{"CSI clear screen and home", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
	{"DCS", "\x1bP+q544e\x1b\\", `\x1bP+q544e\x1b\`},
	{"APC", "\x1b_Gf=100;AAAA\x1b\\", `\x1b_Gf=100;AAAA\x1b\`},
	{"window title set", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
	{"OSC 8 hyperlink", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;http://evil\x1b\click\x1b]8;;\x1b\`},
	{"8-bit CSI raw byte", "x\x9b2Jy", `x\x9b2Jy`},
	{"8-bit CSI as UTF-8 rune", "x\u009b2Jy", `x\u009b2Jy`},
	{"8-bit OSC rune and ST", "\u009d52;c;aGk=\u009c", `\u009d52;c;aGk=\u009c`},
	{"bidi override", "invoice\u202egpj.exe", `invoice\u202egpj.exe`},
	{"bidi isolates", "a\u2066b\u2069c", `a\u2066b\u2069c`},
	{"carriage return overwrite", "ok\rFAIL", `ok\rFAIL`},
	{"backspace", "rm\x08\x08ls", `rm\x08\x08ls`},
	{"bell and NUL", "\x07\x00", `\x07\x00`},
	{"DEL", "a\x7fb", `a\x7fb`},
	{"newline and tab", "a\nb\tc", `a\nb\tc`},
	{"line separator", "a\u2028b", `a\u2028b`},
	{"zero-width space in a name", "ad\u200bmin", `ad\u200bmin`},
	{"zero-width joiners and word joiner", "a\u200cb\u200dc\u2060d", `a\u200cb\u200dc\u2060d`},
	{"byte order mark", "\ufeff{}", `\ufeff{}`},
	{"bidi marks", "a\u200eb\u200fc\u061cd", `a\u200eb\u200fc\u061cd`},
	{"invalid UTF-8", "caf\xe9 \xff\xfe", `caf\xe9 \xff\xfe`},
	{"truncated rune", "\xe2\x82", `\xe2\x82`},
	{"safe unicode kept", "héllo 世界 🚀", "héllo 世界 🚀"},
	{"backslash kept", `C:\temp\x1b`, `C:\temp\x1b`},
	{"empty", "", ""},
}

func TestLineAttacks(t *testing.T) {
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			got := Line(tc.in)
			if got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
			assertInert(t, got, false)
		})
	}
}

func TestLineReturnsSafeInputUncopied(t *testing.T) {
	s := strings.Repeat("plain ascii and ünïcödé ", 10)
	if got := Line(s); got != s {
		t.Fatalf("Line changed safe text: %q", got)
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = Line(s) }); allocs != 0 {
		t.Errorf("Line allocated %v times for safe text", allocs)
	}
}

func TestBlock(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"keeps newlines", "a\nb\n", "a\nb\n"},
		{"CRLF becomes LF", "a\r\nb", "a\nb"},
		{"lone CR escaped", "a\rb", `a\rb`},
		{"tab to next stop", "ab\tc", "ab      c"},
		{"tab stop restarts each line", "abcdefghij\n\tx", "abcdefghij\n        x"},
		{"tab after escape counts its width", "\x1b\tx", `\x1b` + "    x"},
		{"tab after wide rune", "世\tx", "世      x"},
		{"escapes as in Line", "\x1b[31mred\x1b[0m\n\u202e", `\x1b[31mred\x1b[0m` + "\n" + `\u202e`},
		{"invalid byte", "\xff\n", `\xff` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Block(tc.in)
			if got != tc.want {
				t.Errorf("Block(%q) = %q, want %q", tc.in, got, tc.want)
			}
			assertInert(t, got, true)
		})
	}
}

func TestBlockAttacks(t *testing.T) {
	for _, tc := range attacks {
		assertInert(t, Block(tc.in), true)
	}
}

func TestPasteKeepsLinesAndEscapesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext\nhéllo":               "",
		"a\x1b]52;c;aGk=\x07\nb":           `a\x1b]52;c;aGk=\x07` + "\nb",
		"x\u009b2J \u202eabc \u200b\r\xff": `x\u009b2J \u202eabc \u200b\r\xff`,
	} {
		got, escaped := Paste(in)
		if want == "" {
			if got != in || escaped {
				t.Errorf("Paste(%q) = %q, %v; want it unchanged", in, got, escaped)
			}
			continue
		}
		if got != want || !escaped {
			t.Errorf("Paste(%q) = %q, %v; want %q", in, got, escaped, want)
		}
		assertInert(t, strings.NewReplacer("\n", "", "\t", "").Replace(got), false)
	}
}
