package streams

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/lineedit"
	"github.com/sluicehq/sluice/views/theme"
)

// formKind is what a form asks for.
type formKind int

const (
	formCreate formKind = iota
	formRetention
	formPut
)

// field is one line of a form: free text, or one of a few choices.
type field struct {
	label string
	// value is a choice's, or a text field's first value; once the form
	// is open, a text field's value is edit's.
	value string
	edit  lineedit.Model
	// choices, when set, make the value one of them, cycled with
	// space or the arrows.
	choices []string
	// shown, when set, hides the field while it returns false.
	shown func(f *form) bool
	hint  string
}

// form is the small form a write starts with: the tab captures every key
// while it is open.
type form struct {
	kind   formKind
	title  string
	stream string // the stream it acts on, "" for a create
	fields []field
	focus  int
	err    string
	// editor is the command to edit a put record's data with; empty asks
	// for the data inline.
	editor []string
}

// formResult is what a key did to the form.
type formResult int

const (
	formOpen formResult = iota
	formCancelled
	formSubmitted
)

func (f *form) visible(i int) bool {
	return f.fields[i].shown == nil || f.fields[i].shown(f)
}

// startEditing puts each text field's value in a line edit.
func (f *form) startEditing(keys *keymap.Input) {
	for i := range f.fields {
		if fl := &f.fields[i]; fl.choices == nil {
			fl.edit = lineedit.New(keys, fl.value)
		}
	}
}

// text is the field's value as it stands.
func (fl *field) text() string {
	if fl.choices != nil {
		return fl.value
	}
	return fl.edit.Value()
}

// value is the trimmed value of the field labelled label.
func (f *form) value(label string) string {
	for _, fl := range f.fields {
		if fl.label == label {
			return strings.TrimSpace(fl.text())
		}
	}
	return ""
}

func (f *form) move(delta int) {
	for i := 0; i < len(f.fields); i++ {
		f.focus = (f.focus + delta + len(f.fields)) % len(f.fields)
		if f.visible(f.focus) {
			return
		}
	}
}

// lastVisible reports whether the focus is on the last field shown.
func (f *form) lastVisible() bool {
	for i := f.focus + 1; i < len(f.fields); i++ {
		if f.visible(i) {
			return false
		}
	}
	return true
}

// update edits the form with a key.
func (f *form) update(msg tea.Msg) formResult {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if fl := &f.fields[f.focus]; fl.choices == nil {
			fl.edit.Update(msg)
		}
		return formOpen
	case tea.KeyPressMsg:
		fl := &f.fields[f.focus]
		f.err = ""
		switch msg.String() {
		case "esc", "ctrl+c":
			return formCancelled
		case "enter":
			if f.lastVisible() {
				return formSubmitted
			}
			f.move(1)
		case "tab", "down":
			f.move(1)
		case "shift+tab", "up":
			f.move(-1)
		default:
			switch {
			case fl.choices == nil:
				fl.edit.Update(msg)
			case msg.String() == "space" || msg.String() == "left" || msg.String() == "right":
				fl.value = cycle(fl.choices, fl.value, msg.String() == "left")
			}
		}
	}
	return formOpen
}

func cycle(choices []string, v string, back bool) string {
	for i, c := range choices {
		if c == v {
			if back {
				return choices[(i+len(choices)-1)%len(choices)]
			}
			return choices[(i+1)%len(choices)]
		}
	}
	return choices[0]
}

// height is the lines the form takes: a rule with its title, one per
// field shown, and a line for the hint or the error.
func (f *form) height() int {
	n := 2
	for i := range f.fields {
		if f.visible(i) {
			n++
		}
	}
	return n
}

// view draws the form in exactly width × f.height() cells.
func (f *form) view(st *theme.Styles, width int) string {
	lines := make([]string, 0, f.height())
	title := "── " + inert.Line(f.title) + " "
	lines = append(lines, st.Accent.Render(inert.Fit(title+strings.Repeat("─", max(width-inert.Width(title), 0)), width)))
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, inert.Width(fl.label))
	}
	for i, fl := range f.fields {
		if !f.visible(i) {
			continue
		}
		label := inert.Pad(fl.label, labelW) + "  "
		val := inert.Line(fl.text())
		if fl.choices != nil {
			var parts []string
			for _, c := range fl.choices {
				if c == fl.value {
					parts = append(parts, "["+c+"]")
				} else {
					parts = append(parts, " "+c+" ")
				}
			}
			val = strings.Join(parts, " ")
		}
		room := max(width-inert.Width(label)-2, 1)
		if i == f.focus {
			shown := val
			if fl.choices == nil {
				shown = fl.edit.View(room)
			}
			lines = append(lines, st.Accent.Render(inert.Fit("> "+label+shown, width)))
			continue
		}
		lines = append(lines, st.Row.Render(inert.Fit("  "+label+inert.Truncate(val, room), width)))
	}
	hint := "enter: next/submit · tab: next field · esc: cancel"
	if fl := f.fields[f.focus]; fl.hint != "" {
		hint = fl.hint + " · " + hint
	}
	if f.err != "" {
		lines = append(lines, st.Err.Render(inert.Fit(inert.Line(f.err), width)))
	} else {
		lines = append(lines, st.Muted.Render(inert.Pad(common.CutAtWord(hint, width), width)))
	}
	return strings.Join(lines, "\n")
}
