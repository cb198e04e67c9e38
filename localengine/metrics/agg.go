package metrics

import (
	"encoding/binary"
	"math"
)

// Agg is the statistic set of the observations in one interval.
type Agg struct {
	Count, Sum, Min, Max float64
}

// Observe adds one observation.
func (a *Agg) Observe(v float64) {
	a.ObserveN(v, 1)
}

// ObserveN adds n observations of v.
func (a *Agg) ObserveN(v, n float64) {
	if a.Count == 0 {
		*a = Agg{Count: n, Sum: v * n, Min: v, Max: v}
		return
	}
	a.Count += n
	a.Sum += v * n
	a.Min = math.Min(a.Min, v)
	a.Max = math.Max(a.Max, v)
}

// Merge adds b's observations.
func (a *Agg) Merge(b Agg) {
	if b.Count == 0 {
		return
	}
	if a.Count == 0 {
		*a = b
		return
	}
	a.Count += b.Count
	a.Sum += b.Sum
	a.Min = math.Min(a.Min, b.Min)
	a.Max = math.Max(a.Max, b.Max)
}

// Average is Sum/Count (0 for an empty set).
func (a Agg) Average() float64 {
	if a.Count == 0 {
		return 0
	}
	return a.Sum / a.Count
}

const aggLen = 32

func (a Agg) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(a.Count))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(a.Sum))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(a.Min))
	return binary.BigEndian.AppendUint64(b, math.Float64bits(a.Max))
}

func decodeAgg(b []byte) (Agg, bool) {
	if len(b) != aggLen {
		return Agg{}, false
	}
	f := func(i int) float64 { return math.Float64frombits(binary.BigEndian.Uint64(b[i*8:])) }
	return Agg{Count: f(0), Sum: f(1), Min: f(2), Max: f(3)}, true
}
