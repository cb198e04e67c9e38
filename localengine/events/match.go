package events

import (
	"encoding/json"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matches reports whether an event, decoded with decodeJSON, matches p.
func (p *pattern) matches(event map[string]any) bool { return p.matchObject(event) }

// matchObject matches p against an object; nil stands for a field that is
// missing or holds no object, where only absence tests can match.
func (p *pattern) matchObject(obj map[string]any) bool {
	for i := range p.fields {
		f := &p.fields[i]
		v, present := obj[f.key]
		if f.sub != nil {
			if !f.sub.matchValue(v) {
				return false
			}
			continue
		}
		if !f.leaf.matches(v, present) {
			return false
		}
	}
	if p.or != nil {
		for _, alt := range p.or {
			if alt.matchObject(obj) {
				return true
			}
		}
		return false
	}
	return true
}

// matchValue matches a nested pattern against its field's value. Over an
// array, one element must match the whole nested pattern, so that fields
// matched together come from the same element.
func (p *pattern) matchValue(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return p.matchObject(x)
	case []any:
		tried := false
		if p.matchArray(x, &tried) {
			return true
		}
		return !tried && p.matchObject(nil)
	default:
		return p.matchObject(nil)
	}
}

func (p *pattern) matchArray(arr []any, tried *bool) bool {
	for _, e := range arr {
		switch x := e.(type) {
		case []any:
			if p.matchArray(x, tried) {
				return true
			}
		case map[string]any:
			*tried = true
			if p.matchObject(x) {
				return true
			}
		default:
			*tried = true
			if p.matchObject(nil) {
				return true
			}
		}
	}
	return false
}

// matches tests a leaf list against a field: its leaf values are the field's
// value, or the scalar elements of its (nested) arrays; objects are not
// leaves.
func (l *leaf) matches(v any, present bool) bool {
	found := false
	if present && l.anyValue(v, &found) {
		return true
	}
	return l.existsTrue && found || l.existsFalse && !found
}

func (l *leaf) anyValue(v any, found *bool) bool {
	switch x := v.(type) {
	case map[string]any:
		return false
	case []any:
		for _, e := range x {
			if l.anyValue(e, found) {
				return true
			}
		}
		return false
	default:
		*found = true
		for i := range l.ms {
			if l.ms[i].match(v) {
				return true
			}
		}
		return false
	}
}

// match tests one scalar JSON value (string, json.Number, bool or nil).
func (m *matcher) match(v any) bool {
	switch m.kind {
	case mString:
		s, ok := v.(string)
		return ok && s == m.str
	case mNumber:
		n, ok := v.(json.Number)
		return ok && parseNumber(string(n)).equal(m.num)
	case mTrue:
		b, ok := v.(bool)
		return ok && b
	case mFalse:
		b, ok := v.(bool)
		return ok && !b
	case mNull:
		return v == nil
	case mNumeric:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		num := parseNumber(string(n))
		return num.inRange && m.rng.contains(num.scaled)
	case mAnythingBut:
		return m.anythingBut(v)
	}
	s, isString := v.(string)
	switch m.kind {
	case mPrefix:
		return isString && strings.HasPrefix(s, m.str)
	case mPrefixFold:
		return isString && hasPrefixFold(s, m.str)
	case mSuffix:
		return isString && strings.HasSuffix(s, m.str)
	case mSuffixFold:
		return isString && hasSuffixFold(s, m.str)
	case mEqualsFold:
		return isString && strings.EqualFold(s, m.str)
	case mWildcard:
		return isString && m.wild[0].match(s)
	case mCIDR:
		if !isString {
			return false
		}
		a, err := netip.ParseAddr(s)
		return err == nil && m.cidr.Contains(a.Unmap())
	}
	// The anything-but sets apply to strings; any other value is "anything
	// but" them.
	if !isString {
		return true
	}
	for i, x := range m.strs {
		var hit bool
		switch m.kind {
		case mAnythingButFold:
			hit = strings.EqualFold(s, x)
		case mAnythingButPrefix:
			hit = strings.HasPrefix(s, x)
		case mAnythingButSuffix:
			hit = strings.HasSuffix(s, x)
		case mAnythingButWildcard:
			hit = m.wild[i].match(s)
		}
		if hit {
			return false
		}
	}
	return true
}

// anythingBut excludes values equal to one of the list's, compared within
// their type: a number is anything but a list of strings and vice versa.
func (m *matcher) anythingBut(v any) bool {
	if m.isNum {
		n, ok := v.(json.Number)
		if !ok {
			return true
		}
		num := parseNumber(string(n))
		for _, x := range m.nums {
			if num.equal(x) {
				return false
			}
		}
		return true
	}
	s, ok := v.(string)
	if !ok {
		return true
	}
	for _, x := range m.strs {
		if s == x {
			return false
		}
	}
	return true
}

// hasPrefixFold is strings.HasPrefix under Unicode case folding.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !equalFoldRune(pr, sr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

// hasSuffixFold is strings.HasSuffix under Unicode case folding.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !equalFoldRune(pr, sr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}

func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
