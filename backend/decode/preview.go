package decode

import "unicode/utf8"

// previewEllipsis ends a preview that left something out.
const previewEllipsis = '…'

// Preview renders the payload as one line of at most n runes, the ellipsis
// included: JSON compacted in its original order, the first non-blank line
// of text, or binary as hex bytes. It reads only the start of Body, so a
// 1 MiB payload costs no more than a small one. Like Pretty, it is not
// sanitised: a text line may hold tabs or escape sequences.
func (p Payload) Preview(n int) string {
	if n <= 0 {
		return ""
	}
	lim := runeLimit{max: n, scanBudget: scanBudget(n)}
	switch p.Kind {
	case JSON:
		lim.compactJSON(jsonText(p.Body))
	case Text:
		lim.firstLine(p.Body)
	default:
		return hexPreview(p.Body, n)
	}
	return lim.String()
}

// previewLook is how much of a large record PreviewOf decodes: a preview
// never shows more.
const previewLook = 64 << 10

// PreviewOf is Decode(data).Preview(n) for a record that may be large (up
// to 10 MiB on Kinesis): past previewLook bytes only the start is decoded,
// unless the record is gzip or a KPL aggregate, which need the whole.
func PreviewOf(data []byte, n int) string {
	if len(data) > previewLook && !IsGzip(data) && !IsAggregated(data) {
		p := Decode(data[:previewLook])
		if p.Kind == Binary {
			// Cut JSON is neither JSON nor, often, text: say it as text.
			p.Kind = Text
		}
		return p.Preview(n)
	}
	return Decode(data).Preview(n)
}

// scanBudget bounds the input bytes a preview of n runes reads, for input
// that produces little output (a megabyte of whitespace before the JSON).
func scanBudget(n int) int {
	return 16*n + 4096
}

// runeLimit collects at most max runes and remembers whether more followed.
type runeLimit struct {
	out        []byte
	runes, max int
	scanBudget int
	cut        bool
}

// add appends r and reports whether there is room for more.
func (l *runeLimit) add(r rune) bool {
	if l.runes == l.max {
		l.cut = true
		return false
	}
	l.out = utf8.AppendRune(l.out, r)
	l.runes++
	return true
}

// addRaw appends the bytes of one rune as they are: a valid rune, or a
// single byte that is not UTF-8, which counts as one rune like U+FFFD.
func (l *runeLimit) addRaw(r []byte) bool {
	if l.runes == l.max {
		l.cut = true
		return false
	}
	l.out = append(l.out, r...)
	l.runes++
	return true
}

// String is the collected runes followed by an ellipsis when something was
// left out; when the runes fill max, the ellipsis takes the last one's place.
func (l *runeLimit) String() string {
	if !l.cut {
		return string(l.out)
	}
	out := l.out
	if l.runes == l.max {
		_, size := utf8.DecodeLastRune(out)
		out = out[:len(out)-size]
	}
	return string(utf8.AppendRune(out, previewEllipsis))
}

// compactJSON copies b, a valid JSON text, without the whitespace between
// tokens. It works on the bytes rather than the decoded value so that key
// order and number spelling stay as the producer wrote them.
func (l *runeLimit) compactJSON(b []byte) {
	inString, escaped := false, false
	for i := 0; i < len(b); {
		if i >= l.scanBudget {
			l.cut = true
			return
		}
		c, size := b[i], 1
		if c >= utf8.RuneSelf {
			_, size = utf8.DecodeRune(b[i:])
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ', c == '\t', c == '\r', c == '\n':
			i++
			continue
		}
		if !l.addRaw(b[i : i+size]) {
			return
		}
		i += size
	}
}

// firstLine copies the first line of b that is not blank.
func (l *runeLimit) firstLine(b []byte) {
	start := 0
	for start < len(b) && (b[start] == ' ' || b[start] == '\t' || b[start] == '\r' || b[start] == '\n') {
		start++
		if start >= l.scanBudget {
			l.cut = true
			return
		}
	}
	for i := start; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == '\n' || (r == '\r' && i+1 < len(b) && b[i+1] == '\n') {
			// More lines follow unless only blank space is left.
			l.cut = !onlySpace(b[i:], l.scanBudget)
			return
		}
		if !l.add(r) {
			return
		}
		i += size
	}
}

// onlySpace reports whether b holds only whitespace, looking at no more
// than budget bytes (beyond that it answers false).
func onlySpace(b []byte, budget int) bool {
	for i, c := range b {
		if i >= budget {
			return false
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// hexPreview writes the first bytes of b as space-separated hex pairs in
// at most n runes, cutting between bytes, never inside one.
func hexPreview(b []byte, n int) string {
	shown := len(b)
	if 3*len(b)-1 > n {
		shown = (n - 1) / 3 // room for the pairs, their spaces and " …"
	}
	out := make([]byte, 0, 3*shown+4)
	for i, c := range b[:shown] {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, hexDigits[c>>4], hexDigits[c&0xf])
	}
	if shown < len(b) {
		if shown > 0 {
			out = append(out, ' ')
		}
		out = utf8.AppendRune(out, previewEllipsis)
	}
	return string(out)
}
