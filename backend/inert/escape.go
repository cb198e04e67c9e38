package inert

import (
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonstr"
)

// form says how one unit of input is displayed.
type form uint8

const (
	plain     form = iota // the rune itself
	shortForm             // \n, \t or \r
	hexByte               // \xNN: C0 controls, DEL, bytes that are not UTF-8
	codePoint             // \uXXXX: C1 controls, bidi and line-breaking format characters
	newline               // a kept line break (Block only)
	tab                   // a tab expanded to spaces (Block only)
)

// unit is one rune, or one invalid byte, of input and how it is shown.
type unit struct {
	r    rune // the rune, or the byte value for an invalid byte
	size int  // input bytes consumed
	form form
}

// mode selects the treatment of line breaks and tabs.
type mode uint8

const (
	lineMode  mode = iota // everything on one line: \n and \t become escapes
	blockMode             // keep \n, expand \t, drop the \r of \r\n
)

// nextUnit decodes the unit at s[i:]; i must be < len(s).
func nextUnit(s string, i int, m mode) unit {
	c := s[i]
	if c >= 0x20 && c < 0x7f {
		return unit{r: rune(c), size: 1, form: plain}
	}
	if c < utf8.RuneSelf {
		return asciiControl(s, i, m)
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return unit{r: rune(c), size: 1, form: hexByte}
	}
	if dangerousRune(r) {
		return unit{r: r, size: size, form: codePoint}
	}
	return unit{r: r, size: size, form: plain}
}

// asciiControl classifies a C0 control byte or DEL.
func asciiControl(s string, i int, m mode) unit {
	c := s[i]
	if m == blockMode {
		switch {
		case c == '\n':
			return unit{r: '\n', size: 1, form: newline}
		case c == '\t':
			return unit{r: '\t', size: 1, form: tab}
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// A Windows line end is a line end, not a carriage return that
			// could overwrite the start of the line.
			return unit{r: '\n', size: 2, form: newline}
		}
	}
	switch c {
	case '\n', '\t', '\r':
		return unit{r: rune(c), size: 1, form: shortForm}
	}
	return unit{r: rune(c), size: 1, form: hexByte}
}

// dangerousRune reports runes above ASCII that a terminal interprets or that
// reorder, break or hide part of the displayed line ("admin" and
// "ad\u200bmin" look the same): the very runes JSON output escapes.
func dangerousRune(r rune) bool { return jsonstr.Unsafe(r) }

// escapeWidth is the display width of u's visible form (tabs excluded:
// their width depends on the column).
func (u unit) escapeWidth() int {
	switch u.form {
	case shortForm:
		return 2
	case hexByte:
		return 4
	case codePoint:
		return 6
	case newline:
		return 0
	}
	return RuneWidth(u.r)
}

const hexDigits = "0123456789abcdef"

// appendUnit appends u's visible form; tabs are handled by the caller.
func appendUnit(dst []byte, u unit) []byte {
	switch u.form {
	case shortForm:
		switch u.r {
		case '\n':
			return append(dst, '\\', 'n')
		case '\t':
			return append(dst, '\\', 't')
		default:
			return append(dst, '\\', 'r')
		}
	case hexByte:
		return append(dst, '\\', 'x', hexDigits[u.r>>4], hexDigits[u.r&0xf])
	case codePoint:
		return append(dst, '\\', 'u',
			hexDigits[u.r>>12&0xf], hexDigits[u.r>>8&0xf], hexDigits[u.r>>4&0xf], hexDigits[u.r&0xf])
	case newline:
		return append(dst, '\n')
	}
	return utf8.AppendRune(dst, u.r)
}
