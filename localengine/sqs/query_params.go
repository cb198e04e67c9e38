package sqs

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// queryParams reads the query protocol's flattened parameters
// (Attribute.1.Name, SendMessageBatchRequestEntry.2.Id, ...).
type queryParams struct {
	v    url.Values
	path string
}

// maxQueryIndex bounds list indexes; larger ones are ignored.
const maxQueryIndex = 1000

func (p queryParams) has(name string) bool { return len(p.v[name]) > 0 }

func (p queryParams) get(name string) string {
	if vs := p.v[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (p queryParams) str(name string) *string {
	if !p.has(name) {
		return nil
	}
	v := p.get(name)
	return &v
}

func (p queryParams) int(name string) (*int64, error) {
	if !p.has(name) {
		return nil, nil
	}
	raw := p.get(name)
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return nil, errInvalidValue(clip(raw, 64), name, "Must be an integer.")
	}
	return &n, nil
}

// queueURL is the QueueUrl parameter, or the request path when the client
// posted to the queue URL itself.
func (p queryParams) queueURL() string {
	if u := p.get("QueueUrl"); u != "" {
		return u
	}
	if p.path != "" && p.path != "/" {
		return p.path
	}
	return ""
}

// indexed groups the parameters under prefix.N. by N, in order, with the
// prefix stripped: Attribute.1.Name becomes {1: {Name: ...}}; a bare
// prefix.N becomes the key "".
func (p queryParams) indexed(prefix string) []queryParams {
	groups := map[int]url.Values{}
	for k, vs := range p.v {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, sub, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > maxQueryIndex {
			continue
		}
		g := groups[n]
		if g == nil {
			g = url.Values{}
			groups[n] = g
		}
		g[sub] = vs
	}
	keys := make([]int, 0, len(groups))
	for n := range groups {
		keys = append(keys, n)
	}
	sort.Ints(keys)
	out := make([]queryParams, len(keys))
	for i, n := range keys {
		out[i] = queryParams{v: groups[n]}
	}
	return out
}

// list reads prefix.1, prefix.2, ...
func (p queryParams) list(prefix string) []string {
	var out []string
	for _, g := range p.indexed(prefix) {
		if g.has("") {
			out = append(out, g.get(""))
		}
	}
	return out
}

// pairs reads prefix.N.<key>/prefix.N.<value> into a map.
func (p queryParams) pairs(prefix, key, value string) map[string]string {
	gs := p.indexed(prefix)
	if len(gs) == 0 {
		return nil
	}
	out := make(map[string]string, len(gs))
	for _, g := range gs {
		out[g.get(key)] = g.get(value)
	}
	return out
}

// messageAttrs reads prefix.N.Name and prefix.N.Value.{DataType,
// StringValue,BinaryValue}; binary values are base64.
func (p queryParams) messageAttrs(prefix string) (map[string]attrValue, error) {
	gs := p.indexed(prefix)
	if len(gs) == 0 {
		return nil, nil
	}
	out := make(map[string]attrValue, len(gs))
	for _, g := range gs {
		v := attrValue{DataType: g.get("Value.DataType"), StringValue: textOf(g.str("Value.StringValue"))}
		if g.has("Value.BinaryValue") {
			b, err := base64.StdEncoding.DecodeString(g.get("Value.BinaryValue"))
			if err != nil {
				return nil, errInvalidParameter("The binary value of message attribute '%s' is not valid base64.", clip(g.get("Name"), 256))
			}
			v.BinaryValue = b
		}
		out[g.get("Name")] = v
	}
	return out, nil
}
