// Package split is the one master–detail layout: a list and the detail of
// its selected item, side by side on a wide screen, the detail over the
// list on a narrow one, and the list alone, at its full width, when the
// detail is closed.
package split

import (
	"strings"

	"github.com/sluicehq/sluice/views/theme"
)

// Wide is the width from which the detail sits beside the list rather
// than over it.
const Wide = 120

// Model is the split's state: whether the detail is open, and the area
// it lays out. The tab sizes its list and detail from ListWidth and
// DetailWidth whenever the split changes (SetSize, Show, Hide).
type Model struct {
	open          bool
	width, height int
}

// SetSize takes the area under the tab's header.
func (m *Model) SetSize(width, height int) { m.width, m.height = max(width, 0), max(height, 0) }

// Show opens the detail.
func (m *Model) Show() { m.open = true }

// Hide closes the detail: the list gets its whole width back.
func (m *Model) Hide() { m.open = false }

// Open reports whether the detail is shown.
func (m Model) Open() bool { return m.open }

// SideBySide reports whether list and detail share the width.
func (m Model) SideBySide() bool { return m.open && m.width >= Wide }

// ListWidth is the list's width: two fifths beside the detail, else all.
func (m Model) ListWidth() int {
	if m.SideBySide() {
		return m.width * 2 / 5
	}
	return m.width
}

// DetailWidth is the detail's width: what the list and the rule between
// them leave, or all of it when the detail covers the list.
func (m Model) DetailWidth() int {
	if m.SideBySide() {
		return m.width - m.ListWidth() - 1
	}
	return m.width
}

// View lays out list and detail, each drawn at its size, in the split's
// height of lines.
func (m Model) View(st *theme.Styles, list, detail string) []string {
	switch {
	case m.SideBySide():
		left, right := strings.Split(list, "\n"), strings.Split(detail, "\n")
		sep := st.Subtle.Render("│")
		out := make([]string, 0, m.height)
		for i := range m.height {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			out = append(out, l+sep+r)
		}
		return out
	case m.open:
		return strings.Split(detail, "\n")
	}
	return strings.Split(list, "\n")
}
