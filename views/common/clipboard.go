package common

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/internal/jsonstr"
)

// Notes for the status line when a copy is not the exact bytes.
const (
	noteJSONEscaped = "control characters escaped as \\uXXXX, the same JSON"
	noteTextEscaped = "control characters escaped, shown as \\x1b or \\u009b"
	noteBase64      = "binary, as base64"
)

// Clipboard makes data fit for the clipboard of someone who will paste it
// into a terminal or a shell: pasted raw, an escape sequence in an event
// acts there as it would on the screen. JSON keeps its value, with the
// runes a terminal acts on written as \uXXXX; text has its control
// characters escaped as inert shows them; anything else is base64. note
// says what was done, empty when the copy is the exact bytes.
func Clipboard(data []byte) (text, note string) {
	switch {
	case json.Valid(data):
		out := jsonstr.EscapeUnsafe(nil, data)
		if string(out) != string(data) {
			return string(out), noteJSONEscaped
		}
		return string(data), ""
	case utf8.Valid(data):
		out, escaped := inert.Paste(string(data))
		if escaped {
			return out, noteTextEscaped
		}
		return out, ""
	}
	return base64.StdEncoding.EncodeToString(data), noteBase64
}

// Copy asks the root to copy data, made safe by Clipboard, and to say
// what it copied.
func Copy(data []byte, what string) tea.Cmd {
	text, note := Clipboard(data)
	return func() tea.Msg { return CopyMsg{Text: text, What: what, Note: note} }
}
