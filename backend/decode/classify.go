package decode

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// utf8BOM is skipped before JSON detection: editors and some SDKs prefix
// it, and encoding/json refuses it.
const utf8BOM = "\xef\xbb\xbf"

// jsonText returns body without a byte order mark and leading whitespace
// when it could be a JSON object or array, or nil.
func jsonText(body []byte) []byte {
	b := bytes.TrimLeft(trimBOM(body), " \t\r\n")
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return nil
	}
	return b
}

func trimBOM(b []byte) []byte {
	if len(b) >= len(utf8BOM) && string(b[:len(utf8BOM)]) == utf8BOM {
		return b[len(utf8BOM):]
	}
	return b
}

// decodeJSON decodes b as exactly one JSON object or array, with numbers
// kept as json.Number so that 64-bit ids and big decimals survive.
func decodeJSON(b []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) != 0 {
		return nil, false // two values, or trailing garbage
	}
	return v, true
}

// isText reports whether b is valid UTF-8 that reads as text: no NUL and at
// most one control character in ten runes (ANSI-coloured log lines are
// still text; they are shown with their escapes made inert).
func isText(b []byte) bool {
	runes, controls := 0, 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf { // ASCII: the common case, decoded inline
			if c == 0 {
				return false
			}
			if isControl(rune(c)) {
				controls++
			}
			runes++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if isControl(r) {
			controls++
		}
		runes++
		i += size
	}
	return controls*10 <= runes
}

func isControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\f':
		return false
	}
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}
