package wire

import "github.com/sluicehq/sluice/internal/jsonstr"

// AppendJSONString appends s as a JSON string, for hand-encoded hot
// paths. Invalid UTF-8 becomes U+FFFD, as encoding/json does, so the
// output is always valid JSON.
func AppendJSONString[S string | []byte](dst []byte, s S) []byte {
	return jsonstr.Append(dst, s)
}

// Hex4 reads the four hex digits of a JSON \uXXXX escape at the start of
// b, for the hand-written decoders that must see the escape itself (an
// unpaired surrogate, which encoding/json would turn into U+FFFD).
func Hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
