package cloudwatch

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/metrics"
)

// statistic is one statistic a query asks for.
type statistic struct {
	name string
	kind statKind
	// pct is the percentile (0-100) of a percentile statistic.
	pct float64
}

type statKind int

const (
	statSampleCount statKind = iota
	statAverage
	statSum
	statMinimum
	statMaximum
	statPercentile
)

var basicStats = map[string]statKind{
	"SampleCount": statSampleCount,
	"Average":     statAverage,
	"Sum":         statSum,
	"Minimum":     statMinimum,
	"Maximum":     statMaximum,
}

// parseStatistic reads a basic statistic, or a percentile "pNN[.NN]" when
// percentiles is set.
func parseStatistic(s string, basic, percentiles bool) (statistic, bool) {
	if k, ok := basicStats[s]; ok && basic {
		return statistic{name: s, kind: k}, true
	}
	if !percentiles {
		return statistic{}, false
	}
	p, ok := parsePercentile(s)
	if !ok {
		return statistic{}, false
	}
	return statistic{name: s, kind: statPercentile, pct: p}, true
}

// parsePercentile accepts "p" and a number from 0 to 100 with at most
// ten decimals, e.g. p99, p99.9, p0.1, p100.
func parsePercentile(s string) (float64, bool) {
	num, ok := strings.CutPrefix(s, "p")
	if !ok || num == "" || len(num) > 14 {
		return 0, false
	}
	whole, frac, hasFrac := strings.Cut(num, ".")
	if whole == "" || len(whole) > 3 || (hasFrac && (frac == "" || len(frac) > 10)) {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || p < 0 || p > 100 {
		return 0, false
	}
	return p, true
}

// value computes st over one period.
func (st statistic) value(b *metrics.Bucket) float64 {
	a := b.Agg
	switch st.kind {
	case statSampleCount:
		return a.Count
	case statAverage:
		return a.Average()
	case statSum:
		return a.Sum
	case statMinimum:
		return a.Min
	case statMaximum:
		return a.Max
	default:
		return percentile(b.Parts, a, st.pct)
	}
}

// percentile estimates the pct-th percentile of a period from the
// per-second (or per-minute) aggregates it holds: each aggregate counts as
// its sample count of observations at its average, and the ends are the
// period's true minimum and maximum. It is exact when every aggregate
// holds one observation (or equal ones), which is the case for metrics
// recorded at most once a second.
func percentile(parts []metrics.Agg, all metrics.Agg, pct float64) float64 {
	if all.Count == 0 {
		return 0
	}
	if pct <= 0 {
		return all.Min
	}
	if pct >= 100 {
		return all.Max
	}
	type wv struct{ v, w float64 }
	vals := make([]wv, 0, len(parts))
	for _, p := range parts {
		if p.Count > 0 {
			vals = append(vals, wv{p.Average(), p.Count})
		}
	}
	if len(vals) == 0 {
		return all.Average()
	}
	slices.SortFunc(vals, func(a, b wv) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	// Nearest rank over the weighted observations.
	rank := math.Ceil(pct / 100 * all.Count)
	seen := 0.0
	for _, x := range vals {
		seen += x.w
		if seen >= rank {
			return math.Max(all.Min, math.Min(all.Max, x.v))
		}
	}
	return math.Min(all.Max, vals[len(vals)-1].v)
}
