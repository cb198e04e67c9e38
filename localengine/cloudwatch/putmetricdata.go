package cloudwatch

import (
	"context"
	"math"
	"time"

	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/wire"
)

// PutMetricData limits, as on AWS.
const (
	maxMetricData = 1000 // metrics per request, MetricData and EntityMetricData together
	maxValues     = 150  // Values (and Counts) per metric
	putPast       = 14 * 24 * time.Hour
	putFuture     = 2 * time.Hour
)

// maxDatapointValue is the magnitude CloudWatch accepts (2^360).
var maxDatapointValue = math.Ldexp(1, 360)

func (s *Service) putMetricData(ctx context.Context, b *binder, in node) (obj, error) {
	region := wire.Region(ctx)
	ns := b.str(in, "Namespace")
	if !b.require(ns != nil, "Namespace") {
		return nil, b.err
	}
	b.namespace(ns, "Namespace", true)
	_ = b.boolean(in, "StrictEntityValidation")

	// Each entry of EntityMetricData carries its own MetricData; the
	// entity itself is accepted and not kept.
	type datumList struct {
		items []any
		path  string
	}
	var lists []datumList
	items, path, _ := b.list(in, "MetricData")
	lists = append(lists, datumList{items, path})
	entities, epath, _ := b.list(in, "EntityMetricData")
	for i, e := range entities {
		en := b.objValue(e, memberPath(epath, i))
		if en == nil {
			break
		}
		_ = b.obj(*en, "Entity")
		items, path, _ := b.list(*en, "MetricData")
		lists = append(lists, datumList{items, path})
	}
	if b.err != nil {
		return nil, b.err
	}
	total := 0
	for _, l := range lists {
		total += len(l.items)
	}
	if total == 0 {
		return nil, missing("MetricData")
	}
	if total > maxMetricData {
		return nil, invalidValue("The collection MetricData must not have a size greater than %d.", maxMetricData)
	}

	now := s.cfg.Now()
	points := make([]metrics.Point, 0, total)
	for _, l := range lists {
		for i, it := range l.items {
			p, ok := b.datum(it, memberPath(l.path, i), region, *ns, now)
			if !ok {
				return nil, b.err
			}
			points = append(points, p)
		}
	}
	if err := s.metrics.Put(points); err != nil {
		return nil, err
	}
	return nil, nil
}

// datum reads and validates one MetricDatum.
func (b *binder) datum(v any, path, region, namespace string, now time.Time) (metrics.Point, bool) {
	var p metrics.Point
	d := b.objValue(v, path)
	if d == nil {
		return p, false
	}
	name := b.str(*d, "MetricName")
	if !b.require(name != nil, join(path, "MetricName")) {
		return p, false
	}
	b.checkText(name, join(path, "MetricName"), 1, maxNameLen)
	dims := b.dimensions(*d, "Dimensions", true)
	p.Unit = b.unit(*d, "Unit")
	ts := b.time(*d, "Timestamp")
	res := b.int(*d, "StorageResolution")
	value := b.float(*d, "Value")
	values, vpath, hasValues := b.floats(*d, "Values")
	counts, cpath, hasCounts := b.floats(*d, "Counts")
	stats := b.obj(*d, "StatisticValues")
	if b.err != nil {
		return p, false
	}

	if res != nil && *res != 1 && *res != 60 {
		b.fail(invalidValue("The value %d for parameter %s is not valid. StorageResolution must be 1 or 60.", *res, join(path, "StorageResolution")))
		return p, false
	}
	at := now
	if ts != nil {
		at = *ts
		if at.Before(now.Add(-putPast)) || at.After(now.Add(putFuture)) {
			b.fail(invalidValue("The parameter %s must specify a time no more than two weeks in the past and no more than two hours in the future.", join(path, "Timestamp")))
			return p, false
		}
	}
	// Standard-resolution data is kept per minute, as on AWS: a
	// sub-minute query sees it at the minute's start.
	at = at.Truncate(time.Second)
	if res == nil || *res == 60 {
		at = at.Truncate(time.Minute)
	}

	set := 0
	for _, present := range []bool{value != nil, hasValues, stats != nil} {
		if present {
			set++
		}
	}
	switch {
	case set == 0:
		b.fail(combination("At least one of the parameters %s, %s or %s must be specified.",
			join(path, "Value"), join(path, "StatisticValues"), join(path, "Values")))
		return p, false
	case set > 1:
		b.fail(combination("The parameters %s, %s and %s are mutually exclusive and you have specified more than one.",
			join(path, "Value"), join(path, "StatisticValues"), join(path, "Values")))
		return p, false
	case hasCounts && !hasValues:
		b.fail(combination("The parameter %s requires %s.", cpath, vpath))
		return p, false
	}

	switch {
	case value != nil:
		if !b.datapointValue(*value, join(path, "Value")) {
			return p, false
		}
		p.Agg.Observe(*value)
	case hasValues:
		if len(values) > maxValues {
			b.fail(invalidValue("The collection %s must not have a size greater than %d.", vpath, maxValues))
			return p, false
		}
		if hasCounts && len(counts) != len(values) {
			b.fail(invalidValue("The parameters %s and %s must be of the same size.", vpath, cpath))
			return p, false
		}
		for i, x := range values {
			if !b.datapointValue(x, memberPath(vpath, i)) {
				return p, false
			}
			n := 1.0
			if hasCounts {
				n = counts[i]
				if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
					b.fail(invalidValue("The value %s for parameter %s is not valid.", quoteValue(n), memberPath(cpath, i)))
					return p, false
				}
			}
			if n > 0 {
				p.Agg.ObserveN(x, n)
			}
		}
	default:
		a, ok := b.statisticSet(*stats)
		if !ok {
			return p, false
		}
		p.Agg = a
	}
	p.Series = metrics.Series{Region: region, Namespace: namespace, Name: *name, Dims: dims}
	p.At = at
	return p, true
}

func (b *binder) datapointValue(v float64, path string) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxDatapointValue {
		b.fail(invalidValue("The value %s for parameter %s is invalid. Values must be in the range -2^360 to 2^360.", quoteValue(v), path))
		return false
	}
	return true
}

func (b *binder) statisticSet(n node) (metrics.Agg, bool) {
	var a metrics.Agg
	fields := []struct {
		name string
		dst  *float64
	}{{"SampleCount", &a.Count}, {"Sum", &a.Sum}, {"Minimum", &a.Min}, {"Maximum", &a.Max}}
	for _, f := range fields {
		v := b.float(n, f.name)
		if !b.require(v != nil, join(n.path, f.name)) {
			return a, false
		}
		if !b.datapointValue(*v, join(n.path, f.name)) {
			return a, false
		}
		*f.dst = *v
	}
	if a.Count <= 0 {
		b.fail(invalidValue("The parameter %s must be greater than 0.", join(n.path, "SampleCount")))
		return a, false
	}
	if a.Min > a.Max {
		b.fail(invalidValue("The parameter %s must not be greater than %s.", join(n.path, "Minimum"), join(n.path, "Maximum")))
		return a, false
	}
	return a, true
}
