package metrics

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Series names one metric: CloudWatch identifies a metric by namespace,
// name and the exact set of its dimensions, per region.
type Series struct {
	Region, Namespace, Name string
	// Dims are sorted by name.
	Dims []Dimension
}

// SortDims returns dims sorted by name (and value), copying only when they
// are not sorted already.
func SortDims(dims []Dimension) []Dimension {
	if slices.IsSortedFunc(dims, cmpDim) {
		return dims
	}
	c := slices.Clone(dims)
	slices.SortFunc(c, cmpDim)
	return c
}

func cmpDim(a, b Dimension) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// A series key is every part length-prefixed (uvarint), dimensions after
// their count: unambiguous whatever the names hold, and a key's region,
// namespace and name form prefixes that ListMetrics scans.

func appendPart(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendSeriesKey encodes a series; dims must be sorted.
func appendSeriesKey(b []byte, region, namespace, name string, dims []Dimension) []byte {
	b = appendPart(b, region)
	b = appendPart(b, namespace)
	b = appendPart(b, name)
	b = binary.AppendUvarint(b, uint64(len(dims)))
	for _, d := range dims {
		b = appendPart(b, d.Name)
		b = appendPart(b, d.Value)
	}
	return b
}

// Key is the series' stored key.
func (s Series) Key() []byte {
	return appendSeriesKey(nil, s.Region, s.Namespace, s.Name, SortDims(s.Dims))
}

// seriesPrefix is the key prefix of the series in region, and in namespace
// when it is set, and named name when both are set.
func seriesPrefix(region, namespace, name string) []byte {
	b := appendPart(nil, region)
	if namespace == "" {
		return b
	}
	b = appendPart(b, namespace)
	if name == "" {
		return b
	}
	return appendPart(b, name)
}

// maxDims bounds a decoded key's dimension count, so that a damaged key
// cannot ask for a huge allocation.
const maxDims = 64

func parseSeriesKey(b []byte) (Series, bool) {
	var s Series
	var ok bool
	if s.Region, b, ok = takePart(b); !ok {
		return s, false
	}
	if s.Namespace, b, ok = takePart(b); !ok {
		return s, false
	}
	if s.Name, b, ok = takePart(b); !ok {
		return s, false
	}
	n, w := binary.Uvarint(b)
	if w <= 0 || n > maxDims {
		return s, false
	}
	b = b[w:]
	if n > 0 {
		s.Dims = make([]Dimension, n)
	}
	for i := range s.Dims {
		if s.Dims[i].Name, b, ok = takePart(b); !ok {
			return s, false
		}
		if s.Dims[i].Value, b, ok = takePart(b); !ok {
			return s, false
		}
	}
	return s, len(b) == 0
}

func takePart(b []byte) (string, []byte, bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return "", nil, false
	}
	end := w + int(n)
	return string(b[w:end]), b[end:], true
}

// ValidSeriesKey reports whether b is a well-formed series key (a
// ListMetrics page token holds one).
func ValidSeriesKey(b []byte) bool {
	_, ok := parseSeriesKey(b)
	return ok
}
