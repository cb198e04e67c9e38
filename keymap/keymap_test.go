package keymap

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestNoTwoBindingsInAScopeCollide(t *testing.T) {
	if c := Default().Collisions(); len(c) > 0 {
		t.Fatalf("collisions:\n%s", strings.Join(c, "\n"))
	}
}

func TestCollisionsAreFound(t *testing.T) {
	k := Default()
	if err := k.Apply(map[string][]string{"dlq.purge": {"q"}}); err != nil {
		t.Fatal(err)
	}
	c := k.Collisions()
	if len(c) != 1 || !strings.Contains(c[0], "global.quit") || !strings.Contains(c[0], "dlq.purge") {
		t.Fatalf("collisions %v", c)
	}
}

func TestApplyRebindsByName(t *testing.T) {
	k := Default()
	if err := k.Apply(map[string][]string{"global.quit": {"ctrl+q"}, "archives.replay": {"enter", "ctrl+y"}}); err != nil {
		t.Fatal(err)
	}
	if !key.Matches(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl}, k.Global.Quit) {
		t.Error("ctrl+q does not quit")
	}
	if key.Matches(tea.KeyPressMsg{Code: 'q', Text: "q"}, k.Global.Quit) {
		t.Error("q still quits")
	}
	if k.Archives.Replay.Help().Desc != "replay" || k.Archives.Replay.Help().Key != "enter/ctrl+y" {
		t.Errorf("help %+v", k.Archives.Replay.Help())
	}
	for _, bad := range []map[string][]string{{"quit": {"x"}}, {"nope.quit": {"x"}}, {"global.nope": {"x"}}, {"global.quit": {}}} {
		if err := k.Apply(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestEveryBindingHasHelp(t *testing.T) {
	k := Default()
	for _, s := range ScopeNames() {
		for _, n := range k.Scope(s) {
			if n.Binding.Help().Desc == "" || len(n.Binding.Keys()) == 0 {
				t.Errorf("%s has no keys or help", n.Name)
			}
		}
	}
}
