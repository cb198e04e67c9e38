package cloudwatch

import (
	"context"
	"time"

	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/wire"
)

// GetMetricStatistics limits, as on AWS.
const (
	maxStatisticsPoints = 1440
	maxStatistics       = 5
	maxExtended         = 10
)

func (s *Service) getMetricStatistics(ctx context.Context, b *binder, in node) (obj, error) {
	series := b.metricRef(in, wire.Region(ctx))
	start, end := b.time(in, "StartTime"), b.time(in, "EndTime")
	period := b.int(in, "Period")
	basic, bpath, hasBasic := b.strings(in, "Statistics")
	ext, epath, hasExt := b.strings(in, "ExtendedStatistics")
	unit := b.unit(in, "Unit")
	if b.err != nil {
		return nil, b.err
	}
	if !b.require(start != nil, "StartTime") || !b.require(end != nil, "EndTime") || !b.require(period != nil, "Period") {
		return nil, b.err
	}
	if !validPeriod(*period, false) {
		return nil, invalidValue("The parameter Period must be a multiple of 60 or equal to 1, 5, 10 or 30.")
	}
	if !start.Before(*end) {
		return nil, invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	hasBasic, hasExt = hasBasic && len(basic) > 0, hasExt && len(ext) > 0
	if hasBasic == hasExt {
		return nil, combination("Exactly one of the parameters Statistics and ExtendedStatistics must be specified.")
	}
	var stats []statistic
	if hasBasic {
		if len(basic) > maxStatistics {
			return nil, invalidValue("The collection Statistics must not have a size greater than %d.", maxStatistics)
		}
		for i, name := range basic {
			st, ok := parseStatistic(name, true, false)
			if !ok {
				return nil, invalidValue("The value %s for parameter %s is not a valid statistic. Valid statistics: SampleCount, Average, Sum, Minimum, Maximum.",
					quoteValue(name), memberPath(bpath, i))
			}
			stats = append(stats, st)
		}
	} else {
		if len(ext) > maxExtended {
			return nil, invalidValue("The collection ExtendedStatistics must not have a size greater than %d.", maxExtended)
		}
		for i, name := range ext {
			st, ok := parseStatistic(name, false, true)
			if !ok {
				return nil, invalidValue("The value %s for parameter %s is not a supported extended statistic; percentiles from p0 to p100 are.",
					quoteValue(name), memberPath(epath, i))
			}
			stats = append(stats, st)
		}
	}

	p := *period
	from := alignStart(start.Unix(), p)
	to := end.Unix()
	if end.Nanosecond() > 0 {
		to++ // the period holding a fractional end is still asked for
	}
	if n := (to - from + p - 1) / p; n > maxStatisticsPoints {
		return nil, combination("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
			n, maxStatisticsPoints)
	}

	points := []obj{}
	err := s.metrics.View(func(r *metrics.Reader) error {
		r.Buckets(metrics.BucketQuery{Series: series, Unit: unit, Start: from, End: to, Period: p, Parts: hasExt},
			func(bk *metrics.Bucket) bool {
				points = append(points, datapoint(bk, stats, hasExt, unit))
				return true
			})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return obj{{"Label", series.Name}, {"Datapoints", points}}, nil
}

func datapoint(bk *metrics.Bucket, stats []statistic, extended bool, unit metrics.Unit) obj {
	dp := obj{{"Timestamp", time.Unix(bk.Start, 0).UTC()}}
	var ext floatMap
	for _, st := range stats {
		if extended {
			ext = append(ext, floatEntry{st.name, st.value(bk)})
			continue
		}
		dp = dp.with(st.name, st.value(bk))
	}
	if extended {
		dp = dp.with("ExtendedStatistics", ext)
	}
	return dp.with("Unit", bucketUnit(bk, unit).String())
}

// bucketUnit is the unit a period reports: the one asked for, else the
// data's own when it has one, else None.
func bucketUnit(bk *metrics.Bucket, asked metrics.Unit) metrics.Unit {
	if asked != 0 {
		return asked
	}
	if u, ok := bk.Units.Single(); ok {
		return u
	}
	return metrics.UnitNone
}
