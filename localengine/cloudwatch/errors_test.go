package cloudwatch_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func asType[T error](err error, target *T) bool { return errors.As(err, target) }

func TestPutMetricDataValidation(t *testing.T) {
	e, cw := start(t)
	now := e.Clock.Now()
	d := func(f func(*types.MetricDatum)) []types.MetricDatum {
		m := types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(1)}
		f(&m)
		return []types.MetricDatum{m}
	}
	many := func(n int) []types.MetricDatum {
		out := make([]types.MetricDatum, n)
		for i := range out {
			out[i] = types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(1)}
		}
		return out
	}
	cases := []struct {
		name string
		ns   *string
		data []types.MetricDatum
		code string
	}{
		{"reserved namespace", aws.String("AWS/Kinesis"), d(func(*types.MetricDatum) {}), "InvalidParameterValue"},
		{"no data", aws.String("N"), nil, "MissingParameter"},
		{"empty namespace", aws.String(""), d(func(*types.MetricDatum) {}), "InvalidParameterValue"},
		{"too many", aws.String("N"), many(1001), "InvalidParameterValue"},
		{"long name", aws.String("N"), d(func(m *types.MetricDatum) { m.MetricName = aws.String(strings.Repeat("x", 256)) }), "InvalidParameterValue"},
		{"value and set", aws.String("N"), d(func(m *types.MetricDatum) {
			m.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}
		}), "InvalidParameterCombination"},
		{"no value", aws.String("N"), d(func(m *types.MetricDatum) { m.Value = nil }), "InvalidParameterCombination"},
		{"counts without values", aws.String("N"), d(func(m *types.MetricDatum) { m.Counts = []float64{1} }), "InvalidParameterCombination"},
		{"counts mismatch", aws.String("N"), d(func(m *types.MetricDatum) { m.Value = nil; m.Values = []float64{1, 2}; m.Counts = []float64{1} }), "InvalidParameterValue"},
		{"151 values", aws.String("N"), d(func(m *types.MetricDatum) { m.Value = nil; m.Values = make([]float64, 151) }), "InvalidParameterValue"},
		{"huge value", aws.String("N"), d(func(m *types.MetricDatum) { m.Value = aws.Float64(1e200) }), "InvalidParameterValue"},
		{"bad unit", aws.String("N"), d(func(m *types.MetricDatum) { m.Unit = "Furlongs" }), "InvalidParameterValue"},
		{"bad resolution", aws.String("N"), d(func(m *types.MetricDatum) { m.StorageResolution = aws.Int32(5) }), "InvalidParameterValue"},
		{"too old", aws.String("N"), d(func(m *types.MetricDatum) { m.Timestamp = aws.Time(now.Add(-15 * 24 * time.Hour)) }), "InvalidParameterValue"},
		{"future", aws.String("N"), d(func(m *types.MetricDatum) { m.Timestamp = aws.Time(now.Add(3 * time.Hour)) }), "InvalidParameterValue"},
		{"31 dimensions", aws.String("N"), d(func(m *types.MetricDatum) {
			for i := range 31 {
				m.Dimensions = append(m.Dimensions, types.Dimension{Name: aws.String(string(rune('A' + i))), Value: aws.String("v")})
			}
		}), "InvalidParameterValue"},
		{"duplicate dimension", aws.String("N"), d(func(m *types.MetricDatum) { m.Dimensions = dims("A", "1", "A", "2") }), "InvalidParameterValue"},
		{"set min above max", aws.String("N"), d(func(m *types.MetricDatum) {
			m.Value = nil
			m.StatisticValues = &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(2), Maximum: aws.Float64(1)}
		}), "InvalidParameterValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cw.PutMetricData(ctxT(t), &cloudwatch.PutMetricDataInput{Namespace: c.ns, MetricData: c.data})
			wantCode(t, err, c.code)
			switch c.code {
			case "InvalidParameterValue":
				var v *types.InvalidParameterValueException
				if !asType(err, &v) {
					t.Errorf("not typed: %T", err)
				}
			case "MissingParameter":
				var v *types.MissingRequiredParameterException
				if !asType(err, &v) {
					t.Errorf("not typed: %T", err)
				}
			case "InvalidParameterCombination":
				var v *types.InvalidParameterCombinationException
				if !asType(err, &v) {
					t.Errorf("not typed: %T", err)
				}
			}
		})
	}
	// Missing required members are caught by the Go SDK before sending;
	// the protocol tests send them to the engine.

	// Nothing invalid was stored.
	lm, err := cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{})
	if err != nil || len(lm.Metrics) != 0 {
		t.Errorf("ListMetrics after failures: %v %v", lm, err)
	}
}

func TestGetMetricDataValidation(t *testing.T) {
	e, cw := start(t)
	now := e.Clock.Now()
	ok := func() *cloudwatch.GetMetricDataInput {
		return &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
			MetricDataQueries: []types.MetricDataQuery{stat("m", "N", "M", "Sum", 60)},
		}
	}
	if _, err := cw.GetMetricData(ctxT(t), ok()); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	cases := []struct {
		name string
		f    func(*cloudwatch.GetMetricDataInput)
		code string
	}{
		{"start after end", func(in *cloudwatch.GetMetricDataInput) { in.StartTime = aws.Time(now.Add(time.Hour)) }, "InvalidParameterValue"},
		{"bad id", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].Id = aws.String("M1") }, "InvalidParameterValue"},
		{"duplicate id", func(in *cloudwatch.GetMetricDataInput) {
			in.MetricDataQueries = append(in.MetricDataQueries, stat("m", "N", "M", "Sum", 60))
		}, "InvalidParameterValue"},
		{"bad period", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].MetricStat.Period = aws.Int32(45) }, "InvalidParameterValue"},
		{"bad stat", func(in *cloudwatch.GetMetricDataInput) {
			in.MetricDataQueries[0].MetricStat.Stat = aws.String("Median")
		}, "InvalidParameterValue"},
		{"bad percentile", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].MetricStat.Stat = aws.String("p101") }, "InvalidParameterValue"},
		{"expression", func(in *cloudwatch.GetMetricDataInput) {
			in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{Id: aws.String("e"), Expression: aws.String("m*2")})
		}, "InvalidParameterValue"},
		{"stat and expression", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].Expression = aws.String("m") }, "InvalidParameterCombination"},
		{"no metric name", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].MetricStat.Metric.MetricName = nil }, "MissingParameter"},
		{"501 queries", func(in *cloudwatch.GetMetricDataInput) {
			in.MetricDataQueries = nil
			for i := range 501 {
				in.MetricDataQueries = append(in.MetricDataQueries, stat("m"+string(rune('a'+i%26))+strings.Repeat("x", i/26), "N", "M", "Sum", 60))
			}
		}, "InvalidParameterValue"},
		{"bad scan", func(in *cloudwatch.GetMetricDataInput) { in.ScanBy = "Sideways" }, "InvalidParameterValue"},
		{"zero max", func(in *cloudwatch.GetMetricDataInput) { in.MaxDatapoints = aws.Int32(0) }, "InvalidParameterValue"},
		{"bad unit", func(in *cloudwatch.GetMetricDataInput) { in.MetricDataQueries[0].MetricStat.Unit = "Parsecs" }, "InvalidParameterValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok()
			c.f(in)
			_, err := cw.GetMetricData(ctxT(t), in)
			wantCode(t, err, c.code)
		})
	}
}

func TestGetMetricStatisticsValidation(t *testing.T) {
	e, cw := start(t)
	now := e.Clock.Now()
	base := func() *cloudwatch.GetMetricStatisticsInput {
		return &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"),
			StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSum}}
	}
	cases := []struct {
		name string
		f    func(*cloudwatch.GetMetricStatisticsInput)
		code string
	}{
		{"bad period", func(in *cloudwatch.GetMetricStatisticsInput) { in.Period = aws.Int32(20) }, "InvalidParameterValue"},
		{"bad statistic", func(in *cloudwatch.GetMetricStatisticsInput) { in.Statistics = []types.Statistic{"Median"} }, "InvalidParameterValue"},
		{"bad extended", func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = nil
			in.ExtendedStatistics = []string{"tm99"}
		}, "InvalidParameterValue"},
		{"six statistics", func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics = []types.Statistic{"Sum", "Sum", "Sum", "Sum", "Sum", "Sum"}
		}, "InvalidParameterValue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.f(in)
			_, err := cw.GetMetricStatistics(ctxT(t), in)
			wantCode(t, err, c.code)
		})
	}
}
