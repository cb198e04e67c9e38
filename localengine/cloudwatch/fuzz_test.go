package cloudwatch

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/sluicehq/sluice/localengine/store"
)

var fuzzOps = []string{"PutMetricData", "GetMetricData", "GetMetricStatistics", "ListMetrics"}

func fuzzService(f *testing.F) *Service {
	st, err := store.Open(filepath.Join(f.TempDir(), "engine.db"))
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(st, Config{Now: func() time.Time { return time.Unix(1700000000, 0) }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close(); _ = st.Close() })
	return s
}

// serveFuzz answers one request and checks the answer is either a success
// or a client error in the protocol's format: never a panic, never an
// internal failure.
func serveFuzz(t *testing.T, s *Service, proto Protocol, op string, body []byte, params url.Values) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	w := httptest.NewRecorder()
	s.Serve(w, r, proto, op, body, params)
	if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
		t.Fatalf("%s: status %d: %s", op, w.Code, w.Body.Bytes())
	}
	if w.Code >= 400 && proto == CBOR {
		var m map[string]any
		if err := cbor.Unmarshal(w.Body.Bytes(), &m); err != nil || m["__type"] == nil {
			t.Fatalf("%s: error body %x", op, w.Body.Bytes())
		}
	}
}

func mustCBOR(v any) []byte {
	b, err := cbor.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzCBOR(f *testing.F) {
	s := fuzzService(f)
	ts := cbor.Tag{Number: 1, Content: 1699999900.5}
	f.Add(uint8(0), mustCBOR(map[string]any{"Namespace": "N", "MetricData": []any{map[string]any{"MetricName": "M", "Value": 1.5,
		"Timestamp": ts, "StorageResolution": 1, "Dimensions": []any{map[string]any{"Name": "a", "Value": "b"}}}}}))
	f.Add(uint8(0), mustCBOR(map[string]any{"Namespace": "N", "MetricData": []any{map[string]any{"MetricName": "M",
		"Values": []any{1.0, 2.0}, "Counts": []any{1, 3}}}}))
	f.Add(uint8(1), mustCBOR(map[string]any{"StartTime": cbor.Tag{Number: 1, Content: 1699990000}, "EndTime": ts, "MaxDatapoints": 5,
		"MetricDataQueries": []any{map[string]any{"Id": "m", "MetricStat": map[string]any{"Metric": map[string]any{"Namespace": "N", "MetricName": "M"},
			"Period": 1, "Stat": "p90"}}}}))
	f.Add(uint8(2), mustCBOR(map[string]any{"Namespace": "N", "MetricName": "M", "StartTime": cbor.Tag{Number: 1, Content: 1699990000},
		"EndTime": ts, "Period": 60, "Statistics": []any{"Sum"}}))
	f.Add(uint8(3), mustCBOR(map[string]any{"Namespace": "N", "Dimensions": []any{map[string]any{"Name": "a"}}, "RecentlyActive": "PT3H"}))
	f.Add(uint8(3), []byte{0xbf, 0x61, 'N', 0x9f, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		serveFuzz(t, s, CBOR, fuzzOps[int(op)%len(fuzzOps)], body, nil)
	})
}

func FuzzJSON(f *testing.F) {
	s := fuzzService(f)
	f.Add(uint8(0), []byte(`{"Namespace":"N","MetricData":[{"MetricName":"M","Value":1,"Timestamp":1699999990.5,"StorageResolution":1}]}`))
	f.Add(uint8(0), []byte(`{"Namespace":"N","MetricData":[{"MetricName":"M","StatisticValues":{"SampleCount":2,"Sum":3,"Minimum":1,"Maximum":2}}]}`))
	f.Add(uint8(1), []byte(`{"StartTime":1699990000,"EndTime":1700000000,"ScanBy":"TimestampAscending","MetricDataQueries":[{"Id":"m","MetricStat":{"Metric":{"Namespace":"N","MetricName":"M"},"Period":60,"Stat":"Average"}}]}`))
	f.Add(uint8(2), []byte(`{"Namespace":"N","MetricName":"M","StartTime":1699990000,"EndTime":1700000000,"Period":60,"ExtendedStatistics":["p50"]}`))
	f.Add(uint8(3), []byte(`{"NextToken":"AQ"}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		serveFuzz(t, s, JSON, fuzzOps[int(op)%len(fuzzOps)], body, nil)
	})
}

func FuzzQuery(f *testing.F) {
	s := fuzzService(f)
	f.Add(uint8(0), "Namespace=N&MetricData.member.1.MetricName=M&MetricData.member.1.Value=1&MetricData.member.1.Timestamp=2023-11-14T22:13:00Z")
	f.Add(uint8(1), "StartTime=2023-11-14T20:00:00Z&EndTime=2023-11-14T22:13:20Z&MetricDataQueries.member.1.Id=m&MetricDataQueries.member.1.MetricStat.Metric.Namespace=N&MetricDataQueries.member.1.MetricStat.Metric.MetricName=M&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Sum")
	f.Add(uint8(2), "Namespace=N&MetricName=M&StartTime=2023-11-14T20:00:00Z&EndTime=2023-11-14T22:00:00Z&Period=60&Statistics.member.1=Maximum")
	f.Add(uint8(3), "Dimensions.member.1.Name=a&Dimensions.member.1.Value=b")
	f.Fuzz(func(t *testing.T, op uint8, query string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return // the router answers unparsable forms itself
		}
		serveFuzz(t, s, Query, fuzzOps[int(op)%len(fuzzOps)], nil, params)
	})
}
