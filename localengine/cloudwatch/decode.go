package cloudwatch

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// Requests of every protocol are decoded into one tree: map[string]any for
// structures, []any for lists, and scalars (string, bool, float64,
// json.Number, int64/uint64, time.Time). The binder (bind.go) reads the
// operations' inputs from it, so that validation is written once.

// maxDecodedBody bounds a gzip-compressed body once inflated.
const maxDecodedBody = 8 << 20

// inflate undoes a Content-Encoding of gzip, which the SDKs apply to
// PutMetricData.
func inflate(r *http.Request, body []byte) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if enc == "" || enc == "identity" {
		return body, nil
	}
	if enc != "gzip" {
		return nil, awserr.New(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Unsupported Content-Encoding %q", clip(enc, 64))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, awserr.Serialization("Could not decompress the request body")
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecodedBody+1))
	if err != nil {
		return nil, awserr.Serialization("Could not decompress the request body")
	}
	if len(out) > maxDecodedBody {
		return nil, awserr.RequestTooLarge(maxDecodedBody)
	}
	return out, nil
}

var cborDec = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DefaultMapType:   reflect.TypeOf(map[string]any(nil)),
		MaxNestedLevels:  32,
		MaxArrayElements: 1 << 17,
		MaxMapPairs:      1 << 17,
		TimeTagToAny:     cbor.TimeTagToTime,
		IntDec:           cbor.IntDecConvertSigned,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constant
	}
	return dm
}()

// decodeCBOR decodes an RPCv2 CBOR body. An empty body is an empty input.
func decodeCBOR(body []byte) (map[string]any, error) {
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	var v any
	if err := cborDec.Unmarshal(body, &v); err != nil {
		return nil, awserr.Serialization("Could not parse the CBOR request body")
	}
	return topLevel(v)
}

// decodeJSON decodes a JSON 1.0 body, keeping numbers exact.
func decodeJSON(body []byte) (map[string]any, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, awserr.Serialization("Could not parse the JSON request body")
	}
	if d.More() {
		return nil, awserr.Serialization("Could not parse the JSON request body: trailing data")
	}
	if depth(v, 0) > 32 {
		return nil, awserr.Serialization("Could not parse the JSON request body: nested too deeply")
	}
	return topLevel(v)
}

func depth(v any, d int) int {
	if d > 32 {
		return d
	}
	best := d
	switch t := v.(type) {
	case map[string]any:
		for _, x := range t {
			best = max(best, depth(x, d+1))
		}
	case []any:
		for _, x := range t {
			best = max(best, depth(x, d+1))
		}
	}
	return best
}

func topLevel(v any) (map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return t, nil
	}
	return nil, awserr.Serialization("The request body must be a structure")
}

// Query parameters flatten the tree: "A.member.2.B" is member B of the
// second element of list A. Lists are rebuilt in index order (sparse
// indexes are fine); "A=" alone is an empty list or an empty string,
// whichever the binder expects.
const (
	maxQueryIndex = 1 << 20
	maxQueryDepth = 16
)

var errQueryShape = errors.New("conflicting query parameters")

// decodeQuery turns query parameters (less Action and Version) into the
// tree.
func decodeQuery(params url.Values) (map[string]any, error) {
	root := map[string]any{}
	for name, vals := range params {
		if name == "Action" || name == "Version" || len(vals) == 0 {
			continue
		}
		parts := strings.Split(name, ".")
		if len(parts) > maxQueryDepth*2 {
			return nil, queryParamError(name)
		}
		if err := setQuery(root, parts, vals[0]); err != nil {
			return nil, queryParamError(name)
		}
	}
	return listify(root).(map[string]any), nil
}

func queryParamError(name string) error {
	return invalidValue("The parameter %s is not valid.", clip(name, 256))
}

// listNode collects a list's elements by index until listify orders them.
type listNode map[int]any

func setQuery(node map[string]any, parts []string, val string) error {
	key := parts[0]
	if key == "" {
		return errQueryShape
	}
	if len(parts) == 1 {
		if _, ok := node[key]; ok {
			return errQueryShape
		}
		node[key] = val
		return nil
	}
	if parts[1] == "member" {
		if len(parts) < 3 {
			return errQueryShape
		}
		i, err := strconv.Atoi(parts[2])
		if err != nil || i < 1 || i > maxQueryIndex {
			return errQueryShape
		}
		ln, ok := node[key].(listNode)
		if !ok {
			if _, exists := node[key]; exists {
				return errQueryShape
			}
			ln = listNode{}
			node[key] = ln
		}
		if len(parts) == 3 {
			if _, ok := ln[i]; ok {
				return errQueryShape
			}
			ln[i] = val
			return nil
		}
		child, ok := ln[i].(map[string]any)
		if !ok {
			if _, exists := ln[i]; exists {
				return errQueryShape
			}
			child = map[string]any{}
			ln[i] = child
		}
		return setQuery(child, parts[3:], val)
	}
	child, ok := node[key].(map[string]any)
	if !ok {
		if _, exists := node[key]; exists {
			return errQueryShape
		}
		child = map[string]any{}
		node[key] = child
	}
	return setQuery(child, parts[1:], val)
}

func listify(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = listify(x)
		}
		return t
	case listNode:
		idx := make([]int, 0, len(t))
		for i := range t {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, len(idx))
		for j, i := range idx {
			out[j] = listify(t[i])
		}
		return out
	}
	return v
}
