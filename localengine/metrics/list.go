package metrics

import (
	"bytes"
	"time"
)

// DimFilter matches series that have a dimension named Name, with Value
// when it is set.
type DimFilter struct {
	Name  string
	Value *string
}

// ListQuery selects series for ListMetrics.
type ListQuery struct {
	Region string
	// Namespace and Name, when set, must match exactly.
	Namespace, Name string
	// Dims must all match (a series may have more dimensions).
	Dims []DimFilter
	// ActiveSince keeps series with data recorded since then (unix
	// seconds); 0 keeps all.
	ActiveSince int64
	// After resumes a listing after this series key.
	After []byte
	// Limit is the most series returned.
	Limit int
}

// List returns the series q selects in key order; next is the key to
// resume after when more remain, nil otherwise.
func (r *Reader) List(q ListQuery) (out []Series, next []byte) {
	prefix := seriesPrefix(q.Region, q.Namespace, q.Name)
	floor := r.now - int64(listWindow/time.Second)
	if q.ActiveSince > floor {
		floor = q.ActiveSince
	}
	c := r.b.series.Cursor()
	k, v := c.Seek(prefix)
	if len(q.After) > 0 && bytes.Compare(q.After, prefix) >= 0 {
		k, v = c.Seek(q.After)
		if k != nil && bytes.Equal(k, q.After) {
			k, v = c.Next()
		}
	}
	var last []byte
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		sv, ok := decodeSeriesValue(v)
		if !ok || sv.lastActive < floor {
			continue
		}
		s, ok := parseSeriesKey(k)
		if !ok || !q.matches(s) {
			continue
		}
		if len(out) == q.Limit {
			// One more match exists: the page is full and has a next.
			return out, last
		}
		out = append(out, s)
		last = bytes.Clone(k)
	}
	return out, nil
}

func (q *ListQuery) matches(s Series) bool {
	if s.Region != q.Region || (q.Namespace != "" && s.Namespace != q.Namespace) || (q.Name != "" && s.Name != q.Name) {
		return false
	}
	for _, f := range q.Dims {
		found := false
		for _, d := range s.Dims {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
