// Package viewtest holds what the tabs' tests share: a tab's Common, key
// presses by name, a driver that plays the program for a tab, and the
// golden check of a view at a matrix of sizes.
package viewtest

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/theme"
)

// named are the keys tests press by name; any other name is typed as text.
var named = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"tab":       {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"space":     {Code: tea.KeySpace, Text: " "},
	"backspace": {Code: tea.KeyBackspace},
	"pgdown":    {Code: tea.KeyPgDown},
	"pgup":      {Code: tea.KeyPgUp},
}

// Key is the key press called k: a name above, "ctrl+x", or text.
func Key(k string) tea.KeyPressMsg {
	if msg, ok := named[k]; ok {
		return msg
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok && len(rest) == 1 {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// Of keeps the messages of type T.
func Of[T any](msgs []tea.Msg) []T {
	var out []T
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// NewCommon is what the root would hand a tab: w × h, the default keys,
// the dark or light theme, and env (a session of generation 1 when env
// holds a session without one).
func NewCommon(env *common.Env, w, h int, dark bool) *common.Common {
	p := theme.Light()
	if dark {
		p = theme.Dark()
	}
	st := theme.New(p, false)
	km := keymap.Default()
	if env == nil {
		env = &common.Env{}
	}
	if env.Gen == 0 {
		env.Gen = 1
	}
	return &common.Common{Width: w, Height: h, Styles: &st, Keys: &km, Env: env}
}
