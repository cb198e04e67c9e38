package s3

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is an inclusive range of an object's bytes.
type byteRange struct{ start, end int64 }

func (b byteRange) length() int64 { return b.end - b.start + 1 }

// parseRange reads a Range header against an object of size bytes. ok is
// false when the header is to be ignored and the whole object served: it is
// absent, not a single bytes range (S3 serves no multi-range answers), or
// syntactically invalid. An unsatisfiable range is InvalidRange.
func parseRange(h string, size int64) (r byteRange, ok bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return r, false, nil
	}
	unit, spec, found := strings.Cut(h, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return r, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return r, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "" && last == "":
		return r, false, nil
	case first == "":
		n, ok := parseDigits(last)
		if !ok {
			return r, false, nil
		}
		if n == 0 || size == 0 {
			return r, false, errInvalidRange()
		}
		if n > size {
			n = size
		}
		return byteRange{start: size - n, end: size - 1}, true, nil
	default:
		a, ok := parseDigits(first)
		if !ok {
			return r, false, nil
		}
		b := size - 1
		if last != "" {
			if b, ok = parseDigits(last); !ok || b < a {
				return r, false, nil
			}
		}
		if a >= size {
			return r, false, errInvalidRange()
		}
		if b >= size {
			b = size - 1
		}
		return byteRange{start: a, end: b}, true, nil
	}
}

// parseDigits parses a non-negative decimal without sign or spaces.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

type condResult int

const (
	condPass condResult = iota
	condNotModified
	condFailed
)

// conditionHeaders names the four precondition headers: the plain ones for
// GET/HEAD, the x-amz-copy-source-if-* ones for a copy's source.
type conditionHeaders struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
}

var (
	getConditions  = conditionHeaders{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}
	copyConditions = conditionHeaders{"X-Amz-Copy-Source-If-Match", "X-Amz-Copy-Source-If-None-Match",
		"X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-Unmodified-Since"}
)

// evalConditions applies preconditions in RFC 7232 order, as S3 does: a
// matching If-Match overrides If-Unmodified-Since, a failing If-None-Match
// overrides If-Modified-Since.
func evalConditions(h http.Header, names conditionHeaders, etag string, modified time.Time) condResult {
	modified = modified.Truncate(time.Second)
	if v := h.Get(names.ifMatch); v != "" {
		if !etagMatches(v, etag) {
			return condFailed
		}
	} else if t, ok := parseHTTPDate(h.Get(names.ifUnmodifiedSince)); ok && modified.After(t) {
		return condFailed
	}
	if v := h.Get(names.ifNoneMatch); v != "" {
		if etagMatches(v, etag) {
			return condNotModified
		}
	} else if t, ok := parseHTTPDate(h.Get(names.ifModifiedSince)); ok && !modified.After(t) {
		return condNotModified
	}
	return condPass
}

// etagMatches reports whether an If-Match style list names etag (hex,
// unquoted) or is "*".
func etagMatches(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		v = strings.TrimPrefix(v, "W/")
		if v == "*" || strings.Trim(v, `"`) == etag {
			return true
		}
	}
	return false
}

func parseHTTPDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
