package archive

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

func TestKeyShape(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 5, 1, 234e6, time.UTC)
	k := Key("failed/", KeyParts{Consumer: "orders-to-api", Arrival: at, PartitionKey: "c/42 é", ID: "abc"})
	want := "failed/orders-to-api/2026/11/27/09/c%2F42%20%C3%A9-" + "1795770301234" + "-abc.json"
	if k != want {
		t.Fatalf("key\n got %s\nwant %s", k, want)
	}
}

// TestKeyRoundTripsAnyPartitionKey is the property the archive relies on:
// whatever the partition key, the key is one safe segment and parses back.
func TestKeyRoundTripsAnyPartitionKey(t *testing.T) {
	prop := func(pk, consumer string, ms int64) bool {
		if consumer == "" {
			consumer = "c"
		}
		ms = ms % (1 << 45)
		if ms < 0 {
			ms = -ms
		}
		p := KeyParts{Consumer: consumer, Arrival: time.UnixMilli(ms).UTC(), PartitionKey: pk, ID: EventID("s", "sh", pk)}
		k := Key("pre/", p)
		for _, c := range []byte(strings.TrimPrefix(k, "pre/")) {
			if !isUnreserved(c) && c != '%' && c != '/' {
				return false
			}
		}
		if strings.Count(k, "/") != 6 {
			return false
		}
		got, replayed, err := ParseKey("pre/", k)
		if err != nil || replayed || got != p {
			t.Logf("%q: %+v %v", k, got, err)
			return false
		}
		got, replayed, err = ParseKey("pre/", ReplayedKey("pre/", k))
		return err == nil && replayed && got == p
	}
	cfg := &quick.Config{MaxCount: 5000, Values: nil}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
	// Keys quick.Check rarely makes: separators, escapes, bytes that are not UTF-8.
	for _, pk := range []string{"-", "--1-2", "%", "%zz", "_x", "a/b/c", "\x00\xff", strings.Repeat("é", 256), "..", " "} {
		if !prop(pk, "_replayed", 1) {
			t.Errorf("%q does not round-trip", pk)
		}
	}
}

func TestEventIDIsStableAndDistinct(t *testing.T) {
	a := EventID("arn:s", "shardId-000000000000", "1")
	if a != EventID("arn:s", "shardId-000000000000", "1") || len(a) != 32 {
		t.Fatal("not stable")
	}
	if a == EventID("arn:s", "shardId-000000000000", "2") || EventID("a", "bc", "1") == EventID("ab", "c", "1") {
		t.Fatal("collision")
	}
}

func TestParseKeyRejectsOtherKeys(t *testing.T) {
	for _, k := range []string{"other/x.json", "pre/c/2026/11/27/09/x.json", "pre/c/2026/11/27/09/pk-12-id.txt", "pre/c/2026/11/27/09/pk-x-id.json", "pre/c/2026/11/27/pk-1-id.json", "pre/c/2026/11/27/09/p%zz-1-id.json"} {
		if _, _, err := ParseKey("pre/", k); err == nil {
			t.Errorf("%s: no error", k)
		}
	}
}

func TestEventRoundTripsAnyData(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][]byte{
		[]byte(`{"orderId":"o-1","amount":12.5,"note":"<b>&</b>"}`),
		[]byte("{\n  \"pretty\": true\n}"),
		[]byte(`"just a string"`),
		[]byte("plain text"),
		{0x1f, 0x8b, 0, 1, 2},
		{0xf3, 0x89, 0x9a, 0xc2, 9},
		[]byte("\x1b]52;c;aGk=\x07"),
		{},
	}
	for i := 0; i < 200; i++ {
		b := make([]byte, r.IntN(300))
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		cases = append(cases, b)
	}
	for _, data := range cases {
		e := Event{ID: "id", Consumer: "c", Record: Record{StreamARN: "arn", ShardID: "s", SequenceNumber: "1", PartitionKey: "pk",
			ArrivalTime: time.UnixMilli(1700000000123).UTC()}, Failure: Failure{Condition: "RetryAttemptsExhausted"}}
		e.Record.SetData(data)
		body, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Unmarshal(body)
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		got, err := back.Record.Bytes()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%q came back as %q (%v)", data, got, err)
		}
		if back.Record.PartitionKey != "pk" || !back.Record.ArrivalTime.Equal(e.Record.ArrivalTime) {
			t.Fatalf("record %+v", back.Record)
		}
	}
	var e Event
	e.Record.SetData([]byte(`{"a":1}`))
	if e.Record.DataEncoding != EncodingJSON {
		t.Errorf("compact JSON stored as %s", e.Record.DataEncoding)
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add("pre/c/2026/11/27/09/pk-1-id.json")
	f.Add("pre/_replayed/c/2026/11/27/09/a%2Fb-1-id.json")
	f.Fuzz(func(t *testing.T, key string) {
		p, _, err := ParseKey("pre/", key)
		if err != nil {
			return
		}
		// Whatever parses must re-key to a key that parses to the same.
		again, _, err := ParseKey("pre/", Key("pre/", p))
		if err != nil || again != p {
			t.Fatalf("%q -> %+v -> %+v %v", key, p, again, err)
		}
	})
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"id":"x","record":{"dataEncoding":"base64","data":"AA=="}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := Unmarshal(body)
		if err == nil {
			_, _ = e.Record.Bytes()
		}
	})
}
