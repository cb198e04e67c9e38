package tail

import (
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonstr"
)

// appendCompactJSON appends src, a JSON text, without the whitespace
// between its tokens, and reports whether src was valid JSON (RFC 8259);
// when it was not, dst comes back as it was. It does what json.Compact does,
// about three times as fast, because it is the hot path of a JSON Lines
// export. Strings are copied as they are (UTF-8 is checked by the caller).
func appendCompactJSON(dst, src []byte) ([]byte, bool) {
	orig := len(dst)
	var stack []byte // '{' or '[' for each open container
	var small [32]byte
	stack = small[:0]
	i := skipSpace(src, 0)
	for {
		// A value starts at i.
		if i >= len(src) {
			return dst[:orig], false
		}
		var ok bool
		switch c := src[i]; {
		case c == '{' || c == '[':
			stack = append(stack, c)
			dst = append(dst, c)
			i = skipSpace(src, i+1)
			end := byte('}')
			if c == '[' {
				end = ']'
			}
			if i < len(src) && src[i] == end {
				stack = stack[:len(stack)-1]
				dst = append(dst, end)
				i++
				break
			}
			if c == '{' {
				// A member: a string key and a colon, then its value.
				if dst, i, ok = appendKey(dst, src, i); !ok {
					return dst[:orig], false
				}
			}
			continue
		case c == '"':
			if dst, i, ok = appendString(dst, src, i); !ok {
				return dst[:orig], false
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if dst, i, ok = appendNumber(dst, src, i); !ok {
				return dst[:orig], false
			}
		case c == 't':
			if dst, i, ok = appendLiteral(dst, src, i, "true"); !ok {
				return dst[:orig], false
			}
		case c == 'f':
			if dst, i, ok = appendLiteral(dst, src, i, "false"); !ok {
				return dst[:orig], false
			}
		case c == 'n':
			if dst, i, ok = appendLiteral(dst, src, i, "null"); !ok {
				return dst[:orig], false
			}
		default:
			return dst[:orig], false
		}
		// A value ended: close containers, or go on to the next element.
		for {
			i = skipSpace(src, i)
			if len(stack) == 0 {
				if i != len(src) {
					return dst[:orig], false
				}
				return dst, true
			}
			if i >= len(src) {
				return dst[:orig], false
			}
			open := stack[len(stack)-1]
			switch c := src[i]; {
			case c == ',':
				dst = append(dst, ',')
				i = skipSpace(src, i+1)
				if open == '{' {
					if dst, i, ok = appendKey(dst, src, i); !ok {
						return dst[:orig], false
					}
				}
			case (c == '}' && open == '{') || (c == ']' && open == '['):
				dst = append(dst, c)
				stack = stack[:len(stack)-1]
				i++
				continue
			default:
				return dst[:orig], false
			}
			break
		}
	}
}

func skipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// appendKey copies an object member's key and colon; the value follows.
func appendKey(dst, src []byte, i int) ([]byte, int, bool) {
	if i >= len(src) || src[i] != '"' {
		return dst, i, false
	}
	dst, i, ok := appendString(dst, src, i)
	if !ok {
		return dst, i, false
	}
	i = skipSpace(src, i)
	if i >= len(src) || src[i] != ':' {
		return dst, i, false
	}
	return append(dst, ':'), skipSpace(src, i+1), true
}

// appendString copies the string starting at src[i] == '"', with the
// runes jsonstr.Unsafe reports written as \uXXXX: a payload's C1 controls
// and bidi overrides must not reach the terminal of `sluice tail -o jsonl`.
func appendString(dst, src []byte, i int) ([]byte, int, bool) {
	from := i // src[from:i] is copied as it is
	i++
	for i < len(src) {
		c := src[i]
		switch {
		case plainInString[c]:
			i++
		case c == '"':
			i++
			return append(dst, src[from:i]...), i, true
		case c == '\\':
			if i+1 >= len(src) {
				return dst, i, false
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex(src[i+2]) || !isHex(src[i+3]) || !isHex(src[i+4]) || !isHex(src[i+5]) {
					return dst, i, false
				}
				i += 6
			default:
				return dst, i, false
			}
		case c >= utf8.RuneSelf:
			// The lead byte of what may be an Unsafe rune.
			r, size := utf8.DecodeRune(src[i:])
			if jsonstr.Unsafe(r) {
				dst = append(dst, src[from:i]...)
				dst = jsonstr.AppendEscape(dst, r)
				from = i + size
			}
			i += size
		default:
			return dst, i, false // a control character
		}
	}
	return dst, i, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// appendNumber copies -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func appendNumber(dst, src []byte, i int) ([]byte, int, bool) {
	start := i
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && src[i] >= '1' && src[i] <= '9':
		i = digits(src, i)
	default:
		return dst, i, false
	}
	if i < len(src) && src[i] == '.' {
		j := digits(src, i+1)
		if j == i+1 {
			return dst, i, false
		}
		i = j
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		j := digits(src, i)
		if j == i {
			return dst, i, false
		}
		i = j
	}
	return append(dst, src[start:i]...), i, true
}

func digits(src []byte, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}

func appendLiteral(dst, src []byte, i int, lit string) ([]byte, int, bool) {
	if len(src)-i < len(lit) || string(src[i:i+len(lit)]) != lit {
		return dst, i, false
	}
	return append(dst, lit...), i + len(lit), true
}
