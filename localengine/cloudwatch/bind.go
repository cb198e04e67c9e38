package cloudwatch

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// binder reads typed values out of a decoded request tree, keeping the
// first error. Paths are named as CloudWatch names them in its messages,
// in the query protocol's form ("MetricData.member.1.Value").
type binder struct {
	// query accepts the query protocol's strings for numbers, booleans
	// and timestamps.
	query bool
	err   error
}

// node is a structure of the tree and its path.
type node struct {
	m    map[string]any
	path string
}

func (b *binder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func memberPath(path string, i int) string {
	return path + ".member." + strconv.Itoa(i+1)
}

func (b *binder) typeError(path, want string, got any) {
	if b.query {
		b.fail(invalidValue("The value %s for parameter %s is not a valid %s.", quoteValue(got), path, want))
		return
	}
	b.fail(awserr.Serialization("Expected %s for %s", want, path))
}

func (b *binder) str(n node, name string) *string {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	return b.strValue(v, join(n.path, name))
}

func (b *binder) strValue(v any, path string) *string {
	s, ok := v.(string)
	if !ok {
		b.typeError(path, "string", v)
		return nil
	}
	return &s
}

func (b *binder) int(n node, name string) *int64 {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	path := join(n.path, name)
	var i int64
	switch t := v.(type) {
	case int64:
		i = t
	case uint64:
		if t > math.MaxInt64 {
			b.typeError(path, "integer", v)
			return nil
		}
		i = int64(t)
	case float64:
		if t != math.Trunc(t) || math.Abs(t) > 1<<53 {
			b.typeError(path, "integer", v)
			return nil
		}
		i = int64(t)
	case json.Number:
		var err error
		if i, err = t.Int64(); err != nil {
			b.typeError(path, "integer", v)
			return nil
		}
	case string:
		var err error
		if !b.query {
			b.typeError(path, "integer", v)
			return nil
		}
		if i, err = strconv.ParseInt(strings.TrimSpace(t), 10, 64); err != nil {
			b.typeError(path, "integer", v)
			return nil
		}
	default:
		b.typeError(path, "integer", v)
		return nil
	}
	return &i
}

func (b *binder) float(n node, name string) *float64 {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	return b.floatValue(v, join(n.path, name))
}

func (b *binder) floatValue(v any, path string) *float64 {
	var f float64
	switch t := v.(type) {
	case float64:
		f = t
	case float32:
		f = float64(t)
	case int64:
		f = float64(t)
	case uint64:
		f = float64(t)
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(t), 64); err != nil {
			b.typeError(path, "number", v)
			return nil
		}
	case string:
		var err error
		if !b.query {
			b.typeError(path, "number", v)
			return nil
		}
		if f, err = strconv.ParseFloat(strings.TrimSpace(t), 64); err != nil {
			b.typeError(path, "number", v)
			return nil
		}
	default:
		b.typeError(path, "number", v)
		return nil
	}
	return &f
}

func (b *binder) boolean(n node, name string) *bool {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	path := join(n.path, name)
	switch t := v.(type) {
	case bool:
		return &t
	case string:
		if b.query {
			switch strings.ToLower(strings.TrimSpace(t)) {
			case "true":
				x := true
				return &x
			case "false":
				x := false
				return &x
			}
		}
	}
	b.typeError(path, "boolean", v)
	return nil
}

// maxEpoch bounds numeric timestamps to years a time.Time and the
// protocols represent without overflow.
const maxEpoch = 253402300799 // 9999-12-31T23:59:59Z

func (b *binder) time(n node, name string) *time.Time {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	path := join(n.path, name)
	switch t := v.(type) {
	case time.Time:
		if t.Unix() < -maxEpoch || t.Unix() > maxEpoch {
			b.typeError(path, "timestamp", v)
			return nil
		}
		return &t
	case string:
		if !b.query && !looksLikeDate(t) {
			b.typeError(path, "timestamp", v)
			return nil
		}
		if tm, ok := parseTimestamp(t); ok {
			return &tm
		}
		b.typeError(path, "timestamp", v)
		return nil
	}
	f := b.floatValue(v, path)
	if f == nil {
		return nil
	}
	if math.IsNaN(*f) || math.Abs(*f) > maxEpoch {
		b.typeError(path, "timestamp", v)
		return nil
	}
	sec, frac := math.Modf(*f)
	tm := time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond))
	return &tm
}

func looksLikeDate(s string) bool { return strings.Contains(s, "-") }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02",
}

// parseTimestamp reads ISO 8601 (UTC unless a zone is given) or epoch
// seconds.
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > maxEpoch {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)), true
}

func (b *binder) obj(n node, name string) *node {
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil
	}
	return b.objValue(v, join(n.path, name))
}

func (b *binder) objValue(v any, path string) *node {
	m, ok := v.(map[string]any)
	if !ok {
		if s, isStr := v.(string); b.query && isStr && s == "" {
			return &node{m: map[string]any{}, path: path}
		}
		b.typeError(path, "structure", v)
		return nil
	}
	return &node{m: m, path: path}
}

// list returns a list member and its path; set reports whether it was
// present at all (an empty list is present).
func (b *binder) list(n node, name string) (items []any, path string, set bool) {
	path = join(n.path, name)
	v, ok := n.m[name]
	if !ok || v == nil {
		return nil, path, false
	}
	switch t := v.(type) {
	case []any:
		return t, path, true
	case string:
		if b.query && t == "" {
			return []any{}, path, true
		}
	}
	b.typeError(path, "list", v)
	return nil, path, false
}

// strings reads a list of strings.
func (b *binder) strings(n node, name string) ([]string, string, bool) {
	items, path, set := b.list(n, name)
	out := make([]string, 0, len(items))
	for i, it := range items {
		s := b.strValue(it, memberPath(path, i))
		if s == nil {
			return nil, path, set
		}
		out = append(out, *s)
	}
	return out, path, set
}

// floats reads a list of numbers.
func (b *binder) floats(n node, name string) ([]float64, string, bool) {
	items, path, set := b.list(n, name)
	out := make([]float64, 0, len(items))
	for i, it := range items {
		f := b.floatValue(it, memberPath(path, i))
		if f == nil {
			return nil, path, set
		}
		out = append(out, *f)
	}
	return out, path, set
}
