package cloudwatch_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func TestPutThenGetMetricData(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	host := dims("Host", "a")
	// Three seconds of one minute and one second of the next.
	put(t, cw, "App",
		hiRes("Latency", 10, base, host...),
		hiRes("Latency", 30, base, host...),
		hiRes("Latency", 20, base.Add(1*time.Second), host...),
		hiRes("Latency", 5, base.Add(2*time.Second), host...),
		hiRes("Latency", 100, base.Add(60*time.Second), host...),
		hiRes("Requests", 1, base, dims("Host", "b")...),
	)
	out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base.Add(-time.Minute)), EndTime: aws.Time(base.Add(2 * time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{
			stat("sum1", "App", "Latency", "Sum", 1, host...),
			stat("avg1", "App", "Latency", "Average", 1, host...),
			stat("n60", "App", "Latency", "SampleCount", 60, host...),
			stat("min60", "App", "Latency", "Minimum", 60, host...),
			stat("max60", "App", "Latency", "Maximum", 60, host...),
			stat("avg60", "App", "Latency", "Average", 60, host...),
			stat("p50", "App", "Latency", "p50", 60, host...),
			stat("other", "App", "Requests", "Sum", 60, dims("Host", "b")...),
			stat("none", "App", "Latency", "Sum", 60, dims("Host", "zzz")...),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 9 || out.NextToken != nil {
		t.Fatalf("%d results, token %v", len(out.MetricDataResults), out.NextToken)
	}
	r := resultsByID(t, out)
	b := base.Unix()
	check := func(id string, want map[int64]float64) {
		t.Helper()
		got := r[id]
		if got.status != types.StatusCodeComplete {
			t.Errorf("%s: status %s", id, got.status)
		}
		if len(got.values) != len(want) {
			t.Errorf("%s: %v, want %v", id, got.values, want)
			return
		}
		for ts, v := range want {
			if !near(got.values[ts], v) {
				t.Errorf("%s at %d: %v, want %v", id, ts-b, got.values[ts], v)
			}
		}
	}
	check("sum1", map[int64]float64{b: 40, b + 1: 20, b + 2: 5, b + 60: 100})
	check("avg1", map[int64]float64{b: 20, b + 1: 20, b + 2: 5, b + 60: 100})
	check("n60", map[int64]float64{b: 4, b + 60: 1})
	check("min60", map[int64]float64{b: 5, b + 60: 100})
	check("max60", map[int64]float64{b: 30, b + 60: 100})
	check("avg60", map[int64]float64{b: 16.25, b + 60: 100})
	check("p50", map[int64]float64{b: 20, b + 60: 100})
	check("other", map[int64]float64{b: 1})
	check("none", map[int64]float64{})
	// TimestampDescending is the default.
	if o := r["sum1"].order; len(o) != 4 || o[0] != b+60 || o[3] != b {
		t.Errorf("default order = %v", o)
	}
	if r["sum1"].label != "Latency" {
		t.Errorf("default label = %q", r["sum1"].label)
	}

	asc, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(2 * time.Minute)),
		ScanBy: types.ScanByTimestampAscending,
		MetricDataQueries: []types.MetricDataQuery{
			func() types.MetricDataQuery {
				q := stat("s", "App", "Latency", "Sum", 1, host...)
				q.Label = aws.String("my label")
				return q
			}(),
			func() types.MetricDataQuery {
				q := stat("hidden", "App", "Latency", "Sum", 1, host...)
				q.ReturnData = aws.Bool(false)
				return q
			}(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ra := resultsByID(t, asc)
	if o := ra["s"].order; len(o) != 4 || o[0] != b || o[3] != b+60 {
		t.Errorf("ascending order = %v", o)
	}
	if ra["s"].label != "my label" {
		t.Errorf("label = %q", ra["s"].label)
	}
	if _, ok := ra["hidden"]; ok || len(asc.MetricDataResults) != 1 {
		t.Errorf("ReturnData=false was returned")
	}
}

func TestPeriodsAlignAndSubMinute(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	var data []types.MetricDatum
	for i := range 60 {
		data = append(data, hiRes("Tick", float64(i), base.Add(time.Duration(i)*time.Second)))
	}
	put(t, cw, "Clock", data...)
	out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		// A start inside a 10-second period is rounded down to it.
		StartTime: aws.Time(base.Add(3 * time.Second)), EndTime: aws.Time(base.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{
			stat("p10", "Clock", "Tick", "Sum", 10),
			stat("p5", "Clock", "Tick", "SampleCount", 5),
			stat("p20", "Clock", "Tick", "Maximum", 20),
			stat("p30", "Clock", "Tick", "Minimum", 30),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := resultsByID(t, out)
	b := base.Unix()
	if v := r["p10"].values; len(v) != 6 || v[b] != 45 || v[b+50] != 545 {
		t.Errorf("10 s sums = %v", v)
	}
	if v := r["p5"].values; len(v) != 12 || v[b+55] != 5 {
		t.Errorf("5 s counts = %v", v)
	}
	if v := r["p20"].values; len(v) != 3 || v[b+20] != 39 {
		t.Errorf("20 s max = %v", v)
	}
	if v := r["p30"].values; len(v) != 2 || v[b+30] != 30 {
		t.Errorf("30 s min = %v", v)
	}
}

func TestValuesCountsAndStatisticSets(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	_, err := cw.PutMetricData(ctxT(t), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Shop"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("Basket"), Timestamp: aws.Time(base), StorageResolution: aws.Int32(1),
				Values: []float64{1, 2, 10}, Counts: []float64{3, 1, 1}},
			{MetricName: aws.String("Basket"), Timestamp: aws.Time(base.Add(time.Second)), StorageResolution: aws.Int32(1),
				Values: []float64{4, 6}},
			{MetricName: aws.String("Basket"), Timestamp: aws.Time(base.Add(2 * time.Second)), StorageResolution: aws.Int32(1),
				StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(10), Sum: aws.Float64(100), Minimum: aws.Float64(0), Maximum: aws.Float64(50)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cw.GetMetricStatistics(ctxT(t), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Shop"), MetricName: aws.String("Basket"),
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum, types.StatisticAverage, types.StatisticMinimum, types.StatisticMaximum},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Datapoints) != 1 || aws.ToString(st.Label) != "Basket" {
		t.Fatalf("datapoints = %+v", st.Datapoints)
	}
	dp := st.Datapoints[0]
	// 5 + 2 + 10 samples; 15 + 10 + 100 summed.
	if *dp.SampleCount != 17 || *dp.Sum != 125 || *dp.Minimum != 0 || *dp.Maximum != 50 || !near(*dp.Average, 125.0/17) {
		t.Errorf("datapoint = count %v sum %v min %v max %v avg %v", *dp.SampleCount, *dp.Sum, *dp.Minimum, *dp.Maximum, *dp.Average)
	}
	if !dp.Timestamp.Equal(base) || dp.Unit != types.StandardUnitNone {
		t.Errorf("timestamp %v unit %s", dp.Timestamp, dp.Unit)
	}
}

func TestGetMetricStatistics(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	var data []types.MetricDatum
	for i := range 100 {
		d := hiRes("Size", float64(i+1), base.Add(time.Duration(i)*time.Second), dims("Queue", "q")...)
		d.Unit = types.StandardUnitBytes
		data = append(data, d)
	}
	put(t, cw, "Q", data...)
	in := func() *cloudwatch.GetMetricStatisticsInput {
		return &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("Q"), MetricName: aws.String("Size"), Dimensions: dims("Queue", "q"),
			StartTime: aws.Time(base), EndTime: aws.Time(base.Add(2 * time.Minute)), Period: aws.Int32(60),
		}
	}
	q := in()
	q.Statistics = []types.Statistic{types.StatisticSum, types.StatisticMaximum}
	out, err := cw.GetMetricStatistics(ctxT(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 2 {
		t.Fatalf("datapoints = %d", len(out.Datapoints))
	}
	first, second := out.Datapoints[0], out.Datapoints[1]
	if *first.Sum != 1830 || *first.Maximum != 60 || first.Average != nil || first.Unit != types.StandardUnitBytes {
		t.Errorf("first minute = sum %v max %v unit %s", *first.Sum, *first.Maximum, first.Unit)
	}
	if *second.Sum != 3220 || !second.Timestamp.Equal(base.Add(time.Minute)) {
		t.Errorf("second minute = %v at %v", *second.Sum, second.Timestamp)
	}

	q = in()
	q.ExtendedStatistics = []string{"p50", "p90", "p100", "p0"}
	out, err = cw.GetMetricStatistics(ctxT(t), q)
	if err != nil {
		t.Fatal(err)
	}
	ext := out.Datapoints[0].ExtendedStatistics
	if ext["p50"] != 30 || ext["p90"] != 54 || ext["p100"] != 60 || ext["p0"] != 1 {
		t.Errorf("percentiles = %v", ext)
	}

	// A unit filter keeps only datapoints of that unit.
	q = in()
	q.Statistics = []types.Statistic{types.StatisticSum}
	q.Unit = types.StandardUnitCount
	if out, err = cw.GetMetricStatistics(ctxT(t), q); err != nil || len(out.Datapoints) != 0 {
		t.Errorf("Count unit: %v %v", out, err)
	}

	// More than 1,440 datapoints.
	q = in()
	q.Statistics = []types.Statistic{types.StatisticSum}
	q.Period = aws.Int32(1)
	q.EndTime = aws.Time(base.Add(1441 * time.Second))
	_, err = cw.GetMetricStatistics(ctxT(t), q)
	var combo *types.InvalidParameterCombinationException
	if !asType(err, &combo) {
		t.Fatalf("1,441 points: %v", err)
	}
	wantCode(t, err, "InvalidParameterCombination")

	// Neither, and both, kinds of statistics.
	q = in()
	_, err = cw.GetMetricStatistics(ctxT(t), q)
	wantCode(t, err, "InvalidParameterCombination")
	q.Statistics = []types.Statistic{types.StatisticSum}
	q.ExtendedStatistics = []string{"p99"}
	_, err = cw.GetMetricStatistics(ctxT(t), q)
	wantCode(t, err, "InvalidParameterCombination")
}

func TestStandardResolutionIsKeptPerMinute(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	put(t, cw, "Std",
		types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(1), Timestamp: aws.Time(base.Add(10 * time.Second))},
		types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(2), Timestamp: aws.Time(base.Add(50 * time.Second))},
	)
	out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{stat("s", "Std", "M", "Sum", 1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := resultsByID(t, out)["s"].values; len(v) != 1 || v[base.Unix()] != 3 {
		t.Errorf("1 s query of standard-resolution data = %v", v)
	}
}

func TestGetMetricDataPages(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	var data []types.MetricDatum
	for i := range 50 {
		data = append(data, hiRes("A", 1, base.Add(time.Duration(i)*time.Second)))
		data = append(data, hiRes("B", 2, base.Add(time.Duration(i)*time.Second)))
	}
	put(t, cw, "Pages", data...)
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Minute)), MaxDatapoints: aws.Int32(30),
		MetricDataQueries: []types.MetricDataQuery{stat("a", "Pages", "A", "Sum", 1), stat("b", "Pages", "B", "Sum", 1)},
	}
	seen := map[string]map[int64]bool{"a": {}, "b": {}}
	pages := 0
	p := cloudwatch.NewGetMetricDataPaginator(cw, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range out.MetricDataResults {
			n += len(r.Timestamps)
			for _, ts := range r.Timestamps {
				if seen[*r.Id][ts.Unix()] {
					t.Errorf("%s %v returned twice", *r.Id, ts)
				}
				seen[*r.Id][ts.Unix()] = true
			}
			if out.NextToken != nil && r.StatusCode != types.StatusCodePartialData && *r.Id == "b" && len(seen["b"]) < 50 {
				t.Errorf("partial result marked %s", r.StatusCode)
			}
		}
		if n > 30 {
			t.Errorf("page of %d datapoints, max 30", n)
		}
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	if pages != 4 || len(seen["a"]) != 50 || len(seen["b"]) != 50 {
		t.Errorf("pages %d, a %d, b %d", pages, len(seen["a"]), len(seen["b"]))
	}

	// A token only works for the request it came from.
	first, err := cw.GetMetricData(ctxT(t), in)
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	other := *in
	other.EndTime = aws.Time(base.Add(2 * time.Minute))
	other.NextToken = first.NextToken
	_, err = cw.GetMetricData(ctxT(t), &other)
	var bad *types.InvalidNextToken
	if !asType(err, &bad) {
		t.Fatalf("foreign token: %v", err)
	}
	other.NextToken = aws.String("garbage!")
	_, err = cw.GetMetricData(ctxT(t), &other)
	wantCode(t, err, "InvalidNextToken")
}

func TestOldDataComesFromMinuteRollups(t *testing.T) {
	e, cw := start(t)
	now := e.Clock.Now().UTC().Truncate(time.Minute)
	old := now.Add(-5 * time.Hour)
	recent := now.Add(-5 * time.Minute)
	put(t, cw, "Roll",
		hiRes("M", 4, old), hiRes("M", 6, old.Add(time.Second)),
		hiRes("M", 1, recent),
	)
	query := func(period int32) map[int64]float64 {
		out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(now.Add(-6 * time.Hour)), EndTime: aws.Time(now),
			MetricDataQueries: []types.MetricDataQuery{stat("m", "Roll", "M", "Sum", period)},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resultsByID(t, out)["m"].values
	}
	// 1-second data exists for the last 3 hours only.
	if v := query(1); len(v) != 1 || v[recent.Unix()] != 1 {
		t.Errorf("1 s = %v", v)
	}
	if v := query(60); len(v) != 2 || v[old.Unix()] != 10 || v[recent.Unix()] != 1 {
		t.Errorf("60 s = %v", v)
	}
	if v := query(3600); len(v) != 2 {
		t.Errorf("1 h = %v", v)
	}

	// Four hours later the recent datapoint has left the 1-second window
	// too, and is still there at a minute.
	e.Clock.Advance(4 * time.Hour)
	if v := query(1); len(v) != 0 {
		t.Errorf("1 s after 4 h = %v", v)
	}
	out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-6 * time.Hour)), EndTime: aws.Time(now.Add(5 * time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{stat("m", "Roll", "M", "Sum", 60)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := resultsByID(t, out)["m"].values; len(v) != 2 {
		t.Errorf("60 s after 4 h = %v", v)
	}

	// After 15 days, the rollups are gone too.
	e.Clock.Advance(15 * 24 * time.Hour)
	out, err = cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-6 * time.Hour)), EndTime: aws.Time(e.Clock.Now()),
		MetricDataQueries: []types.MetricDataQuery{stat("m", "Roll", "M", "Sum", 3600)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := resultsByID(t, out)["m"].values; len(v) != 0 {
		t.Errorf("after 15 days = %v", v)
	}
}

func TestRestartKeepsMetrics(t *testing.T) {
	r := newRestartable(t)
	cw := r.e.CloudWatch()
	base := baseTime(r.e)
	put(t, cw, "Durable", hiRes("M", 7, base, dims("K", "v")...))
	r.stop(t)
	r.start(t)
	cw = r.e.CloudWatch()
	out, err := cw.GetMetricData(ctxT(t), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{stat("m", "Durable", "M", "Sum", 1, dims("K", "v")...)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := resultsByID(t, out)["m"].values; v[base.Unix()] != 7 {
		t.Errorf("after restart = %v", v)
	}
	lm, err := cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{Namespace: aws.String("Durable")})
	if err != nil || len(lm.Metrics) != 1 {
		t.Fatalf("ListMetrics after restart: %v %v", lm, err)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	put(t, cw, "Reg", hiRes("M", 1, base))
	west := cloudwatch.NewFromConfig(e.Config(), func(o *cloudwatch.Options) { o.Region = "eu-west-1" })
	lm, err := west.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{Namespace: aws.String("Reg")})
	if err != nil || len(lm.Metrics) != 0 {
		t.Fatalf("other region lists %v (%v)", lm, err)
	}
}
