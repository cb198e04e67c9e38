package shards

import (
	"testing"

	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/theme"
)

func TestTheConfigBoundsTheTailRows(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	c := &common.Common{Styles: &st, Keys: &km, Env: &common.Env{Config: config.File{Tail: config.Tail{Buffer: 250}}}}
	if m := New(c); m.maxRows != 250 {
		t.Fatalf("rows bounded at %d, want the config's 250", m.maxRows)
	}
	c.Env.Config.Tail.Buffer = 0
	if m := New(c); m.maxRows != MaxRows {
		t.Fatalf("rows bounded at %d, want MaxRows", m.maxRows)
	}
}
