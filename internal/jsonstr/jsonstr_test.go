package jsonstr

import (
	"encoding/json"
	"testing"
)

func FuzzAppendMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "<b>&</b>", "\x00\x1f\"\\\n\t\r", "é漢😀", "\xff\xfe", "\x1b]52;c;aGk=\x07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Append(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %q: %v", s, got, err)
		}
		// What encoding/json makes of s: each invalid byte a U+FFFD.
		var wantBack string
		b, _ := json.Marshal(s)
		_ = json.Unmarshal(b, &wantBack)
		if back != wantBack {
			t.Fatalf("%q round-trips to %q, want %q", s, back, wantBack)
		}
		if string(Append(nil, []byte(s))) != string(got) {
			t.Fatalf("string and []byte differ for %q", s)
		}
	})
}
