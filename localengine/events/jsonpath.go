package events

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// jsonPath is the subset of JSONPath EventBridge takes in InputPath,
// InputPathsMap, KinesisParameters.PartitionKeyPath and HttpParameters:
// "$" followed by ".name", "['name']" or "[index]" steps.
type jsonPath []pathStep

type pathStep struct {
	key   string
	index int
	isIdx bool
}

const maxPathLen = 256

func parseJSONPath(s string) (jsonPath, bool) {
	if len(s) > maxPathLen || !strings.HasPrefix(s, "$") {
		return nil, false
	}
	var p jsonPath
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, false
			}
			p = append(p, pathStep{key: rest[:end]})
			rest = rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if len(inner) >= 2 && (inner[0] == '\'' && inner[len(inner)-1] == '\'' || inner[0] == '"' && inner[len(inner)-1] == '"') {
				p = append(p, pathStep{key: inner[1 : len(inner)-1]})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return nil, false
			}
			p = append(p, pathStep{index: n, isIdx: true})
		default:
			return nil, false
		}
	}
	return p, true
}

// eval finds the path's value in a decoded JSON document.
func (p jsonPath) eval(doc any) (any, bool) {
	v := doc
	for _, st := range p {
		if st.isIdx {
			arr, ok := v.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			v = arr[st.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[st.key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// marshalJSON renders a decoded value as JSON without HTML escaping, so
// that "<" and "&" reach targets as they were sent.
func marshalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "null"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// textOf is a value as a plain string: a string's content, any other
// value's JSON.
func textOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return marshalJSON(v)
}

// appendJSONString appends s as a JSON string literal (with quotes).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONStringContent(b, s)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONStringContent appends s escaped for use inside a JSON string.
func appendJSONStringContent(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		default:
			b = append(b, string(r)...)
		}
	}
	return b
}
