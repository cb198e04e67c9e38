package sqs

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/wire"
)

// msgText is a string of a message (its body or a string attribute value)
// as the JSON protocol carries it. encoding/json would turn an escaped
// unpaired UTF-16 surrogate ("\ud800", which the JavaScript SDK sends for
// such a string) or an invalid UTF-8 byte into U+FFFD, and the message
// would be stored altered; SQS refuses it instead. So msgText decodes a
// lone surrogate into its three-byte (WTF-8) form and keeps invalid bytes
// as they came, and invalidXMLChar then finds them.
type msgText string

func (t *msgText) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		var s string // lets encoding/json report null or a wrong type
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = msgText(s)
		return nil
	}
	valid := utf8.Valid(b)
	if valid && bytes.IndexByte(b, '\\') < 0 {
		// The common case: nothing to undo (encoding/json has checked the
		// string's syntax already).
		*t = msgText(b[1 : len(b)-1])
		return nil
	}
	if valid && !hasSurrogateEscape(b) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = msgText(s)
		return nil
	}
	s, err := unescapeKeepingSurrogates(b[1 : len(b)-1])
	if err != nil {
		return err
	}
	*t = msgText(s)
	return nil
}

// str is the text as a *string, nil for nil.
func (t *msgText) str() *string { return (*string)(t) }

func textOf(s *string) *msgText { return (*msgText)(s) }

// hasSurrogateEscape reports whether a raw JSON string holds a \uD800 to
// \uDFFF escape.
func hasSurrogateEscape(b []byte) bool {
	for i := 0; i+5 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && (b[i+2] == 'd' || b[i+2] == 'D') {
			switch b[i+3] {
			case '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'A', 'B', 'C', 'D', 'E', 'F':
				return true
			}
		}
		i++ // skip the escaped character, which may be a backslash
	}
	return false
}

var errBadString = errors.New("malformed JSON string")

// unescapeKeepingSurrogates decodes the contents of a JSON string (already
// checked by encoding/json's scanner) as encoding/json does, except that an
// unpaired surrogate becomes its WTF-8 bytes and raw bytes are kept.
func unescapeKeepingSurrogates(raw []byte) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return "", errBadString
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			out = append(out, raw[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := wire.Hex4(raw[i+2:])
			if !ok {
				return "", errBadString
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r >= 0xD800 && r < 0xDC00 && i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2, ok := wire.Hex4(raw[i+2:]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						out = utf8.AppendRune(out, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				out = appendWTF8(out, r)
				continue
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", errBadString
		}
		i += 2
	}
	return string(out), nil
}

// appendWTF8 appends a surrogate code point in the three-byte form UTF-8
// forbids, so that it stays recognisable.
func appendWTF8(dst []byte, r rune) []byte {
	return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
}

// surrogateAt decodes a WTF-8 surrogate at the start of s.
func surrogateAt(s string) (rune, bool) {
	if len(s) < 3 || s[0] != 0xED || s[1] < 0xA0 || s[1] > 0xBF || s[2] < 0x80 || s[2] > 0xBF {
		return 0, false
	}
	return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), true
}
