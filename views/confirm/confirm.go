// Package confirm is the dialog every write goes through: it names what
// will change, its default is No, and for purges and bulk actions the
// resource's name must be typed before Yes can be chosen.
package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// Answer is what the operator chose.
type Answer int

const (
	Pending Answer = iota
	Yes
	No
)

// Model is one open dialog.
type Model struct {
	title         string
	lines         []string
	typeToConfirm string
	typed         string
	yesFocused    bool
	answer        Answer
	styles        *theme.Styles
	keys          *keymap.Dialog
}

// New opens a dialog; No is focused.
func New(styles *theme.Styles, keys *keymap.Dialog, title string, lines []string, typeToConfirm string) Model {
	return Model{title: title, lines: lines, typeToConfirm: typeToConfirm, styles: styles, keys: keys}
}

// Answer is the choice made, or Pending.
func (m Model) Answer() Answer { return m.answer }

// typedOK reports whether the required name has been typed.
func (m Model) typedOK() bool { return m.typeToConfirm == "" || m.typed == m.typeToConfirm }

// Update handles keys: y (once the name is typed), n or esc, the arrows
// and tab to move between buttons, enter to press the focused one.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || m.answer != Pending {
		return m, nil
	}
	if m.typeToConfirm != "" && !m.typedOK() || m.typeToConfirm != "" && isEditKey(kp) {
		switch kp.String() {
		case "esc":
			m.answer = No
		case "enter":
			// Enter before the name is typed is a No, never a Yes.
			if !m.typedOK() {
				return m, nil
			}
			if m.yesFocused {
				m.answer = Yes
			} else {
				m.answer = No
			}
		case "backspace":
			if r := []rune(m.typed); len(r) > 0 {
				m.typed = string(r[:len(r)-1])
			}
		case "tab", "left", "right":
			if m.typedOK() {
				m.yesFocused = !m.yesFocused
			}
		default:
			if kp.Text != "" {
				m.typed += kp.Text
			}
		}
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.No):
		m.answer = No
	case key.Matches(kp, m.keys.Yes):
		m.answer = Yes
	case key.Matches(kp, m.keys.Switch):
		m.yesFocused = !m.yesFocused
	case key.Matches(kp, m.keys.Confirm):
		if m.yesFocused {
			m.answer = Yes
		} else {
			m.answer = No
		}
	}
	return m, nil
}

// isEditKey reports keys that edit the typed name rather than answer.
func isEditKey(kp tea.KeyPressMsg) bool {
	switch kp.String() {
	case "backspace":
		return true
	}
	return false
}

// View draws the dialog at most width wide.
func (m Model) View(width int) string {
	inner := max(min(width-8, 72), 20)
	var b strings.Builder
	b.WriteString(m.styles.DialogTitle.Render(inert.Truncate(inert.Line(m.title), inner)))
	b.WriteString("\n\n")
	// What will change is the point of the dialog: wrap it, never cut it.
	wrap := lipgloss.NewStyle().Width(inner)
	for _, l := range m.lines {
		b.WriteString(wrap.Render(inert.Line(l)))
		b.WriteByte('\n')
	}
	if m.typeToConfirm != "" {
		b.WriteString("\nType " + m.styles.Accent.Render(inert.Line(m.typeToConfirm)) + " to confirm:\n")
		field := inert.Line(m.typed) + "█"
		b.WriteString(m.styles.Accent.Render("> " + inert.Truncate(field, inner-2)))
		b.WriteByte('\n')
	}
	no, yes := m.styles.Button, m.styles.Button
	if m.yesFocused {
		yes = m.styles.ButtonOn
	} else {
		no = m.styles.ButtonOn
	}
	yesLabel := "Yes"
	if !m.typedOK() {
		yesLabel = "Yes (type the name)"
	}
	b.WriteString("\n" + lipgloss.JoinHorizontal(lipgloss.Top, no.Render("No"), "  ", yes.Render(yesLabel)))
	return m.styles.Dialog.Width(inner + 6).Render(b.String())
}
