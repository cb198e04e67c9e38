package cloudwatch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

// BenchmarkGetMetricData reads 20 series holding one datapoint a second
// over the last 3 hours, at 1-minute periods (one call) and at 1-second
// periods (216,000 datapoints, paged at 100,800), through the SDK.
func BenchmarkGetMetricData(b *testing.B) {
	const nSeries = 20
	const span = 3 * time.Hour
	e := enginetest.Start(b)
	cw := e.CloudWatch()
	end := e.Clock.Now().UTC().Truncate(time.Minute)
	start := end.Add(-span + time.Minute) // inside the 1-second window
	var data []types.MetricDatum
	for s := range nSeries {
		for ts := start; ts.Before(end); ts = ts.Add(time.Second) {
			data = append(data, hiRes("Load", float64(ts.Unix()%100), ts, dims("Host", fmt.Sprintf("h%02d", s))...))
		}
	}
	put(b, cw, "Bench", data...)
	points := len(data)

	queries := func(period int32) []types.MetricDataQuery {
		q := make([]types.MetricDataQuery, nSeries)
		for s := range q {
			q[s] = stat(fmt.Sprintf("q%d", s), "Bench", "Load", "Average", period, dims("Host", fmt.Sprintf("h%02d", s))...)
		}
		return q
	}
	for _, period := range []int32{60, 1} {
		b.Run(fmt.Sprintf("period=%ds", period), func(b *testing.B) {
			in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(end), MetricDataQueries: queries(period)}
			want := points / int(period)
			b.ResetTimer()
			began := time.Now()
			for range b.N {
				got := 0
				p := cloudwatch.NewGetMetricDataPaginator(cw, in)
				for p.HasMorePages() {
					out, err := p.NextPage(ctxT(b))
					if err != nil {
						b.Fatal(err)
					}
					for _, r := range out.MetricDataResults {
						got += len(r.Values)
					}
				}
				if got != want {
					b.Fatalf("read %d datapoints, want %d", got, want)
				}
			}
			elapsed := time.Since(began)
			b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(want), "datapoints/op")
		})
	}
}
