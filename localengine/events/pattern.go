package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// An event pattern, compiled. EventBridge's matching (aws/event-ruler) is
// reproduced by walking the pattern against the event's JSON tree: every
// field of a pattern object must match; a nested object matches when one
// element of an array of objects matches all of it (array consistency);
// a leaf list matches when any of its matchers matches any leaf value of
// the field (array elements count one by one); "$or" needs one of its
// alternatives to match at the same level.
type pattern struct {
	fields []patternField
	or     []*pattern // alternatives of a "$or", nil when none
}

type patternField struct {
	key  string
	sub  *pattern // a nested object
	leaf *leaf    // a list of matchers
}

type leaf struct {
	ms          []matcher
	existsTrue  bool
	existsFalse bool
}

type matchKind uint8

const (
	mString matchKind = iota
	mNumber
	mTrue
	mFalse
	mNull
	mPrefix
	mPrefixFold
	mSuffix
	mSuffixFold
	mEqualsFold
	mWildcard
	mCIDR
	mNumeric
	mAnythingBut // strs or nums
	mAnythingButFold
	mAnythingButPrefix
	mAnythingButSuffix
	mAnythingButWildcard
)

type matcher struct {
	kind  matchKind
	str   string
	strs  []string
	num   number
	nums  []number
	wild  []wildcard
	cidr  netip.Prefix
	rng   numRange
	isNum bool // anything-but over numbers
}

// number is a JSON number as the pattern or event spelled it, and its
// value in millionths where it lies in EventBridge's comparable range
// (±5e9 with six decimal places).
type number struct {
	text    string
	scaled  int64
	inRange bool
}

const fiveBillion = 5e9

func parseNumber(text string) number {
	n := number{text: text}
	f, err := strconv.ParseFloat(text, 64)
	if err == nil && f >= -fiveBillion && f <= fiveBillion {
		n.scaled, n.inRange = int64(math.Round(f*1e6)), true
	}
	return n
}

func (n number) equal(o number) bool {
	if n.inRange && o.inRange {
		return n.scaled == o.scaled
	}
	return n.text == o.text
}

type numRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	openLo, openHi bool
	equals         bool
	equalsTo       int64
}

func (r *numRange) contains(v int64) bool {
	if r.equals {
		return v == r.equalsTo
	}
	if r.hasLo && (v < r.lo || r.openLo && v == r.lo) {
		return false
	}
	if r.hasHi && (v > r.hi || r.openHi && v == r.hi) {
		return false
	}
	return true
}

// orKeyword introduces alternatives; the operator names may not be used
// as field names inside them.
const orKeyword = "$or"

var reservedInOr = []string{"anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix", "suffix", "wildcard"}

// patternError is a reason a pattern is invalid, reported as
// InvalidEventPatternException.
type patternError string

func (e patternError) Error() string { return string(e) }

func barf(format string, args ...any) error { return patternError(fmt.Sprintf(format, args...)) }

// compilePattern parses and validates an event pattern.
func compilePattern(src string) (*pattern, error) {
	v, err := decodeJSON([]byte(src))
	if err != nil {
		return nil, barf("%s", err.Error())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, barf("Filter is not an object")
	}
	return compileObject(obj, false)
}

// decodeJSON decodes one JSON value keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, describeDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func describeDecodeError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at offset %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of JSON input")
	}
	return errors.New("malformed JSON")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func compileObject(obj map[string]any, inOr bool) (*pattern, error) {
	if len(obj) == 0 {
		return nil, barf("Empty objects are not allowed")
	}
	p := &pattern{}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if k == orKeyword {
			alts, err := compileOr(v)
			if err != nil {
				return nil, err
			}
			p.or = alts
			continue
		}
		if inOr && slices.Contains(reservedInOr, k) {
			return nil, barf("%s is Ruler reserved fieldName which cannot be used inside %s.", k, orKeyword)
		}
		switch x := v.(type) {
		case map[string]any:
			sub, err := compileObject(x, inOr)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, patternField{key: k, sub: sub})
		case []any:
			l, err := compileLeaf(x)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, patternField{key: k, leaf: l})
		default:
			return nil, barf("%q must be an object or an array", k)
		}
	}
	return p, nil
}

func compileOr(v any) ([]*pattern, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, barf("It must be an Array followed with %s.", orKeyword)
	}
	alts := make([]*pattern, 0, len(arr))
	for _, e := range arr {
		obj, ok := e.(map[string]any)
		if !ok {
			return nil, barf("Only JSON object is allowed in array of %s relationship.", orKeyword)
		}
		alt, err := compileObject(obj, true)
		if err != nil {
			return nil, err
		}
		alts = append(alts, alt)
	}
	if len(alts) < 2 {
		return nil, barf("There must have at least 2 Objects in %s relationship.", orKeyword)
	}
	return alts, nil
}

func compileLeaf(arr []any) (*leaf, error) {
	if len(arr) == 0 {
		return nil, barf("Empty arrays are not allowed")
	}
	l := &leaf{}
	for _, e := range arr {
		switch x := e.(type) {
		case string:
			l.ms = append(l.ms, matcher{kind: mString, str: x})
		case json.Number:
			l.ms = append(l.ms, matcher{kind: mNumber, num: parseNumber(string(x))})
		case bool:
			if x {
				l.ms = append(l.ms, matcher{kind: mTrue})
			} else {
				l.ms = append(l.ms, matcher{kind: mFalse})
			}
		case nil:
			l.ms = append(l.ms, matcher{kind: mNull})
		case map[string]any:
			if err := compileExpression(l, x); err != nil {
				return nil, err
			}
		default:
			return nil, barf("Match value must be String, number, true, false, or null")
		}
	}
	return l, nil
}

// singleKey returns the one key of an operator object.
func singleKey(m map[string]any, what string) (string, any, error) {
	if len(m) == 0 {
		return "", nil, barf("%s expression name not found", what)
	}
	if len(m) > 1 {
		return "", nil, barf("Only one key allowed in match expression")
	}
	for k, v := range m {
		return k, v, nil
	}
	return "", nil, barf("%s expression name not found", what)
}

func compileExpression(l *leaf, expr map[string]any) error {
	op, v, err := singleKey(expr, "Match")
	if err != nil {
		return err
	}
	switch op {
	case "prefix", "suffix":
		return compileAffix(l, op, v)
	case "equals-ignore-case":
		s, ok := v.(string)
		if !ok {
			return barf("equals-ignore-case match pattern must be a string")
		}
		l.ms = append(l.ms, matcher{kind: mEqualsFold, str: s})
	case "wildcard":
		s, ok := v.(string)
		if !ok {
			return barf("wildcard match pattern must be a string")
		}
		w, err := parseWildcard(s)
		if err != nil {
			return err
		}
		l.ms = append(l.ms, matcher{kind: mWildcard, wild: []wildcard{w}})
	case "cidr":
		s, ok := v.(string)
		if !ok {
			return barf("cidr match pattern must be a string")
		}
		p, err := parseCIDR(s)
		if err != nil {
			return err
		}
		l.ms = append(l.ms, matcher{kind: mCIDR, cidr: p})
	case "exists":
		b, ok := v.(bool)
		if !ok {
			return barf("exists match pattern must be either true or false.")
		}
		if b {
			l.existsTrue = true
		} else {
			l.existsFalse = true
		}
	case "numeric":
		arr, ok := v.([]any)
		if !ok {
			return barf("Value of numeric must be an array.")
		}
		r, err := compileNumeric(arr)
		if err != nil {
			return err
		}
		l.ms = append(l.ms, matcher{kind: mNumeric, rng: r})
	case "anything-but":
		m, err := compileAnythingBut(v)
		if err != nil {
			return err
		}
		l.ms = append(l.ms, m)
	default:
		return barf("Unrecognized match type %s", op)
	}
	return nil
}

// compileAffix handles {"prefix": "x"} and {"prefix": {"equals-ignore-case": "x"}}
// (and the same for suffix).
func compileAffix(l *leaf, op string, v any) error {
	plain, fold := mPrefix, mPrefixFold
	what := "Prefix"
	if op == "suffix" {
		plain, fold, what = mSuffix, mSuffixFold, "Suffix"
	}
	switch x := v.(type) {
	case string:
		l.ms = append(l.ms, matcher{kind: plain, str: x})
	case map[string]any:
		inner, iv, err := singleKey(x, what)
		if err != nil {
			return err
		}
		if inner != "equals-ignore-case" {
			return barf("Unsupported %s pattern: %s", op, inner)
		}
		s, ok := iv.(string)
		if !ok {
			return barf("equals-ignore-case match pattern must be a string")
		}
		l.ms = append(l.ms, matcher{kind: fold, str: s})
	default:
		return barf("%s match pattern must be a string", op)
	}
	return nil
}

func numericValue(v any, op string) (number, error) {
	n, ok := v.(json.Number)
	if !ok {
		return number{}, barf("Value of %s must be numeric", op)
	}
	num := parseNumber(string(n))
	if !num.inRange {
		return number{}, barf("Value must be between -5.0E9 and 5.0E9, inclusive")
	}
	return num, nil
}

func compileNumeric(arr []any) (numRange, error) {
	var r numRange
	if len(arr) == 0 {
		return r, barf("Invalid member in numeric match: ]")
	}
	op, ok := arr[0].(string)
	if !ok {
		return r, barf("Invalid member in numeric match: %s", jsonText(arr[0]))
	}
	if len(arr) < 2 {
		return r, barf("Value of %s must be numeric", op)
	}
	switch op {
	case "=":
		n, err := numericValue(arr[1], "equals")
		if err != nil {
			return r, err
		}
		if len(arr) > 2 {
			return r, barf("Too many elements in numeric expression")
		}
		r.equals, r.equalsTo = true, n.scaled
		return r, nil
	case ">", ">=":
		n, err := numericValue(arr[1], op)
		if err != nil {
			return r, err
		}
		r.hasLo, r.lo, r.openLo = true, n.scaled, op == ">"
		if len(arr) == 2 {
			return r, nil
		}
		top, ok := arr[2].(string)
		if !ok {
			return r, barf("Bad value in numeric range: %s", jsonText(arr[2]))
		}
		if top != "<" && top != "<=" {
			return r, barf("Bad numeric range operator: %s", top)
		}
		if len(arr) < 4 {
			return r, barf("Value of %s must be numeric", top)
		}
		hi, err := numericValue(arr[3], top)
		if err != nil {
			return r, err
		}
		if len(arr) > 4 {
			return r, barf("Too many terms in numeric range expression")
		}
		r.hasHi, r.hi, r.openHi = true, hi.scaled, top == "<"
		if r.lo > r.hi || r.lo == r.hi && (r.openLo || r.openHi) {
			return r, barf("Bottom must be less than top")
		}
		return r, nil
	case "<", "<=":
		n, err := numericValue(arr[1], op)
		if err != nil {
			return r, err
		}
		if len(arr) > 2 {
			return r, barf("Too many elements in numeric expression")
		}
		r.hasHi, r.hi, r.openHi = true, n.scaled, op == "<"
		return r, nil
	default:
		return r, barf("Unrecognized numeric range operator: %s", op)
	}
}

func compileAnythingBut(v any) (matcher, error) {
	switch x := v.(type) {
	case string:
		return matcher{kind: mAnythingBut, strs: []string{x}}, nil
	case json.Number:
		n, err := anythingButNumber(x)
		return matcher{kind: mAnythingBut, isNum: true, nums: []number{n}}, err
	case []any:
		var m matcher
		m.kind = mAnythingBut
		for _, e := range x {
			switch y := e.(type) {
			case string:
				m.strs = append(m.strs, y)
			case json.Number:
				n, err := anythingButNumber(y)
				if err != nil {
					return m, err
				}
				m.nums = append(m.nums, n)
			default:
				return m, barf("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		if (len(m.strs) > 0) == (len(m.nums) > 0) {
			return m, barf("Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		m.isNum = len(m.nums) > 0
		return m, nil
	case map[string]any:
		return compileAnythingButSet(x)
	default:
		return matcher{}, barf("Value of anything-but must be an array or single string/number value.")
	}
}

func anythingButNumber(n json.Number) (number, error) {
	num := parseNumber(string(n))
	if !num.inRange {
		return num, barf("Value must be between -5.0E9 and 5.0E9, inclusive")
	}
	return num, nil
}

// compileAnythingButSet handles anything-but with equals-ignore-case,
// prefix, suffix or wildcard, over one string or a list of strings.
func compileAnythingButSet(x map[string]any) (matcher, error) {
	op, v, err := singleKey(x, "Anything-But")
	if err != nil {
		return matcher{}, err
	}
	var m matcher
	var typeErr string
	switch op {
	case "equals-ignore-case":
		m.kind, typeErr = mAnythingButFold, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
	case "prefix":
		m.kind, typeErr = mAnythingButPrefix, "prefix/suffix match pattern must be a string"
	case "suffix":
		m.kind, typeErr = mAnythingButSuffix, "prefix/suffix match pattern must be a string"
	case "wildcard":
		m.kind, typeErr = mAnythingButWildcard, "wildcard match pattern must be a string"
	default:
		return m, barf("Unsupported anything-but pattern: %s", op)
	}
	var values []any
	switch y := v.(type) {
	case []any:
		values = y
	case string:
		values = []any{y}
	case json.Number:
		return m, barf("%s", typeErr)
	default:
		return m, barf("Value of anything-but must be an array or single string/number value.")
	}
	for _, e := range values {
		s, ok := e.(string)
		if !ok {
			return m, barf("%s", typeErr)
		}
		switch m.kind {
		case mAnythingButPrefix, mAnythingButSuffix:
			if s == "" {
				return m, barf("Null prefix/suffix not allowed")
			}
		case mAnythingButWildcard:
			w, err := parseWildcard(s)
			if err != nil {
				return m, err
			}
			m.wild = append(m.wild, w)
		}
		m.strs = append(m.strs, s)
	}
	return m, nil
}

// wildcard is a pattern split at its unescaped '*': the value must be
// parts[0] * parts[1] * ... * parts[n-1].
type wildcard struct{ parts []string }

// parseWildcard reads '*' as any run of characters, "\*" as a star and
// "\\" as a backslash; any other escape, and "**", are refused.
func parseWildcard(s string) (wildcard, error) {
	var w wildcard
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return w, barf("Consecutive wildcard characters at pos %d", i+1)
			}
			w.parts = append(w.parts, cur.String())
			cur.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur.WriteByte(s[i+1])
				i++
				continue
			}
			return w, barf("Invalid escape character at pos %d", i+1)
		default:
			cur.WriteByte(c)
		}
	}
	w.parts = append(w.parts, cur.String())
	return w, nil
}

// match is linear in the value: with only '*' as a metacharacter, taking
// each middle part at its leftmost place is always right.
func (w wildcard) match(s string) bool {
	n := len(w.parts)
	if n == 1 {
		return s == w.parts[0]
	}
	first, last := w.parts[0], w.parts[n-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, p := range w.parts[1 : n-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

func parseCIDR(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, barf("Nonstandard IP address: %s", s)
}

// jsonText renders a decoded JSON value for an error message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}
