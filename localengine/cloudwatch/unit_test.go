package cloudwatch

import (
	"encoding/json"
	"math"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/sluicehq/sluice/localengine/metrics"
)

func TestDecodeQuery(t *testing.T) {
	tree, err := decodeQuery(url.Values{
		"Action":                                        {"PutMetricData"},
		"Namespace":                                     {"N"},
		"MetricData.member.2.MetricName":                {"B"},
		"MetricData.member.10.MetricName":               {"C"},
		"MetricData.member.1.MetricName":                {"A"},
		"MetricData.member.1.Values.member.1":           {"1"},
		"MetricData.member.1.Dimensions.member.1.Name":  {"x"},
		"MetricData.member.1.Dimensions.member.1.Value": {"y"},
		"Empty": {""},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Namespace": "N",
		"Empty":     "",
		"MetricData": []any{
			map[string]any{"MetricName": "A", "Values": []any{"1"},
				"Dimensions": []any{map[string]any{"Name": "x", "Value": "y"}}},
			map[string]any{"MetricName": "B"},
			map[string]any{"MetricName": "C"},
		},
	}
	if !reflect.DeepEqual(tree, want) {
		t.Errorf("tree = %#v", tree)
	}
	for _, bad := range []url.Values{
		{"A.member.0": {"x"}},
		{"A.member.x.B": {"x"}},
		{"A.member": {"x"}},
		{"A": {"x"}, "A.B": {"y"}},
		{"A.member.1": {"x"}, "A.member.1.B": {"y"}},
		{"A..B": {"x"}},
		{"A.member.99999999999": {"x"}},
	} {
		if _, err := decodeQuery(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestBinderScalars(t *testing.T) {
	b := &binder{query: true}
	n := node{m: map[string]any{"I": "42", "F": "2.5", "B": "TRUE", "T": "2024-01-02T03:04:05Z", "E": "1700000000.25", "L": ""}}
	if v := b.int(n, "I"); v == nil || *v != 42 {
		t.Error("int")
	}
	if v := b.float(n, "F"); v == nil || *v != 2.5 {
		t.Error("float")
	}
	if v := b.boolean(n, "B"); v == nil || !*v {
		t.Error("bool")
	}
	if v := b.time(n, "T"); v == nil || !v.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Error("iso time")
	}
	if v := b.time(n, "E"); v == nil || v.UnixMilli() != 1700000000250 {
		t.Error("epoch time")
	}
	if items, _, set := b.list(n, "L"); !set || len(items) != 0 {
		t.Error("empty list")
	}
	if b.err != nil {
		t.Fatal(b.err)
	}

	// Outside the query protocol, strings are not numbers.
	b = &binder{}
	if b.int(node{m: map[string]any{"I": "42"}}, "I"); b.err == nil {
		t.Error("string accepted as an integer")
	}
	b = &binder{}
	cases := map[string]any{"a": json.Number("1.5"), "b": 1.5, "c": uint64(math.MaxUint64), "d": int64(-3)}
	n = node{m: cases}
	if v := b.int(n, "d"); v == nil || *v != -3 {
		t.Error("int64")
	}
	if v := b.int(n, "a"); v != nil || b.err == nil {
		t.Error("1.5 as integer")
	}
	b = &binder{}
	if v := b.int(n, "c"); v != nil || b.err == nil {
		t.Error("huge uint as integer")
	}
	b = &binder{}
	if v := b.time(node{m: map[string]any{"T": math.Inf(1)}}, "T"); v != nil || b.err == nil {
		t.Error("infinite time")
	}
}

func TestPercentiles(t *testing.T) {
	for s, want := range map[string]float64{"p0": 0, "p50": 50, "p99.9": 99.9, "p100": 100, "p0.0001": 0.0001} {
		if p, ok := parsePercentile(s); !ok || p != want {
			t.Errorf("%s = %v %v", s, p, ok)
		}
	}
	for _, s := range []string{"p", "p101", "p-1", "p1e2", "p50.", "q50", "p.5", "p1000", "pNaN", "p99.12345678901"} {
		if _, ok := parsePercentile(s); ok {
			t.Errorf("%s accepted", s)
		}
	}
	var parts []metrics.Agg
	var all metrics.Agg
	for i := 1; i <= 100; i++ {
		var a metrics.Agg
		a.Observe(float64(i))
		parts = append(parts, a)
		all.Merge(a)
	}
	for pct, want := range map[float64]float64{50: 50, 90: 90, 99: 99, 99.5: 100, 0: 1, 100: 100, 0.5: 1} {
		if got := percentile(parts, all, pct); got != want {
			t.Errorf("p%v = %v, want %v", pct, got, want)
		}
	}
	if got := percentile(nil, metrics.Agg{}, 50); got != 0 {
		t.Errorf("empty = %v", got)
	}
}

func TestAlignAndPeriods(t *testing.T) {
	for _, c := range []struct{ start, period, want int64 }{
		{125, 1, 125}, {125, 5, 125}, {127, 10, 120}, {127, 30, 120}, {127, 60, 120}, {127, 3600, 120}, {-1, 60, -60},
	} {
		if got := alignStart(c.start, c.period); got != c.want {
			t.Errorf("alignStart(%d, %d) = %d", c.start, c.period, got)
		}
	}
	for p, ok := range map[int64]bool{1: true, 5: true, 10: true, 30: true, 60: true, 120: true, 86400: true, 0: false, 2: false, 45: false, 90: false, -60: false} {
		if validPeriod(p, false) != ok {
			t.Errorf("validPeriod(%d)", p)
		}
	}
	if !validPeriod(20, true) || validPeriod(20, false) {
		t.Error("20 s periods")
	}
}

func TestEncoders(t *testing.T) {
	ts := time.UnixMilli(1700000000123).UTC()
	o := obj{
		{"S", "a\"<&>"}, {"F", 1.5}, {"N", math.NaN()}, {"I", int64(-7)}, {"B", true}, {"T", ts},
		{"L", []obj{{{"X", "y"}}}}, {"Fs", []float64{1, 2}}, {"Ts", []time.Time{ts}}, {"Ss", []string{"u"}},
		{"M", floatMap{{"p99", 3}}}, {"E", []obj{}},
	}
	var c map[string]any
	if err := cbor.Unmarshal(encodeCBOR(o), &c); err != nil {
		t.Fatal(err)
	}
	if c["S"] != "a\"<&>" || c["F"] != 1.5 || c["I"] != int64(-7) || c["B"] != true {
		t.Errorf("cbor = %#v", c)
	}
	if tm, ok := c["T"].(time.Time); !ok || tm.Round(time.Millisecond).UnixMilli() != ts.UnixMilli() {
		t.Errorf("cbor time = %#v", c["T"])
	}
	var j map[string]any
	if err := json.Unmarshal(encodeJSON(o), &j); err != nil {
		t.Fatalf("%v: %s", err, encodeJSON(o))
	}
	if j["N"] != "NaN" || j["T"] != 1700000000.123 || j["M"].(map[string]any)["p99"] != 3.0 {
		t.Errorf("json = %s", encodeJSON(o))
	}
	x := string(encodeXML("Op", o, "rid"))
	for _, want := range []string{"<S>a&#34;&lt;&amp;&gt;</S>", "<T>2023-11-14T22:13:20.123Z</T>", "<L><member><X>y</X></member></L>",
		"<Fs><member>1</member><member>2</member></Fs>", "<M><entry><key>p99</key><value>3</value></entry></M>", "<RequestId>rid</RequestId>"} {
		if !contains(x, want) {
			t.Errorf("xml lacks %s: %s", want, x)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}
