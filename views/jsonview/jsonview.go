// Package jsonview is the detail pane every tab shows a payload in: a
// header of fields (shard, sequence, key, arrival, size…), then the payload
// as pretty, coloured JSON, as text, or as a hex dump, with notes for gzip
// and KPL aggregates and the aggregate's user records listed one by one.
//
// Everything drawn comes from data and is made inert. Lines are cut to the
// width, never wrapped; only the visible window is rendered, and at most
// MaxPretty bytes of a payload are laid out, so a 1 MiB single-line payload
// costs no more to draw than a small one.
package jsonview

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// MaxPretty bounds how many bytes of a payload are laid out: the rest is
// shown as "… N more bytes".
const MaxPretty = 1 << 20

// maxIndent caps the indentation of deeply nested JSON, so that a small
// payload nested ten thousand deep does not become hundreds of megabytes of
// spaces.
const maxIndent = 32

// Field is one header line of the pane: "shard  shardId-000000000001".
type Field struct {
	Label, Value string
}

type lineKind uint8

const (
	// lineJSON is a raw pretty JSON line: tokenised, coloured and made inert
	// when drawn.
	lineJSON lineKind = iota
	// lineSafe is already inert; it is only cut.
	lineSafe
	// lineHeading is inert and drawn as a section title.
	lineHeading
	// lineNote is inert and drawn muted.
	lineNote
)

type line struct {
	s    string
	kind lineKind
}

// Model is the detail pane. The zero value is not usable: make it with New.
type Model struct {
	styles *theme.Styles
	keys   *keymap.List

	width, height int

	title  string
	meta   []Field
	notes  []string // inert
	info   string   // kind and size, inert
	body   []line
	raw    string // the pretty text, unsanitised, for copying
	offset int
	set    bool
}

// New makes an empty pane.
func New(styles *theme.Styles, keys *keymap.List) Model {
	return Model{styles: styles, keys: keys}
}

// SetSize sets the pane's size; View draws exactly width × height.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.clamp()
}

// Width and Height are the pane's size.
func (m Model) Width() int  { return m.width }
func (m Model) Height() int { return m.height }

// Empty reports whether no content was set.
func (m Model) Empty() bool { return !m.set }

// Clear drops the content.
func (m *Model) Clear() {
	*m = Model{styles: m.styles, keys: m.keys, width: m.width, height: m.height}
}

// SetContent shows a payload under a title and header fields, scrolled to
// the top. Title and fields come from data and are made inert when drawn.
func (m *Model) SetContent(title string, p decode.Payload, meta []Field) {
	m.title = title
	m.meta = append([]Field(nil), meta...)
	m.notes = nil
	m.body = nil
	m.offset = 0
	m.set = true

	var raw strings.Builder
	if p.Gzip {
		m.notes = append(m.notes, fmt.Sprintf("gzip: %s compressed, %s inflated", Size(len(p.Raw)), Size(len(p.Body))))
	}
	if decode.IsAggregated(p.Body) {
		recs, err := decode.Deaggregate(p.Body)
		if err == nil {
			m.info = "KPL · " + Size(len(p.Raw))
			m.notes = append(m.notes, fmt.Sprintf("KPL aggregate: %d user records", len(recs)))
			m.layoutKPL(recs, &raw)
			m.raw = raw.String()
			return
		}
		m.notes = append(m.notes, "KPL aggregate that does not unpack: "+inert.Line(err.Error())+"; shown as bytes")
	} else if p.Note != "" {
		m.notes = append(m.notes, inert.Line(p.Note))
	}
	m.info = strings.ToLower(p.Kind.String()) + " · " + Size(len(p.Raw))
	m.body, m.raw = layoutBounded(p, MaxPretty)
}

// layoutKPL lists the user records with their keys and previews, then
// shows each one in full.
func (m *Model) layoutKPL(recs []decode.UserRecord, raw *strings.Builder) {
	for i, r := range recs {
		p := decode.Decode(r.Data)
		s := fmt.Sprintf("#%d  key %s  %s  %s", i, inert.LineCut(r.PartitionKey, 40), Size(len(r.Data)), inert.LineCut(p.Preview(200), 200))
		m.body = append(m.body, line{s: s, kind: lineSafe})
	}
	budget := MaxPretty
	for i, r := range recs {
		head := fmt.Sprintf("── #%d · key %s", i, inert.LineCut(r.PartitionKey, 60))
		if r.ExplicitHashKey != "" {
			head += " · hash key " + inert.LineCut(r.ExplicitHashKey, 40)
		}
		m.body = append(m.body, line{s: "", kind: lineSafe}, line{s: head, kind: lineHeading})
		if budget <= 0 {
			m.body = append(m.body, line{s: fmt.Sprintf("… %d more bytes", len(r.Data)), kind: lineNote})
			continue
		}
		p := decode.Decode(r.Data)
		if p.Note != "" {
			m.body = append(m.body, line{s: inert.Line(p.Note), kind: lineNote})
		}
		fmt.Fprintf(raw, "// #%d key %s\n", i, r.PartitionKey)
		lines, text := layoutBounded(p, budget)
		m.body = append(m.body, lines...)
		raw.WriteString(text)
		raw.WriteByte('\n')
		budget -= len(p.Body)
	}
}

// layoutBounded lays out at most limit bytes of the payload's body, and
// returns the lines (which share the text's memory) and the text.
func layoutBounded(p decode.Payload, limit int) ([]line, string) {
	body := p.Body
	more := 0
	if len(body) > limit {
		more = len(body) - limit
		body = body[:limit]
	}
	var out []line
	var text string
	switch p.Kind {
	case decode.JSON:
		text = Indent(body)
		out = appendLines(out, text, lineJSON)
	case decode.Text:
		text = string(body)
		if more > 0 {
			text = strings.ToValidUTF8(text, "") // a rune cut in two at the limit
		}
		out = appendLines(out, inert.Block(text), lineSafe)
	default:
		more = max(len(p.Body)-decode.PrettyHexLimit, 0)
		text = strings.TrimRight(decode.HexDump(p.Body[:min(len(p.Body), decode.PrettyHexLimit)], 0), "\n")
		out = appendLines(out, inert.Block(text), lineSafe)
	}
	if more > 0 {
		out = append(out, line{s: fmt.Sprintf("… %d more bytes", more), kind: lineNote})
	}
	return out, text
}

// appendLines appends the lines of s, which share its memory.
func appendLines(out []line, s string, kind lineKind) []line {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return out
	}
	out = slices.Grow(out, strings.Count(s, "\n")+1)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, line{s: s, kind: kind})
		}
		out = append(out, line{s: s[:i], kind: kind})
		s = s[i+1:]
	}
}

// Indent pretty-prints JSON text with two spaces, keeping key order,
// numbers and string escapes exactly as written (nothing is re-marshalled).
// It does not validate: a cut document is indented as far as it goes.
// Indentation stops growing past a fixed depth.
func Indent(src []byte) string {
	var b strings.Builder
	b.Grow(len(src) + len(src)/2)
	depth := 0
	newline := func() {
		b.WriteByte('\n')
		for range min(depth, maxIndent) {
			b.WriteString("  ")
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			j := i + 1
			for j < len(src) {
				if src[j] == '\\' {
					j += 2
					continue
				}
				if src[j] == '"' {
					break
				}
				j++
			}
			j = min(j, len(src)-1)
			b.Write(src[i : j+1])
			i = j
		case '{', '[':
			b.WriteByte(c)
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				b.WriteByte(src[j])
				i = j
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth = max(depth-1, 0)
			newline()
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			newline()
		case ':':
			b.WriteString(": ")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Text is the pretty text shown, unsanitised, for copying: the indented
// JSON, the text, or the hex dump (each bounded as shown).
func (m Model) Text() string { return m.raw }

// Lines counts the body's lines.
func (m Model) Lines() int { return len(m.body) }

// Offset is the first body line shown.
func (m Model) Offset() int { return m.offset }

// ShortHelp lists the scroll keys.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Top, m.keys.Bottom}
}

// Update scrolls with the List keys (up, down, page up and down, top,
// bottom) and the mouse wheel. Other keys are left to the caller.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		page := max(m.bodyHeight()-1, 1)
		switch {
		case key.Matches(msg, m.keys.Up):
			m.offset--
		case key.Matches(msg, m.keys.Down):
			m.offset++
		case key.Matches(msg, m.keys.PageUp):
			m.offset -= page
		case key.Matches(msg, m.keys.PageDown):
			m.offset += page
		case key.Matches(msg, m.keys.Top):
			m.offset = 0
		case key.Matches(msg, m.keys.Bottom):
			m.offset = len(m.body)
		}
		m.clamp()
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.offset -= 3
		case tea.MouseWheelDown:
			m.offset += 3
		}
		m.clamp()
	}
	return m, nil
}

// headerLines renders the title, the fields and the notes, each cut to
// the width (fields are packed several to a line).
func (m Model) headerLines() []string {
	w := m.width
	var out []string
	// Title, with the kind, size and position on the right.
	right := m.info
	if len(m.body) > 0 {
		end := min(m.offset+m.bodyHeight(), len(m.body))
		right += fmt.Sprintf(" · %d–%d/%d", m.offset+1, end, len(m.body))
	}
	right = inert.Truncate(right, max(w/2, 0))
	rw := inert.Width(right)
	title := inert.LineCut(m.title, max(w-rw-1, 0))
	gap := max(w-inert.Width(title)-rw, 0)
	if rw+inert.Width(title) > w {
		right, rw, gap = "", 0, max(w-inert.Width(title), 0)
	}
	out = append(out, m.styles.PaneTitle.Render(title)+strings.Repeat(" ", gap)+m.styles.Muted.Render(right))

	// Fields, packed.
	var cur strings.Builder
	used := 0
	flush := func() {
		if used > 0 {
			out = append(out, cur.String()+strings.Repeat(" ", max(w-used, 0)))
			cur.Reset()
			used = 0
		}
	}
	for _, f := range m.meta {
		label := inert.LineCut(f.Label, 20)
		lw := inert.Width(label)
		sep := 0
		if used > 0 {
			sep = 3
		}
		valueRoom := min(w-lw-1, 72)
		if valueRoom < 1 {
			continue
		}
		value := inert.LineCut(f.Value, valueRoom)
		fw := lw + 1 + inert.Width(value)
		if used > 0 && used+sep+fw > w {
			flush()
			sep = 0
		}
		if sep > 0 {
			cur.WriteString("   ")
		}
		cur.WriteString(m.styles.Muted.Render(label) + " " + m.styles.App.Render(value))
		used += sep + fw
	}
	flush()
	for _, n := range m.notes {
		t := inert.Truncate(n, w)
		out = append(out, m.styles.Warn.Render(t)+strings.Repeat(" ", max(w-inert.Width(t), 0)))
	}
	out = append(out, m.styles.Subtle.Render(strings.Repeat("─", w)))
	return out
}

// bodyHeight is how many body lines fit under the header.
func (m Model) bodyHeight() int {
	h := m.height - 2 - len(m.notes) // title and rule
	// fields: estimate one line per three; exact count is in headerLines,
	// but the estimate only affects paging.
	if len(m.meta) > 0 {
		h -= m.fieldLines()
	}
	return max(h, 1)
}

func (m Model) fieldLines() int {
	w := m.width
	lines, used := 0, 0
	for _, f := range m.meta {
		lw := inert.Width(inert.LineCut(f.Label, 20))
		valueRoom := min(w-lw-1, 72)
		if valueRoom < 1 {
			continue
		}
		fw := lw + 1 + inert.Width(inert.LineCut(f.Value, valueRoom))
		switch {
		case used == 0:
			lines++
			used = fw
		case used+3+fw > w:
			lines++
			used = fw
		default:
			used += 3 + fw
		}
	}
	return lines
}

func (m *Model) clamp() {
	m.offset = min(m.offset, max(len(m.body)-m.bodyHeight(), 0))
	m.offset = max(m.offset, 0)
}

// View draws the pane, exactly width × height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	blank := strings.Repeat(" ", m.width)
	var out []string
	if !m.set {
		empty := inert.Truncate("  nothing selected", m.width)
		out = append(out, m.styles.Muted.Render(empty)+strings.Repeat(" ", max(m.width-inert.Width(empty), 0)))
	} else {
		out = m.headerLines()
		if len(out) > m.height {
			out = out[:m.height]
		}
		end := min(m.offset+m.height-len(out), len(m.body))
		for i := m.offset; i < end; i++ {
			out = append(out, m.renderLine(m.body[i]))
		}
	}
	for len(out) < m.height {
		out = append(out, blank)
	}
	return strings.Join(out[:m.height], "\n")
}

// renderLine draws one body line cut and padded to the width.
func (m Model) renderLine(l line) string {
	w := m.width
	var s string
	var used int
	switch l.kind {
	case lineJSON:
		s, used = m.renderJSON(l.s, w)
	case lineHeading:
		t := inert.Truncate(l.s, w)
		s, used = m.styles.Accent.Render(t), inert.Width(t)
	case lineNote:
		t := inert.Truncate(l.s, w)
		s, used = m.styles.Muted.Render(t), inert.Width(t)
	default:
		t := inert.Truncate(l.s, w)
		s, used = m.styles.App.Render(t), inert.Width(t)
	}
	if used < w {
		s += strings.Repeat(" ", w-used)
	}
	return s
}

// renderJSON tokenises one raw line of indented JSON and colours it,
// stopping as soon as the width is used up: a 1 MiB string costs only
// what fits. Every token goes through inert.
func (m Model) renderJSON(s string, width int) (string, int) {
	var b strings.Builder
	used := 0
	st := m.styles
	// emit draws one token (at most a few times the width long, so
	// sanitising it whole is cheap) and reports whether there is room for
	// more.
	emit := func(style lipgloss.Style, tok string) bool {
		t := inert.Line(tok)
		tw := inert.Width(t)
		fits := tw <= width-used
		if !fits {
			t = inert.Truncate(t, width-used)
			tw = inert.Width(t)
		}
		if tw > 0 {
			b.WriteString(style.Render(t))
		}
		used += tw
		return fits && used < width
	}
	for i := 0; i < len(s) && used < width; {
		c := s[i]
		switch {
		case c == ' ':
			j := i
			for j < len(s) && s[j] == ' ' && used+(j-i) < width {
				j++
			}
			b.WriteString(s[i:j])
			used += j - i
			i = j
		case c == '"':
			// Scan to the closing quote, but no further than what the
			// remaining cells could show.
			limit := min(len(s), i+8*(width-used)+64)
			j := i + 1
			closed := false
			for j < limit {
				if s[j] == '\\' {
					j += 2
					continue
				}
				if s[j] == '"' {
					closed = true
					j++
					break
				}
				j++
			}
			j = min(j, len(s))
			style := st.JSONString
			if closed {
				k := j
				for k < len(s) && s[k] == ' ' {
					k++
				}
				if k < len(s) && s[k] == ':' {
					style = st.JSONKey
				}
			}
			if !emit(style, s[i:j]) || !closed {
				return b.String(), used
			}
			i = j
		case c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':':
			if !emit(st.JSONPunct, s[i:i+1]) {
				return b.String(), used
			}
			i++
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && j-i < 4*width && strings.IndexByte("0123456789.eE+-", s[j]) >= 0 {
				j++
			}
			if !emit(st.JSONNumber, s[i:j]) {
				return b.String(), used
			}
			i = j
		default:
			j := i + 1
			for j < len(s) && j-i < 4*width && strings.IndexByte(` "{}[],:`, s[j]) < 0 {
				j++
			}
			style := st.App
			switch s[i:j] {
			case "true", "false", "null":
				style = st.JSONLiteral
			}
			if !emit(style, s[i:j]) {
				return b.String(), used
			}
			i = j
		}
	}
	return b.String(), used
}

// Size formats a byte count: 512 B, 1.5 KiB, 2.0 MiB.
func Size(n int) string {
	switch {
	case n < 1024:
		return strconv.Itoa(n) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
}
