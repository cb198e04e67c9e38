package cloudwatch_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func TestJSONProtocol(t *testing.T) {
	e, _ := start(t)
	base := baseTime(e)
	epoch := func(d time.Duration) string { return strconv.FormatInt(base.Add(d).Unix(), 10) }

	resp, body := jsonCall(t, e, "PutMetricData", `{"Namespace":"J","MetricData":[
		{"MetricName":"M","Value":3,"Timestamp":`+epoch(0)+`,"StorageResolution":1,"Unit":"Count","Dimensions":[{"Name":"A","Value":"b"}]},
		{"MetricName":"M","Values":[1,2],"Counts":[1,1],"Timestamp":`+epoch(time.Second)+`.5,"StorageResolution":1,"Dimensions":[{"Name":"A","Value":"b"}]}]}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("PutMetricData: %d %s", resp.StatusCode, body)
	}

	resp, body = jsonCall(t, e, "GetMetricData", `{"StartTime":`+epoch(0)+`,"EndTime":`+epoch(time.Minute)+`,"ScanBy":"TimestampAscending",
		"MetricDataQueries":[{"Id":"m","MetricStat":{"Metric":{"Namespace":"J","MetricName":"M","Dimensions":[{"Name":"A","Value":"b"}]},"Period":1,"Stat":"Sum"}}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("GetMetricData: %d %s", resp.StatusCode, body)
	}
	var gmd struct {
		MetricDataResults []struct {
			Id         string
			Timestamps []float64
			Values     []float64
			StatusCode string
		}
	}
	if err := json.Unmarshal(body, &gmd); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	r := gmd.MetricDataResults
	if len(r) != 1 || r[0].StatusCode != "Complete" || len(r[0].Values) != 2 || r[0].Values[0] != 3 || r[0].Values[1] != 3 ||
		r[0].Timestamps[0] != float64(base.Unix()) {
		t.Errorf("GetMetricData = %s", body)
	}

	resp, body = jsonCall(t, e, "GetMetricStatistics", `{"Namespace":"J","MetricName":"M","Dimensions":[{"Name":"A","Value":"b"}],
		"StartTime":`+epoch(0)+`,"EndTime":`+epoch(time.Minute)+`,"Period":60,"ExtendedStatistics":["p100"]}`)
	var gms struct {
		Label      string
		Datapoints []struct {
			Timestamp          float64
			ExtendedStatistics map[string]float64
			Unit               string
		}
	}
	if err := json.Unmarshal(body, &gms); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	if gms.Label != "M" || len(gms.Datapoints) != 1 || gms.Datapoints[0].ExtendedStatistics["p100"] != 3 {
		t.Errorf("GetMetricStatistics = %s", body)
	}

	resp, body = jsonCall(t, e, "ListMetrics", `{"Namespace":"J"}`)
	if resp.StatusCode != 200 || !contains(string(body), `"Metrics":[{"Namespace":"J","MetricName":"M","Dimensions":[{"Name":"A","Value":"b"}]}]`) {
		t.Errorf("ListMetrics = %d %s", resp.StatusCode, body)
	}

	// A gzip-compressed body, as SDKs send PutMetricData.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	fmt.Fprintf(zw, `{"Namespace":"J","MetricData":[{"MetricName":"Z","Value":1}]}`)
	zw.Close()
	resp, body = raw(t, e, http.MethodPost, "/", http.Header{
		"X-Amz-Target":     {"GraniteServiceVersion20100801.PutMetricData"},
		"Content-Type":     {"application/x-amz-json-1.0"},
		"Content-Encoding": {"gzip"},
	}, zb.Bytes())
	if resp.StatusCode != 200 {
		t.Errorf("gzip PutMetricData: %d %s", resp.StatusCode, body)
	}

	errCases := []struct {
		op, body, typ, query string
		status               int
	}{
		{"PutMetricData", `{"MetricData":[{"MetricName":"M","Value":1}]}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"PutMetricData", `{"Namespace":"J","MetricData":[{"Value":1}]}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"PutMetricData", `{"Namespace":"J","MetricData":[{"MetricName":"M","StatisticValues":{"SampleCount":1}}]}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"PutMetricData", `{"Namespace":"J","MetricData":[{"MetricName":"M","Value":"1"}]}`, "SerializationException", "SerializationException;Sender", 400},
		{"PutMetricData", `{"Namespace":"J",`, "SerializationException", "SerializationException;Sender", 400},
		{"GetMetricData", `{"EndTime":1}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"GetMetricStatistics", `{"Namespace":"J","MetricName":"M","StartTime":1,"EndTime":2}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"ListMetrics", `{"Dimensions":[{"Value":"x"}]}`, "MissingRequiredParameterException", "MissingParameter;Sender", 400},
		{"ListMetrics", `{"NextToken":"@@"}`, "InvalidNextToken", "InvalidNextToken;Sender", 400},
		{"DescribeAlarms", `{}`, "UnknownOperationException", "UnknownOperationException;Sender", 400},
	}
	for _, c := range errCases {
		resp, body := jsonCall(t, e, c.op, c.body)
		var eb struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &eb)
		if resp.StatusCode != c.status || eb.Type != c.typ || eb.Message == "" || resp.Header.Get("X-Amzn-Query-Error") != c.query {
			t.Errorf("%s %s: %d %s (query error %q)", c.op, c.body, resp.StatusCode, body, resp.Header.Get("X-Amzn-Query-Error"))
		}
	}
}

// queryResponse holds what the tests read of the query protocol's XML.
type queryResponse struct {
	XMLName xml.Name
	Result  struct {
		Label      string `xml:"Label"`
		Datapoints []struct {
			Timestamp string  `xml:"Timestamp"`
			Sum       float64 `xml:"Sum"`
			Unit      string  `xml:"Unit"`
			Extended  []struct {
				Key   string  `xml:"key"`
				Value float64 `xml:"value"`
			} `xml:"ExtendedStatistics>entry"`
		} `xml:"Datapoints>member"`
		Results []struct {
			ID         string    `xml:"Id"`
			Timestamps []string  `xml:"Timestamps>member"`
			Values     []float64 `xml:"Values>member"`
			StatusCode string    `xml:"StatusCode"`
		} `xml:"MetricDataResults>member"`
		Metrics []struct {
			Namespace  string `xml:"Namespace"`
			MetricName string `xml:"MetricName"`
			Dimensions []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Dimensions>member"`
		} `xml:"Metrics>member"`
	} `xml:",any"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func TestQueryProtocol(t *testing.T) {
	e, _ := start(t)
	base := baseTime(e)
	iso := func(d time.Duration) string { return base.Add(d).Format(time.RFC3339) }

	resp, body := queryCall(t, e, url.Values{
		"Action":                                        {"PutMetricData"},
		"Namespace":                                     {"Q"},
		"MetricData.member.1.MetricName":                {"M"},
		"MetricData.member.1.Value":                     {"2.5"},
		"MetricData.member.1.Timestamp":                 {iso(0)},
		"MetricData.member.1.StorageResolution":         {"1"},
		"MetricData.member.1.Unit":                      {"Seconds"},
		"MetricData.member.1.Dimensions.member.1.Name":  {"Env"},
		"MetricData.member.1.Dimensions.member.1.Value": {"prod"},
		"MetricData.member.2.MetricName":                {"M"},
		"MetricData.member.2.Values.member.1":           {"1"},
		"MetricData.member.2.Values.member.2":           {"4"},
		"MetricData.member.2.Timestamp":                 {iso(time.Second)},
		"MetricData.member.2.StorageResolution":         {"1"},
		"MetricData.member.2.Unit":                      {"Seconds"},
		"MetricData.member.2.Dimensions.member.1.Name":  {"Env"},
		"MetricData.member.2.Dimensions.member.1.Value": {"prod"},
	})
	if resp.StatusCode != 200 || !contains(string(body), "<PutMetricDataResponse") || !contains(string(body), "<RequestId>") {
		t.Fatalf("PutMetricData: %d %s", resp.StatusCode, body)
	}

	var out queryResponse
	resp, body = queryCall(t, e, url.Values{
		"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}, "MetricName": {"M"},
		"Dimensions.member.1.Name": {"Env"}, "Dimensions.member.1.Value": {"prod"},
		"StartTime": {iso(0)}, "EndTime": {iso(time.Minute)}, "Period": {"60"},
		"Statistics.member.1": {"Sum"},
	})
	if err := xml.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	if out.XMLName.Local != "GetMetricStatisticsResponse" || out.XMLName.Space != "http://monitoring.amazonaws.com/doc/2010-08-01/" {
		t.Errorf("root = %v", out.XMLName)
	}
	dp := out.Result.Datapoints
	if out.Result.Label != "M" || len(dp) != 1 || dp[0].Sum != 7.5 || dp[0].Unit != "Seconds" || dp[0].Timestamp != iso(0) {
		t.Errorf("GetMetricStatistics = %s", body)
	}

	resp, body = queryCall(t, e, url.Values{
		"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}, "MetricName": {"M"},
		"Dimensions.member.1.Name": {"Env"}, "Dimensions.member.1.Value": {"prod"},
		"StartTime": {iso(0)}, "EndTime": {iso(time.Minute)}, "Period": {"60"},
		"ExtendedStatistics.member.1": {"p100"},
	})
	out = queryResponse{}
	if err := xml.Unmarshal(body, &out); err != nil || len(out.Result.Datapoints) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	if ext := out.Result.Datapoints[0].Extended; len(ext) != 1 || ext[0].Key != "p100" || ext[0].Value != 4 {
		t.Errorf("extended = %s", body)
	}

	resp, body = queryCall(t, e, url.Values{
		"Action": {"GetMetricData"}, "StartTime": {iso(0)}, "EndTime": {iso(time.Minute)},
		"MetricDataQueries.member.1.Id":                                          {"m"},
		"MetricDataQueries.member.1.MetricStat.Metric.Namespace":                 {"Q"},
		"MetricDataQueries.member.1.MetricStat.Metric.MetricName":                {"M"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name":  {"Env"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value": {"prod"},
		"MetricDataQueries.member.1.MetricStat.Period":                           {"1"},
		"MetricDataQueries.member.1.MetricStat.Stat":                             {"Maximum"},
		"MetricDataQueries.member.1.ReturnData":                                  {"true"},
	})
	out = queryResponse{}
	if err := xml.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	res := out.Result.Results
	if len(res) != 1 || res[0].ID != "m" || len(res[0].Values) != 2 || res[0].Values[0] != 4 || res[0].Values[1] != 2.5 ||
		res[0].Timestamps[1] != iso(0) || res[0].StatusCode != "Complete" {
		t.Errorf("GetMetricData = %s", body)
	}

	resp, body = queryCall(t, e, url.Values{"Action": {"ListMetrics"}, "Namespace": {"Q"}})
	out = queryResponse{}
	if err := xml.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	if m := out.Result.Metrics; len(m) != 1 || m[0].MetricName != "M" || len(m[0].Dimensions) != 1 || m[0].Dimensions[0].Value != "prod" {
		t.Errorf("ListMetrics = %s", body)
	}

	errCases := []struct {
		params url.Values
		code   string
	}{
		{url.Values{"Action": {"PutMetricData"}, "MetricData.member.1.MetricName": {"M"}, "MetricData.member.1.Value": {"1"}}, "MissingParameter"},
		{url.Values{"Action": {"PutMetricData"}, "Namespace": {"AWS/SQS"}, "MetricData.member.1.MetricName": {"M"}, "MetricData.member.1.Value": {"1"}}, "InvalidParameterValue"},
		{url.Values{"Action": {"PutMetricData"}, "Namespace": {"Q"}, "MetricData.member.1.MetricName": {"M"}, "MetricData.member.1.Value": {"one"}}, "InvalidParameterValue"},
		{url.Values{"Action": {"PutMetricData"}, "Namespace": {"Q"}, "MetricData.member.x.MetricName": {"M"}}, "InvalidParameterValue"},
		{url.Values{"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}, "MetricName": {"M"}, "StartTime": {iso(0)}, "EndTime": {iso(time.Minute)},
			"Period": {"60"}}, "InvalidParameterCombination"},
		{url.Values{"Action": {"GetMetricStatistics"}, "Namespace": {"Q"}, "MetricName": {"M"}, "StartTime": {"yesterday"}, "EndTime": {iso(time.Minute)},
			"Period": {"60"}, "Statistics.member.1": {"Sum"}}, "InvalidParameterValue"},
		{url.Values{"Action": {"DeleteAlarms"}}, "InvalidAction"},
	}
	for _, c := range errCases {
		resp, body := queryCall(t, e, c.params)
		var qe struct {
			Error struct{ Type, Code, Message string }
		}
		if err := xml.Unmarshal(body, &qe); err != nil || resp.StatusCode != 400 || qe.Error.Code != c.code || qe.Error.Type != "Sender" {
			t.Errorf("%v: %d %s", c.params, resp.StatusCode, body)
		}
	}
}

// TestCBORRequiredMembers sends what the Go SDK refuses to: requests
// missing required members.
func TestCBORRequiredMembers(t *testing.T) {
	e, _ := start(t)
	send := func(op string, in any) (*http.Response, map[string]any) {
		body, err := cbor.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		resp, out := raw(t, e, http.MethodPost, "/service/GraniteServiceVersion20100801/operation/"+op, http.Header{
			"Content-Type": {"application/cbor"}, "Smithy-Protocol": {"rpc-v2-cbor"},
		}, body)
		var m map[string]any
		if len(out) > 0 {
			if err := cbor.Unmarshal(out, &m); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
		}
		return resp, m
	}
	resp, m := send("PutMetricData", map[string]any{"MetricData": []any{map[string]any{"MetricName": "M", "Value": 1.0}}})
	if resp.StatusCode != 400 || m["__type"] != "MissingRequiredParameterException" ||
		resp.Header.Get("X-Amzn-Query-Error") != "MissingParameter;Sender" || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		t.Errorf("PutMetricData without namespace: %d %v %v", resp.StatusCode, m, resp.Header)
	}
	resp, m = send("GetMetricData", map[string]any{"StartTime": cbor.Tag{Number: 1, Content: 1.5}})
	if resp.StatusCode != 400 || m["__type"] != "MissingRequiredParameterException" {
		t.Errorf("GetMetricData without end: %d %v", resp.StatusCode, m)
	}
	resp, m = send("ListMetrics", map[string]any{"Namespace": 7})
	if resp.StatusCode != 400 || m["__type"] != "SerializationException" {
		t.Errorf("ListMetrics with a number namespace: %d %v", resp.StatusCode, m)
	}
	resp, m = send("ListMetrics", nil)
	if resp.StatusCode != 200 || m["Metrics"] == nil {
		t.Errorf("ListMetrics with a null body: %d %v", resp.StatusCode, m)
	}
	resp, _ = send("PutMetricData", map[string]any{"Namespace": "C", "MetricData": []any{map[string]any{"MetricName": "M", "Value": 1.0}}})
	if resp.StatusCode != 200 || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		t.Errorf("PutMetricData: %d", resp.StatusCode)
	}
}
