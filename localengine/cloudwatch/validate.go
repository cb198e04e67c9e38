package cloudwatch

import (
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/metrics"
)

// AWS's limits on CloudWatch names.
const (
	maxNameLen       = 255  // namespace, metric name, dimension name
	maxDimValueLen   = 1024 // dimension value
	maxDimensions    = 30   // per metric
	maxListDimFilter = 10   // ListMetrics filters
)

// checkText validates a name's length (in characters) and content:
// valid UTF-8 without control characters, which no CloudWatch name takes.
func (b *binder) checkText(s *string, path string, minLen, maxLen int) {
	if s == nil || b.err != nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	if n < minLen || n > maxLen {
		b.fail(invalidValue("The parameter %s must be between %d and %d characters long.", path, minLen, maxLen))
		return
	}
	if !utf8.ValidString(*s) || strings.ContainsFunc(*s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		b.fail(invalidValue("The parameter %s contains characters that are not valid.", path))
	}
}

func (b *binder) require(present bool, path string) bool {
	if !present {
		b.fail(missing(path))
	}
	return present && b.err == nil
}

// namespace validates a namespace; custom metrics may not use AWS/.
func (b *binder) namespace(ns *string, path string, put bool) {
	b.checkText(ns, path, 1, maxNameLen)
	if ns == nil || b.err != nil {
		return
	}
	if strings.HasPrefix(*ns, ":") {
		b.fail(invalidValue("The value %s for parameter %s is invalid.", quoteValue(*ns), path))
		return
	}
	if put && strings.HasPrefix(*ns, "AWS/") {
		b.fail(invalidValue("The value %s for parameter %s is invalid. Namespaces beginning with AWS/ are reserved for AWS.", quoteValue(*ns), path))
	}
}

// dimensions reads a metric's dimensions; unique names are required
// where a metric is defined (PutMetricData).
func (b *binder) dimensions(n node, name string, unique bool) []metrics.Dimension {
	items, path, _ := b.list(n, name)
	if b.err != nil {
		return nil
	}
	if len(items) > maxDimensions {
		b.fail(invalidValue("The collection %s must not have a size greater than %d.", path, maxDimensions))
		return nil
	}
	dims := make([]metrics.Dimension, 0, len(items))
	for i, it := range items {
		p := memberPath(path, i)
		d := b.objValue(it, p)
		if d == nil {
			return nil
		}
		dn, dv := b.str(*d, "Name"), b.str(*d, "Value")
		if !b.require(dn != nil, join(p, "Name")) || !b.require(dv != nil, join(p, "Value")) {
			return nil
		}
		b.checkText(dn, join(p, "Name"), 1, maxNameLen)
		b.checkText(dv, join(p, "Value"), 1, maxDimValueLen)
		if b.err != nil {
			return nil
		}
		if unique {
			for _, prev := range dims {
				if prev.Name == *dn {
					b.fail(invalidValue("The dimension name %s in %s is used more than once.", quoteValue(*dn), path))
					return nil
				}
			}
		}
		dims = append(dims, metrics.Dimension{Name: *dn, Value: *dv})
	}
	return dims
}

// unit reads an optional standard unit (0 when absent).
func (b *binder) unit(n node, name string) metrics.Unit {
	s := b.str(n, name)
	if s == nil || b.err != nil {
		return 0
	}
	u, ok := metrics.ParseUnit(*s)
	if !ok {
		b.fail(invalidValue("The value %s for parameter %s is not a valid unit. Valid units: %s.",
			quoteValue(*s), join(n.path, name), strings.Join(metrics.UnitNames(), ", ")))
	}
	return u
}

// metricRef reads a metric's identity (Namespace, MetricName, Dimensions)
// from n, all required but the dimensions.
func (b *binder) metricRef(n node, region string) metrics.Series {
	ns, name := b.str(n, "Namespace"), b.str(n, "MetricName")
	if !b.require(ns != nil, join(n.path, "Namespace")) || !b.require(name != nil, join(n.path, "MetricName")) {
		return metrics.Series{}
	}
	b.namespace(ns, join(n.path, "Namespace"), false)
	b.checkText(name, join(n.path, "MetricName"), 1, maxNameLen)
	dims := b.dimensions(n, "Dimensions", false)
	if b.err != nil {
		return metrics.Series{}
	}
	return metrics.Series{Region: region, Namespace: *ns, Name: *name, Dims: metrics.SortDims(dims)}
}

// validPeriod: 1, 5, 10, 20 (GetMetricData only) and 30 seconds for
// high-resolution data, otherwise multiples of a minute.
func validPeriod(p int64, allow20 bool) bool {
	switch {
	case p <= 0:
		return false
	case p%60 == 0:
		return true
	case p == 1 || p == 5 || p == 10 || p == 30:
		return true
	case p == 20:
		return allow20
	}
	return false
}

// alignStart rounds a query's start down to where its periods begin: a
// sub-minute period's boundary, else the minute, as CloudWatch does.
func alignStart(start, period int64) int64 {
	unit := int64(60)
	if period < 60 {
		unit = period
	}
	return floorDiv(start, unit) * unit
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
