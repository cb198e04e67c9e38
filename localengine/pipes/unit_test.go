package pipes

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestBackoffCeiling(t *testing.T) {
	base, cap := 200*time.Millisecond, 5*time.Second
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for n, w := range want {
		if got := backoffCeiling(base, cap, n); got != w {
			t.Fatalf("expo(%d) = %v, want %v", n, got, w)
		}
	}
	// No overflow for huge attempt counts.
	if got := backoffCeiling(base, cap, 1<<30); got != cap {
		t.Fatalf("expo(2^30) = %v", got)
	}
	if got := backoffCeiling(time.Duration(1<<62), time.Duration(1<<62)+1, 10); got != time.Duration(1<<62)+1 {
		t.Fatalf("large durations overflow: %v", got)
	}
	if got := backoffCeiling(10*time.Second, cap, 3); got != cap {
		t.Fatalf("base above cap: %v", got)
	}
}

// TestFullJitterBounds draws many sleeps with an injected random source:
// every sleep of retry n lies in [0, min(cap, base·2^n)], and the draws
// cover the range (full jitter, not equal jitter).
func TestFullJitterBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base, cap := 10*time.Millisecond, 300*time.Millisecond
	for n := range 12 {
		ceil := backoffCeiling(base, cap, n)
		lo, hi := ceil, time.Duration(0)
		for range 2000 {
			d := backoffJitter(ceil, rng.Int64N)
			if d < 0 || d > ceil {
				t.Fatalf("retry %d: sleep %v outside [0, %v]", n, d, ceil)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo > ceil/10 || hi < ceil*9/10 {
			t.Fatalf("retry %d: sleeps span only [%v, %v] of [0, %v]", n, lo, hi, ceil)
		}
	}
	// The extremes of the random source map to the ends of the range.
	if d := backoffJitter(time.Second, func(int64) int64 { return 0 }); d != 0 {
		t.Fatalf("lowest draw: %v", d)
	}
	if d := backoffJitter(time.Second, func(n int64) int64 { return n - 1 }); d != time.Second {
		t.Fatalf("highest draw: %v", d)
	}
	if d := backoffJitter(0, func(int64) int64 { panic("no draw for a zero ceiling") }); d != 0 {
		t.Fatalf("zero ceiling: %v", d)
	}
}

func TestAppendEpoch(t *testing.T) {
	for ms, want := range map[int64]string{0: "0", 1545084650987: "1545084650.987", 1545084650900: "1545084650.9",
		1545084650000: "1545084650", 1545084650050: "1545084650.05", -1500: "-1.5"} {
		if got := string(appendEpoch(nil, ms)); got != want {
			t.Fatalf("appendEpoch(%d) = %s, want %s", ms, got, want)
		}
	}
}

func testRunner() *runner {
	return &runner{role: "arn:aws:iam::000000000000:role/r", streamRegion: "us-east-1",
		streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s"}
}

func TestEventEncoding(t *testing.T) {
	r := testRunner()
	rec := kinRecord{Seq: "4959", ArrivalMs: 1545084650987, Data: []byte("Hello, this is a test."), PartitionKey: "k\"\n\x01é\xff"}
	raw := r.event("shardId-000000000006", &rec)
	const want = `{"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000006:4959","eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::000000000000:role/r","awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","kinesisSchemaVersion":"1.0","partitionKey":"k\"\n\u0001é` + "\ufffd" + `","sequenceNumber":"4959","data":"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==","approximateArrivalTimestamp":1545084650.987}`
	if string(raw) != want {
		t.Fatalf("event\n got %s\nwant %s", raw, want)
	}
	if !json.Valid(raw) {
		t.Fatal("event is not valid JSON")
	}
	batch := []kinRecord{rec, {Seq: "5", Data: nil, PartitionKey: "p"}}
	arr := r.batchJSON("shardId-000000000006", batch)
	var evs []map[string]any
	if err := json.Unmarshal(arr, &evs); err != nil || len(evs) != 2 || evs[1]["data"] != "" {
		t.Fatalf("batch %s: %v", arr, err)
	}
}

func TestJSONPathParams(t *testing.T) {
	r := testRunner()
	rec := kinRecord{Seq: "77", ArrivalMs: 1000, PartitionKey: "pk-1",
		Data: []byte(`{"customer":{"id":"c-9","tier":3,"vip":true,"tags":["a","b"]},"n":null}`)}
	cases := map[string]string{
		"static":                        "static",
		"$.partitionKey":                "pk-1",
		"$.sequenceNumber":              "77",
		"$.eventSource":                 "aws:kinesis",
		"$.data.customer.id":            "c-9",
		"$.data.customer.tier":          "3",
		"$.data.customer.vip":           "true",
		"$.data.customer.tags[1]":       "b",
		"$.data.customer.tags":          `["a","b"]`,
		"$.approximateArrivalTimestamp": "1",
	}
	for p, want := range cases {
		got, err := r.resolveParam("shardId-000000000000", &rec, p)
		if err != nil || got != want {
			t.Fatalf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
	for _, p := range []string{"$.data.missing", "$.data.customer.tags[5]", "$.data.n", "$.nope", "$.", "$.a..b", "$.a[x]"} {
		if got, err := r.resolveParam("shardId-000000000000", &rec, p); err == nil {
			t.Fatalf("%s = %q, want an error", p, got)
		}
	}
	notJSON := kinRecord{Seq: "1", Data: []byte("plain text"), PartitionKey: "k"}
	if _, err := r.resolveParam("s", &notJSON, "$.data.x"); err == nil {
		t.Fatal("a path into non-JSON data should fail")
	}
	if got, err := r.resolveParam("s", &notJSON, "$.data"); err != nil || got != "cGxhaW4gdGV4dA==" {
		t.Fatalf("$.data of non-JSON data = %q, %v", got, err)
	}
}

func TestDLQMessage(t *testing.T) {
	batch := []kinRecord{{Seq: "100", ArrivalMs: 1687187026620}, {Seq: "200", ArrivalMs: 1687187027001}}
	now := time.Date(2023, 6, 19, 15, 3, 51, 498_000_000, time.UTC)
	got := string(dlqMessage("arn:aws:pipes:us-east-1:000000000000:pipe/p", "arn:aws:kinesis:us-east-1:000000000000:stream/s",
		"shardId-000000000000", condRetriesExhausted, batch, now))
	want := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/p","condition":"RetryAttemptsExhausted"},` +
		`"version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","KinesisBatchInfo":{"shardId":"shardId-000000000000",` +
		`"startSequenceNumber":"100","endSequenceNumber":"200","approximateArrivalOfFirstRecord":"2023-06-19T15:03:46.620Z",` +
		`"approximateArrivalOfLastRecord":"2023-06-19T15:03:47.001Z","batchSize":2,` +
		`"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}}`
	if got != want {
		t.Fatalf("DLQ message\n got %s\nwant %s", got, want)
	}
}

func TestSplitLanes(t *testing.T) {
	var recs []kinRecord
	for i := range 200 {
		recs = append(recs, kinRecord{Seq: strings.Repeat("1", i+1), PartitionKey: string(rune('a' + i%11))})
	}
	lanes := splitLanes(recs, 4)
	if len(lanes) < 2 || len(lanes) > 4 {
		t.Fatalf("%d lanes", len(lanes))
	}
	total := 0
	laneOf := map[string]int{}
	for i, l := range lanes {
		total += len(l)
		for j, r := range l {
			if j > 0 && len(l[j-1].Seq) >= len(r.Seq) {
				t.Fatal("lane out of order")
			}
			if k, ok := laneOf[r.PartitionKey]; ok && k != i {
				t.Fatalf("key %s in two lanes", r.PartitionKey)
			}
			laneOf[r.PartitionKey] = i
		}
	}
	if total != len(recs) {
		t.Fatalf("lanes hold %d of %d records", total, len(recs))
	}
	if one := splitLanes(recs, 1); len(one) != 1 || len(one[0]) != len(recs) {
		t.Fatal("factor 1 must keep one lane")
	}
}

func TestARNs(t *testing.T) {
	cases := map[string]targetKind{
		"arn:aws:sqs:us-east-1:000000000000:q":                            targetSQS,
		"arn:aws:sqs:us-east-1:000000000000:q.fifo":                       targetSQS,
		"arn:aws:kinesis:us-east-1:000000000000:stream/s":                 targetKinesis,
		"arn:aws:events:us-east-1:000000000000:event-bus/default":         targetEventBus,
		"arn:aws:events:us-east-1:000000000000:api-destination/d/abc-123": targetAPIDestination,
		"arn:aws:lambda:us-east-1:000000000000:function:f":                targetUnknown,
		"arn:aws:sqs:us-east-1:000000000000:bad name":                     targetUnknown,
		"arn:aws:kinesis:us-east-1:000000000000:s":                        targetUnknown,
		"not an arn":                  targetUnknown,
		"arn:aws:sqs::000000000000:q": targetUnknown,
	}
	for a, want := range cases {
		if got, _ := classifyTarget(a); got != want {
			t.Fatalf("%s: %v, want %v", a, got, want)
		}
	}
	if r, n, ok := pipeFromARN("arn:aws:pipes:eu-west-1:000000000000:pipe/my.pipe-1"); !ok || r != "eu-west-1" || n != "my.pipe-1" {
		t.Fatalf("pipeFromARN: %s %s %v", r, n, ok)
	}
	for _, bad := range []string{"arn:aws:pipes:eu-west-1:111111111111:pipe/p", "arn:aws:pipes:eu-west-1:000000000000:p",
		"arn:aws:pipes:eu-west-1:000000000000:pipe/a/b", "arn:aws:events:eu-west-1:000000000000:pipe/p"} {
		if _, _, ok := pipeFromARN(bad); ok {
			t.Fatalf("pipeFromARN accepted %s", bad)
		}
	}
}

func TestPageTokens(t *testing.T) {
	tok := sealToken("pipe.1")
	if name, ok := openToken(tok); !ok || name != "pipe.1" {
		t.Fatalf("openToken: %q %v", name, ok)
	}
	for _, bad := range []string{"", "!!", sealToken("bad name"), strings.Repeat("A", 3000)} {
		if _, ok := openToken(bad); ok {
			t.Fatalf("openToken accepted %q", bad)
		}
	}
}
