package wire

import "github.com/sluicehq/sluice/internal/jsonstr"

// AppendJSONString appends s as a JSON string, for hand-encoded hot
// paths. Invalid UTF-8 becomes U+FFFD, as encoding/json does, so the
// output is always valid JSON.
func AppendJSONString[S string | []byte](dst []byte, s S) []byte {
	return jsonstr.Append(dst, s)
}
