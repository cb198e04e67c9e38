package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds one of every kind of rune that must not reach a terminal
// raw from JSON output.
var hostile = []string{
	"\x1b[2J", "\x07", "\u0085", "\u009b31m", "\u202e", "\u2066", "\u200e", "\u200f", "\u061c",
	"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u2028", "\u2029",
}

// assertInert fails when out holds a C0 control or an Unsafe rune raw.
func assertInert(t *testing.T, in string, out []byte) {
	t.Helper()
	for i, r := range string(out) {
		if r < 0x20 || Unsafe(r) {
			t.Fatalf("%q encodes to %q: raw %U at %d", in, out, r, i)
		}
	}
}

// roundTrip decodes out and compares it with what encoding/json makes of
// in, where each invalid byte is a U+FFFD.
func roundTrip(t *testing.T, in string, out []byte) {
	t.Helper()
	var back string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%q encodes to invalid JSON %q: %v", in, out, err)
	}
	var want string
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &want)
	if back != want {
		t.Fatalf("%q round-trips to %q, want %q", in, back, want)
	}
}

func TestHostileRunesAreEscaped(t *testing.T) {
	for _, s := range hostile {
		got := Append(nil, s)
		assertInert(t, s, got)
		roundTrip(t, s, got)
		// Go's encoder leaves most of these raw; the escaper catches them.
		std, _ := json.Marshal(s)
		safe := EscapeUnsafe(nil, std)
		assertInert(t, s, safe)
		roundTrip(t, s, safe)
	}
	if got := string(Append(nil, "a\u009bb")); got != `"a\u009bb"` {
		t.Errorf("C1: %s", got)
	}
	if got := string(EscapeUnsafe(nil, []byte("[\"\u202e\u200b\"]"))); got != `["\u202e\u200b"]` {
		t.Errorf("bidi and zero-width: %s", got)
	}
}

func FuzzAppendMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "<b>&</b>", "\x00\x1f\"\\\n\t\r", "é漢😀", "\xff\xfe", "\x1b]52;c;aGk=\x07"} {
		f.Add(s)
	}
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Append(nil, s)
		roundTrip(t, s, got)
		assertInert(t, s, got)
		if string(Append(nil, []byte(s))) != string(got) {
			t.Fatalf("string and []byte differ for %q", s)
		}
	})
}

// FuzzEscapeUnsafe: whatever encoding/json writes for a value holding s,
// as a string, a key or indented, comes out of EscapeUnsafe with nothing
// a terminal acts on, and decodes to the same value.
func FuzzEscapeUnsafe(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("é漢😀\xff")
	f.Fuzz(func(t *testing.T, s string) {
		v := map[string][]string{s: {s, "x" + s}}
		for _, indent := range []string{"", "  "} {
			std, err := json.MarshalIndent(v, "", indent)
			if err != nil {
				t.Fatal(err)
			}
			out := EscapeUnsafe(nil, std)
			if !utf8.Valid(out) {
				t.Fatalf("%q: invalid UTF-8 %q", s, out)
			}
			for _, r := range string(out) {
				if Unsafe(r) || (r < 0x20 && !strings.ContainsRune("\n ", r)) {
					t.Fatalf("%q: raw %U in %q", s, r, out)
				}
			}
			var back, want map[string][]string
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("%q: %v in %q", s, err, out)
			}
			_ = json.Unmarshal(std, &want)
			for k, vs := range want {
				if got := back[k]; len(got) != 2 || got[0] != vs[0] || got[1] != vs[1] {
					t.Fatalf("%q: %q round-trips to %q", s, vs, got)
				}
			}
		}
	})
}
