package inert

import (
	"strings"
	"unicode/utf8"
)

// TabWidth is the tab stop distance Block expands tabs to, as on a terminal.
const TabWidth = 8

// Line makes s safe to draw as one display line: every control character,
// line break, tab, bidi control and invalid byte becomes a visible escape.
// A string with nothing to escape is returned as it is, without copying.
func Line(s string) string {
	return sanitize(s, lineMode)
}

// Block makes multi-line text safe to draw: it keeps line breaks (a "\r\n"
// becomes "\n"), expands tabs to spaces at TabWidth stops, and escapes
// everything else as Line does.
func Block(s string) string {
	return sanitize(s, blockMode)
}

func sanitize(s string, m mode) string {
	start := firstUnsafe(s, m)
	if start == len(s) {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/8+16)
	out = append(out, s[:start]...)
	column := columnAfter(0, s[:start], m)
	for i := start; i < len(s); {
		u := nextUnit(s, i, m)
		i += u.size
		switch u.form {
		case tab:
			spaces := TabWidth - column%TabWidth
			for range spaces {
				out = append(out, ' ')
			}
			column += spaces
		case newline:
			out = append(out, '\n')
			column = 0
		default:
			out = appendUnit(out, u)
			column += u.escapeWidth()
		}
		// Copy the run of safe bytes that follows in one go.
		safe := i + firstUnsafe(s[i:], m)
		out = append(out, s[i:safe]...)
		column = columnAfter(column, s[i:safe], m)
		i = safe
	}
	return string(out)
}

// firstUnsafe returns the offset of the first byte that m would change, or
// len(s). Printable ASCII is checked byte by byte, the common case.
func firstUnsafe(s string, m mode) int {
	for i := 0; i < len(s); {
		c := s[i]
		if (c >= 0x20 && c < 0x7f) || (c == '\n' && m == blockMode) {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || dangerousRune(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// columnAfter is the display column after the safe run p that starts at
// column; only Block's tab stops need it, so Line skips the work.
func columnAfter(column int, p string, m mode) int {
	if m != blockMode {
		return 0
	}
	if nl := strings.LastIndexByte(p, '\n'); nl >= 0 {
		column, p = 0, p[nl+1:]
	}
	return column + Width(p)
}

// Paste makes s safe to put on the clipboard of someone who will paste it
// into a terminal: line breaks and tabs are kept, as the text has them,
// and everything else Line escapes is escaped the same way. escaped
// reports whether anything was, so that the caller can say the copy is
// not the exact bytes.
func Paste(s string) (out string, escaped bool) {
	var b []byte
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' {
			i++
			continue
		}
		u := nextUnit(s, i, lineMode)
		if u.form == plain {
			i += u.size
			continue
		}
		b = append(b, s[start:i]...)
		b = appendUnit(b, u)
		i += u.size
		start = i
	}
	if b == nil {
		return s, false
	}
	return string(append(b, s[start:]...)), true
}
