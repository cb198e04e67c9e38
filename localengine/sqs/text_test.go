package sqs

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestMsgText(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want string
		bad  rune // what invalidXMLChar finds, -1 for nothing
	}{
		{`"plain"`, "plain", -1},
		{`"\ud83d\ude00"`, "😀", -1},
		{`"\\ud800"`, `\ud800`, -1}, // an escaped backslash, not an escape
		{`"\ud800"`, "\xed\xa0\x80", 0xD800},
		{`"a\udc00b"`, "a\xed\xb0\x80b", 0xDC00},
		{`"\ud800\u0041"`, "\xed\xa0\x80A", 0xD800},
		{`"\udbff\udbff"`, "\xed\xaf\xbf\xed\xaf\xbf", 0xDBFF},
		{`"\uDFFF"`, "\xed\xbf\xbf", 0xDFFF},
		{"\"\xff\"", "\xff", 0xFFFD},
		{`"\u0001"`, "\x01", 1},
		{`"\ufffe"`, "\ufffe", 0xFFFE},
	} {
		var m msgText
		if err := json.Unmarshal([]byte(c.raw), &m); err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		if string(m) != c.want {
			t.Errorf("%s: got %q, want %q", c.raw, m, c.want)
		}
		if got := invalidXMLChar(string(m)); got != c.bad {
			t.Errorf("%s: invalid character %#x, want %#x", c.raw, got, c.bad)
		}
	}
	var s struct{ B *msgText }
	if err := json.Unmarshal([]byte(`{"B":5}`), &s); err == nil {
		t.Error("a number for a string was taken")
	}
	if err := json.Unmarshal([]byte(`{"B":null}`), &s); err != nil || s.B != nil {
		t.Errorf("null: %v %v", s.B, err)
	}
}

// FuzzMsgText checks that msgText decodes every JSON string as
// encoding/json does whenever encoding/json's result is not altered.
func FuzzMsgText(f *testing.F) {
	for _, s := range []string{`"a"`, `"\ud800"`, `"\ud83d\ude00"`, `"\\u"`, "\"\xff\"", `"\u00e9\n"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want string
		errWant := json.Unmarshal(raw, &want)
		var got msgText
		errGot := json.Unmarshal(raw, &got)
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("%q: encoding/json %v, msgText %v", raw, errWant, errGot)
		}
		if errWant != nil {
			return
		}
		if utf8.ValidString(string(got)) && string(got) != want {
			t.Fatalf("%q: got %q, encoding/json %q", raw, got, want)
		}
		if !utf8.ValidString(string(got)) && invalidXMLChar(string(got)) < 0 {
			t.Fatalf("%q: %q is not valid UTF-8 yet passes", raw, got)
		}
	})
}
