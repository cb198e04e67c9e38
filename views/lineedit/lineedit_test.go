package lineedit

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/viewtest"
)

func edit(t *testing.T, start string, keys ...string) Model {
	t.Helper()
	km := keymap.Default()
	m := New(&km.Input, start)
	for _, k := range keys {
		if r := m.Update(viewtest.Key(k)); r != Editing {
			t.Fatalf("%q ended the edit: %v", k, r)
		}
	}
	return m
}

func TestEditsAtTheCursor(t *testing.T) {
	cases := []struct {
		start string
		keys  []string
		want  string
	}{
		{"", []string{"a", "b", "c"}, "abc"},
		{"abc", []string{"left", "left", "X"}, "aXbc"},
		{"abc", []string{"home", "X", "end", "Y"}, "XabcY"},
		{"abc", []string{"left", "backspace"}, "ac"},
		{"select(.a) | .b", []string{"ctrl+w"}, "select(.a) | "},
		{"one two  ", []string{"ctrl+w"}, "one "},
		{"abc", []string{"ctrl+u", "z"}, "z"},
		{"ab", []string{"space", "c"}, "ab c"},
	}
	for _, c := range cases {
		if got := edit(t, c.start, c.keys...).Value(); got != c.want {
			t.Errorf("%q + %v = %q, want %q", c.start, c.keys, got, c.want)
		}
	}
}

func TestEnterSubmitsEscCancels(t *testing.T) {
	m := edit(t, "x")
	if m.Update(viewtest.Key("enter")) != Submitted || m.Update(viewtest.Key("esc")) != Cancelled {
		t.Fatal("enter/esc")
	}
}

func TestPasteIsOneLineAndDrawnInert(t *testing.T) {
	m := edit(t, "k=")
	m.Update(tea.PasteMsg{Content: "a\nb\x1b[31mred"})
	if m.Value() != "k=a b\x1b[31mred" {
		t.Fatalf("value %q", m.Value())
	}
	if v := m.View(40); v != `k=a b\x1b[31mred`+Cursor {
		t.Fatalf("view %q", v)
	}
}

func TestViewKeepsTheCursorInSight(t *testing.T) {
	m := edit(t, "0123456789abcdef")
	if v := m.View(8); v != "…abcdef"+Cursor && len([]rune(v)) > 8 {
		t.Fatalf("end: %q", v)
	}
	if v := m.View(8); []rune(v)[len([]rune(v))-1] != '█' {
		t.Fatalf("the cursor is not at the end: %q", v)
	}
	m.Update(viewtest.Key("home"))
	if v := m.View(8); []rune(v)[0] != '█' {
		t.Fatalf("home: %q", v)
	}
}
