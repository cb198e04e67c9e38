package cloudwatch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func TestListMetrics(t *testing.T) {
	e, cw := start(t)
	base := baseTime(e)
	var data []types.MetricDatum
	// 600 series: more than one page of 500.
	for i := range 600 {
		data = append(data, hiRes("Requests", 1, base, dims("Host", fmt.Sprintf("h%03d", i), "Env", "prod")...))
	}
	data = append(data,
		hiRes("Errors", 1, base, dims("Host", "h000")...),
		hiRes("Errors", 1, base),
	)
	put(t, cw, "Web", data...)
	put(t, cw, "Batch", hiRes("Jobs", 1, base))

	all := 0
	pages := 0
	p := cloudwatch.NewListMetricsPaginator(cw, &cloudwatch.ListMetricsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Metrics) > 500 {
			t.Errorf("page of %d", len(out.Metrics))
		}
		all += len(out.Metrics)
		pages++
	}
	if all != 603 || pages != 2 {
		t.Errorf("listed %d in %d pages", all, pages)
	}

	count := func(in *cloudwatch.ListMetricsInput) int {
		t.Helper()
		n := 0
		p := cloudwatch.NewListMetricsPaginator(cw, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Metrics)
		}
		return n
	}
	if n := count(&cloudwatch.ListMetricsInput{Namespace: aws.String("Batch")}); n != 1 {
		t.Errorf("Batch = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{Namespace: aws.String("Web"), MetricName: aws.String("Errors")}); n != 2 {
		t.Errorf("Web/Errors = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{MetricName: aws.String("Requests")}); n != 600 {
		t.Errorf("Requests = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Host"), Value: aws.String("h000")}}}); n != 2 {
		t.Errorf("Host=h000 = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Env")}}}); n != 600 {
		t.Errorf("Env = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{Namespace: aws.String("Nope")}); n != 0 {
		t.Errorf("Nope = %d", n)
	}

	out, err := cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{Namespace: aws.String("Web"), MetricName: aws.String("Errors"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("Host")}}, IncludeLinkedAccounts: aws.Bool(true)})
	if err != nil || len(out.Metrics) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	m := out.Metrics[0]
	if *m.Namespace != "Web" || *m.MetricName != "Errors" || len(m.Dimensions) != 1 || *m.Dimensions[0].Value != "h000" {
		t.Errorf("metric = %+v", m)
	}
	if len(out.OwningAccounts) != 1 || out.OwningAccounts[0] != "000000000000" {
		t.Errorf("owning accounts = %v", out.OwningAccounts)
	}

	// RecentlyActive: nothing is, four hours on.
	if n := count(&cloudwatch.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h}); n != 603 {
		t.Errorf("recently active now = %d", n)
	}
	e.Clock.Advance(4 * time.Hour)
	if n := count(&cloudwatch.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h}); n != 0 {
		t.Errorf("recently active later = %d", n)
	}
	if n := count(&cloudwatch.ListMetricsInput{Namespace: aws.String("Batch")}); n != 1 {
		t.Errorf("Batch later = %d", n)
	}

	_, err = cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{NextToken: aws.String("not-a-token")})
	var bad *types.InvalidNextToken
	if !asType(err, &bad) {
		t.Errorf("bad token: %v", err)
	}
	_, err = cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{RecentlyActive: "PT1H"})
	wantCode(t, err, "InvalidParameterValue")
	eleven := make([]types.DimensionFilter, 11)
	for i := range eleven {
		eleven[i].Name = aws.String(fmt.Sprint("d", i))
	}
	_, err = cw.ListMetrics(ctxT(t), &cloudwatch.ListMetricsInput{Dimensions: eleven})
	wantCode(t, err, "InvalidParameterValue")
}
