package events

import (
	"strings"
	"testing"
	"time"
)

func TestFullJitterBounds(t *testing.T) {
	base, cap := 100*time.Millisecond, 2*time.Second
	for n := int64(0); n < 70; n++ {
		want := min(cap, base<<min(n, 20))
		var hi int64
		got := fullJitter(n, base, cap, func(k int64) int64 { hi = k; return k - 1 })
		if time.Duration(hi-1) != want || got != want {
			t.Fatalf("retry %d: upper bound %v (sleep %v), want %v", n, time.Duration(hi-1), got, want)
		}
		if got := fullJitter(n, base, cap, func(int64) int64 { return 0 }); got != 0 {
			t.Fatalf("retry %d: lower bound %v", n, got)
		}
	}
	if got := fullJitter(3, 0, time.Second, func(int64) int64 { return 5 }); got != 0 {
		t.Errorf("zero base: %v", got)
	}
}

func TestRateLimitTokens(t *testing.T) {
	r := newRateLimits()
	start := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := r.take("d", 3, start); !ok {
			t.Fatalf("burst call %d refused", i)
		}
	}
	ok, wait := r.take("d", 3, start)
	if ok || wait <= 0 || wait > time.Second/3+time.Millisecond {
		t.Fatalf("fourth call: ok %v wait %v", ok, wait)
	}
	if ok, _ := r.take("d", 3, start.Add(wait)); !ok {
		t.Fatal("no token after the wait")
	}
	// A new rate starts a new bucket.
	if ok, _ := r.take("d", 5, start.Add(wait)); !ok {
		t.Fatal("changed rate")
	}
	r.forget("d")
	if len(r.buckets) != 0 {
		t.Fatal("forget")
	}
}

func TestPaginate(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var got []string
	var tok *string
	limit := int64(2)
	for pages := 0; pages < 10; pages++ {
		page, next, err := paginate(items, id, tok, &limit)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == nil {
			break
		}
		tok = next
	}
	if strings.Join(got, "") != "abcde" {
		t.Fatalf("pages gave %v", got)
	}
	bad := "!!"
	if _, _, err := paginate(items, id, &bad, nil); err == nil {
		t.Fatal("bad token accepted")
	}
}

func TestValidNames(t *testing.T) {
	for s, want := range map[string]bool{"a.b-c_D9": true, "": false, "a/b": false, "a b": false} {
		if validName(s) != want {
			t.Errorf("validName(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{
		"bus":             true,
		"aws.partner/x/y": true,
		"arn:aws:events:us-east-1:000000000000:event-bus/b": true,
		"arn:aws:events:us-east-1:000000000000:rule/b":      false,
		"a b": false,
	} {
		if validBusNameOrArn(s) != want {
			t.Errorf("validBusNameOrArn(%q) != %v", s, want)
		}
	}
	name, err := busName("us-east-1", ptr("arn:aws:events:us-east-1:000000000000:event-bus/orders"))
	if err != nil || name != "orders" {
		t.Errorf("bus from ARN: %q %v", name, err)
	}
	if _, err := busName("us-east-1", ptr("arn:aws:events:eu-west-1:000000000000:event-bus/orders")); err == nil {
		t.Error("a bus ARN of another region resolved")
	}
}

func TestClassifyTarget(t *testing.T) {
	cases := map[string]targetKind{
		"arn:aws:sqs:us-east-1:000000000000:q":                      kindSQS,
		"arn:aws:kinesis:us-east-1:000000000000:stream/s":           kindKinesis,
		"arn:aws:events:us-east-1:000000000000:api-destination/d/1": kindAPIDestination,
		"arn:aws:events:us-east-1:000000000000:event-bus/b":         kindEventBus,
		"arn:aws:lambda:us-east-1:000000000000:function:f":          kindUnsupported,
		"nonsense": kindUnsupported,
	}
	for arn, want := range cases {
		if got, _, _ := classifyTarget(arn); got != want {
			t.Errorf("%s: kind %v, want %v", arn, got, want)
		}
	}
}

func TestEnvelope(t *testing.T) {
	b, err := envelope("id-1", "T<&>", "src", "2024-01-01T00:00:00Z", "us-east-1", []string{"r1"}, "{ \"a\" : [1, 2] }")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":"0","id":"id-1","detail-type":"T<&>","source":"src","account":"000000000000","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":["r1"],"detail":{"a":[1,2]}}`
	if string(b) != want {
		t.Errorf("envelope\n got %s\nwant %s", b, want)
	}
}

func TestEventRecordCodec(t *testing.T) {
	rec := eventRecord{Region: "r", Bus: "b", ID: "i\nd", Ingest: 5, Body: []byte("{\n}")}
	raw, err := rec.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeEventRecord(raw)
	if err != nil || got.ID != rec.ID || string(got.Body) != string(rec.Body) || got.Ingest != 5 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := decodeEventRecord([]byte("{}")); err == nil {
		t.Fatal("record without a body decoded")
	}
}

func TestHTTPOutcome(t *testing.T) {
	for status, want := range map[int][2]bool{ // ok, retryable
		200: {true, false}, 204: {true, false}, 400: {false, false}, 401: {false, true}, 404: {false, false},
		407: {false, true}, 409: {false, true}, 429: {false, true}, 500: {false, true}, 503: {false, true}, 302: {false, false},
	} {
		o := httpOutcome(status)
		if o.ok != want[0] || o.retryable != want[1] {
			t.Errorf("HTTP %d: ok %v retryable %v", status, o.ok, o.retryable)
		}
	}
}
