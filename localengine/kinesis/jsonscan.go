package kinesis

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/wire"
)

// jsonScanner reads a JSON document in place, for the PutRecords hot path
// where encoding/json's reflection and per-record allocations would
// dominate. It understands all of JSON, but only hands out strings; other
// values can only be skipped.
type jsonScanner struct {
	b []byte
	i int
}

var errSyntax = errors.New("malformed JSON")

const maxJSONDepth = 64

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end (and for a NUL,
// which no caller accepts).
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *jsonScanner) consume(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScanner) literal(lit string) bool {
	s.ws()
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// null consumes a null if one is next.
func (s *jsonScanner) null() bool { return s.literal("null") }

// str reads a string and returns its raw contents (escapes not undone)
// and whether it holds any escape.
func (s *jsonScanner) str() (raw []byte, escaped bool, err error) {
	if !s.consume('"') {
		return nil, false, errSyntax
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return nil, false, errSyntax
		}
		k := bytes.IndexByte(s.b[s.i:s.i+j], '\\')
		if k < 0 {
			s.i += j
			break
		}
		// Skip the escape and whatever it escapes, which may be a quote.
		escaped = true
		s.i += k + 2
		if s.i > len(s.b) {
			return nil, false, errSyntax
		}
	}
	raw = s.b[start:s.i]
	s.i++
	for _, c := range raw {
		if c < 0x20 {
			return nil, false, errSyntax
		}
	}
	return raw, escaped, nil
}

// unescape appends the decoded contents of a raw string to dst. Escapes
// of lone surrogates become U+FFFD, as in encoding/json.
func unescape(dst, raw []byte) ([]byte, error) {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return nil, errSyntax
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			dst = append(dst, raw[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := wire.Hex4(raw[i+2:])
			if !ok {
				return nil, errSyntax
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := wire.Hex4(raw[min(i+2, len(raw)):]); ok && i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return nil, errSyntax
		}
		i += 2
	}
	return dst, nil
}

// skip skips one value of any kind.
func (s *jsonScanner) skip(depth int) error {
	if depth > maxJSONDepth {
		return errSyntax
	}
	switch s.peek() {
	case '"':
		raw, escaped, err := s.str()
		if err == nil && escaped {
			_, err = unescape(nil, raw)
		}
		return err
	case '{':
		s.i++
		if s.consume('}') {
			return nil
		}
		for {
			if _, _, err := s.str(); err != nil {
				return err
			}
			if !s.consume(':') {
				return errSyntax
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.consume('}') {
				return nil
			}
			if !s.consume(',') {
				return errSyntax
			}
		}
	case '[':
		s.i++
		if s.consume(']') {
			return nil
		}
		for {
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.consume(']') {
				return nil
			}
			if !s.consume(',') {
				return errSyntax
			}
		}
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		return s.number()
	}
}

func (s *jsonScanner) lit(l string) error {
	if !s.literal(l) {
		return errSyntax
	}
	return nil
}

// number skips a number, checking its grammar.
func (s *jsonScanner) number() error {
	s.ws()
	i := s.i
	if i < len(s.b) && s.b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s.b) && s.b[i] == '0' {
		i++
	} else if digits() == 0 {
		return errSyntax
	}
	if i < len(s.b) && s.b[i] == '.' {
		i++
		if digits() == 0 {
			return errSyntax
		}
	}
	if i < len(s.b) && (s.b[i] == 'e' || s.b[i] == 'E') {
		i++
		if i < len(s.b) && (s.b[i] == '+' || s.b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return errSyntax
		}
	}
	s.i = i
	return nil
}

// object reads an object, calling field for each member with the scanner
// positioned at the member's value; field must consume the value.
func (s *jsonScanner) object(field func(key []byte) error) error {
	if !s.consume('{') {
		return errSyntax
	}
	if s.consume('}') {
		return nil
	}
	for {
		key, escaped, err := s.str()
		if err != nil {
			return err
		}
		if escaped {
			if key, err = unescape(nil, key); err != nil {
				return err
			}
		}
		if !s.consume(':') {
			return errSyntax
		}
		if err := field(key); err != nil {
			return err
		}
		if s.consume('}') {
			return nil
		}
		if !s.consume(',') {
			return errSyntax
		}
	}
}

// atEnd reports whether only white space is left.
func (s *jsonScanner) atEnd() bool {
	s.ws()
	return s.i >= len(s.b)
}

// end checks that only white space follows the document.
func (s *jsonScanner) end() error {
	if !s.atEnd() {
		return errSyntax
	}
	return nil
}
