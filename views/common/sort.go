package common

import (
	"charm.land/bubbles/v2/key"

	"github.com/sluicehq/sluice/keymap"
)

// SortKeys are the bindings that sort any list (the table handles them):
// every tab lists them in its full help, so the sort is found the same
// way everywhere.
func SortKeys(l keymap.List) []key.Binding {
	return []key.Binding{l.SortNext, l.SortPrev, l.SortFlip}
}
