package common

import (
	"encoding/json"
	"testing"
)

func TestClipboardNeverHoldsRawControls(t *testing.T) {
	for _, c := range []struct {
		in, want string
		noted    bool
	}{
		{"plain\ntext", "plain\ntext", false},
		{"log \x1b[31mred\x1b[0m", `log \x1b[31mred\x1b[0m`, true},
		{`{"a":"x` + "\u0085\u200b" + `"}`, `{"a":"x\u0085\u200b"}`, true},
		{`{"a":1}`, `{"a":1}`, false},
		{"\xff\x1b\x00", "/xsA", true},
	} {
		got, note := Clipboard([]byte(c.in))
		if got != c.want || (note != "") != c.noted {
			t.Errorf("Clipboard(%q) = %q, %q; want %q", c.in, got, note, c.want)
		}
	}
	// The escaped JSON is the same value.
	got, _ := Clipboard([]byte(`{"a":"x` + "\u009b" + `"}`))
	var v map[string]string
	if err := json.Unmarshal([]byte(got), &v); err != nil || v["a"] != "x\u009b" {
		t.Errorf("%s reads back as %v, %v", got, v, err)
	}
}
