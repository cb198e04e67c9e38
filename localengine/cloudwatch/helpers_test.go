package cloudwatch_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func start(t testing.TB, opts ...enginetest.Option) (*enginetest.Engine, *cloudwatch.Client) {
	t.Helper()
	e := enginetest.Start(t, opts...)
	return e, e.CloudWatch()
}

// restartable is an engine on a data directory the test keeps.
type restartable struct {
	dir string
	e   *enginetest.Engine
}

func newRestartable(t testing.TB) *restartable {
	r := &restartable{dir: t.TempDir()}
	r.start(t)
	return r
}

func (r *restartable) start(t testing.TB) {
	t.Helper()
	r.e = enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = r.dir }))
}

func (r *restartable) stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.e.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// baseTime is a minute boundary some minutes before the engine's now, so
// that datapoints put relative to it are in the past and aligned.
func baseTime(e *enginetest.Engine) time.Time {
	return e.Clock.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
}

func dims(kv ...string) []types.Dimension {
	var out []types.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// hiRes is a high-resolution datum of value v at time at.
func hiRes(name string, v float64, at time.Time, d ...types.Dimension) types.MetricDatum {
	return types.MetricDatum{MetricName: aws.String(name), Value: aws.Float64(v), Timestamp: aws.Time(at),
		StorageResolution: aws.Int32(1), Dimensions: d, Unit: types.StandardUnitCount}
}

func put(t testing.TB, cw *cloudwatch.Client, ns string, data ...types.MetricDatum) {
	t.Helper()
	for len(data) > 0 {
		n := min(len(data), 1000)
		if _, err := cw.PutMetricData(ctxT(t), &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data[:n]}); err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
		data = data[n:]
	}
}

// stat is a MetricStat query.
func stat(id, ns, name, statistic string, period int32, d ...types.Dimension) types.MetricDataQuery {
	return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
		Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: d},
		Period: aws.Int32(period), Stat: aws.String(statistic),
	}}
}

// series is one MetricDataResult as (unix second -> value), with its
// timestamps in answer order.
type series struct {
	order  []int64
	values map[int64]float64
	status types.StatusCode
	label  string
}

func resultsByID(t testing.TB, out *cloudwatch.GetMetricDataOutput) map[string]series {
	t.Helper()
	m := map[string]series{}
	for _, r := range out.MetricDataResults {
		if len(r.Timestamps) != len(r.Values) {
			t.Fatalf("%s: %d timestamps, %d values", aws.ToString(r.Id), len(r.Timestamps), len(r.Values))
		}
		s := series{values: map[int64]float64{}, status: r.StatusCode, label: aws.ToString(r.Label)}
		for i, ts := range r.Timestamps {
			s.order = append(s.order, ts.Unix())
			s.values[ts.Unix()] = r.Values[i]
		}
		m[aws.ToString(r.Id)] = s
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// wantCode asserts err is an API error with the code, and of type T when
// the SDK has one.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if api.ErrorCode() != code {
		t.Fatalf("error code = %s (%v), want %s", api.ErrorCode(), err, code)
	}
}

// raw sends a request to the engine over plain HTTP, as non-Go clients do.
func raw(t testing.TB, e *enginetest.Engine, method, path string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), method, e.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	enginetest.Sign(t, req, "monitoring")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func jsonCall(t testing.TB, e *enginetest.Engine, op, body string) (*http.Response, []byte) {
	return raw(t, e, http.MethodPost, "/", http.Header{
		"X-Amz-Target": {"GraniteServiceVersion20100801." + op},
		"Content-Type": {"application/x-amz-json-1.0"},
	}, []byte(body))
}

func queryCall(t testing.TB, e *enginetest.Engine, params url.Values) (*http.Response, []byte) {
	params.Set("Version", "2010-08-01")
	return raw(t, e, http.MethodPost, "/", http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"},
	}, []byte(params.Encode()))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
