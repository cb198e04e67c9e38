// Package lineedit is the one line-edit component: the prompts and form
// fields where the operator types a value (a position, a jq filter, a
// partition key, a stream's name, a palette command). It moves and edits
// at a cursor with the keymap's Input scope, takes pastes, and draws the
// value inert, keeping the cursor's end of a long value in view.
package lineedit

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
)

// Cursor is drawn where typing happens.
const Cursor = "█"

// Result is what a message did to the line.
type Result int

const (
	// Editing: the line is still being edited.
	Editing Result = iota
	// Submitted: enter; the value is Value().
	Submitted
	// Cancelled: esc; the caller drops the line.
	Cancelled
)

// Model is a line being edited. The value is kept as typed (a jq filter
// may need its quotes); only what is drawn is made inert.
type Model struct {
	keys   *keymap.Input
	value  []rune
	cursor int
}

// New edits value, the cursor at its end.
func New(keys *keymap.Input, value string) Model {
	m := Model{keys: keys}
	m.SetValue(value)
	return m
}

// Value is the line as typed.
func (m Model) Value() string { return string(m.value) }

// SetValue replaces the line, the cursor at its end.
func (m *Model) SetValue(value string) {
	m.value = []rune(value)
	m.cursor = len(m.value)
}

// Update edits the line with a key or a paste.
func (m *Model) Update(msg tea.Msg) Result {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		// One line: a pasted line break would submit half a value.
		m.insert(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(msg.Content))
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return Editing
}

func (m *Model) key(msg tea.KeyPressMsg) Result {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		return Cancelled
	case key.Matches(msg, k.Submit):
		return Submitted
	case key.Matches(msg, k.Left):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Right):
		m.cursor = min(m.cursor+1, len(m.value))
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.value)
	case key.Matches(msg, k.Backspace):
		if m.cursor > 0 {
			m.value = append(m.value[:m.cursor-1], m.value[m.cursor:]...)
			m.cursor--
		}
	case key.Matches(msg, k.DeleteWord):
		m.deleteWord()
	case key.Matches(msg, k.Clear):
		m.value, m.cursor = m.value[:0], 0
	default:
		m.insert(msg.Text)
	}
	return Editing
}

func (m *Model) insert(text string) {
	if text == "" {
		return
	}
	r := []rune(text)
	m.value = append(m.value[:m.cursor], append(r, m.value[m.cursor:]...)...)
	m.cursor += len(r)
}

// deleteWord deletes back to the start of the word before the cursor,
// and the spaces after it, as shells do.
func (m *Model) deleteWord() {
	i := m.cursor
	for i > 0 && unicode.IsSpace(m.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(m.value[i-1]) {
		i--
	}
	m.value = append(m.value[:i], m.value[m.cursor:]...)
	m.cursor = i
}

// View draws the line in at most width cells, the cursor included: the
// value inert, and, when it does not fit, the part around the cursor,
// which is where typing happens (the end, most of the time).
func (m Model) View(width int) string {
	room := max(width-inert.Width(Cursor), 0)
	before := inert.Line(string(m.value[:m.cursor]))
	after := inert.Line(string(m.value[m.cursor:]))
	if inert.Width(before)+inert.Width(after) > room {
		// Give what follows the cursor at most half the room.
		keep := min(inert.Width(after), room/2)
		before = inert.TruncateLeft(before, room-keep)
		after = inert.Truncate(after, room-inert.Width(before))
	}
	return before + Cursor + after
}
