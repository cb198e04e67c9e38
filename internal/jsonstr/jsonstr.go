// Package jsonstr appends JSON strings for hand-encoded hot paths: the
// engine's answers and the tail's JSON lines share it, and makes any JSON
// text safe to print on a terminal.
//
// JSON output of the CLI goes to terminals as often as to pipes. RFC 8259
// lets a string hold any character but C0 controls raw, and Go's encoder
// leaves C1 controls (U+0080–U+009F, where U+009B is an 8-bit CSI),
// bidi overrides and zero-width characters as they are: a record's data
// could then drive the terminal, or make one text read as another. Every
// such rune is written as \uXXXX instead, which decodes to the same string.
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes that go into a JSON string as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Unsafe reports the runes above ASCII that are escaped in JSON output:
// C1 controls, bidi controls, zero-width characters and the line and
// paragraph separators (which also end a line in JavaScript).
func Unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls, including the 8-bit CSI U+009B
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c: // LRM, RLM, ALM
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff: // ZWSP, ZWNJ, ZWJ, WJ, BOM
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// MayStartUnsafe reports whether c can be the first byte of the UTF-8
// form of an Unsafe rune: hot paths that copy UTF-8 byte by byte check
// only these.
func MayStartUnsafe(c byte) bool {
	return c == 0xc2 || c == 0xd8 || c == 0xe2 || c == 0xef
}

// AppendEscape appends r as \uXXXX; r is below U+10000, as every Unsafe
// rune is.
func AppendEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// EscapeUnsafe appends src, a JSON text, with every Unsafe rune written as
// \uXXXX and every invalid UTF-8 byte as U+FFFD. Outside its strings a
// JSON text is ASCII, so the runes it rewrites are all inside strings and
// the result decodes to the same value. It is the last step of every JSON
// the CLI prints, whoever encoded it.
func EscapeUnsafe(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, src[start:i]...)
			dst = append(dst, "\ufffd"...)
		case Unsafe(r):
			dst = append(dst, src[start:i]...)
			dst = AppendEscape(dst, r)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, src[start:]...)
}

// Append appends s, valid UTF-8 or not, as a JSON string: invalid bytes
// become U+FFFD as with encoding/json, so the output is always valid
// JSON, and Unsafe runes become \uXXXX. HTML characters are kept: the
// output is data, not a web page.
func Append[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		if Unsafe(r) {
			dst = append(dst, s[start:i]...)
			dst = AppendEscape(dst, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
