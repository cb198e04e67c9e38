package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func pipeBatch(t *testing.T, payloads ...[]byte) []byte {
	t.Helper()
	recs := make([]map[string]any, len(payloads))
	for i, p := range payloads {
		recs[i] = map[string]any{"eventSource": "aws:kinesis", "data": base64.StdEncoding.EncodeToString(p)}
	}
	b, _ := json.Marshal(recs)
	return b
}

func TestCheckOrdersAcceptsGoodBatchesAndRejectsPoison(t *testing.T) {
	good, _ := json.Marshal(Order{OrderID: "ord-1", Currency: "EUR"})
	poison, _ := json.Marshal(Order{OrderID: "ord-2", Currency: poisonCurrency})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(good)
	_ = zw.Close()

	for _, tc := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"good batch", pipeBatch(t, good, good), true},
		{"poison in batch", pipeBatch(t, good, poison), false},
		{"binary record", pipeBatch(t, gz.Bytes()), false},
		{"malformed record", pipeBatch(t, good[:len(good)/2]), false},
		{"data as JSON", []byte(`[{"data":` + string(good) + `}]`), true},
		{"bus event", []byte(`{"detail-type":"OrderCreated","detail":` + string(good) + `}`), true},
		{"bus event poison", []byte(`{"detail-type":"OrderCreated","detail":` + string(poison) + `}`), false},
		{"garbage", []byte("\x1b[31m"), false},
		{"a replayed order", good, true},
		{"a replayed poison order", poison, false},
		{"a replayed binary order", gz.Bytes(), false},
	} {
		err := checkOrders(tc.body, false)
		if (err == nil) != tc.ok {
			t.Errorf("%s: checkOrders = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestTheCurrencyFixLetsPoisonOrdersThroughButNotUnreadableOnes(t *testing.T) {
	poison, _ := json.Marshal(Order{OrderID: "ord-2", Currency: poisonCurrency})
	if err := checkOrders(poison, true); err != nil {
		t.Errorf("fixed API rejects a %s order: %v", poisonCurrency, err)
	}
	if err := checkOrders(pipeBatch(t, poison), true); err != nil {
		t.Errorf("fixed API rejects a batch with a %s order: %v", poisonCurrency, err)
	}
	if err := checkOrders(poison[:5], true); err == nil {
		t.Error("fixed API accepts a truncated order")
	}
}

func TestOrdersAPIRejectsPoisonWithABadRequest(t *testing.T) {
	stats := &APIStats{}
	// Rolls never below the failure shares: only the body decides.
	api := &ordersAPI{roll: func() int { return 999 }, stats: stats, stop: make(chan struct{}), fixed: func() bool { return false }}
	srv := httptest.NewServer(api)
	defer srv.Close()
	poison, _ := json.Marshal(Order{OrderID: "ord-9", Currency: poisonCurrency})
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(pipeBatch(t, poison)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "unsupported currency") {
		t.Fatalf("poison: %d %s", resp.StatusCode, body)
	}
	if stats.Rejected.Load() != 1 || stats.Accepted.Load() != 0 {
		t.Fatalf("stats: rejected %d accepted %d", stats.Rejected.Load(), stats.Accepted.Load())
	}
}

func TestOrdersAPIFailsTransientlyAtItsShare(t *testing.T) {
	stats := &APIStats{}
	api := &ordersAPI{roll: func() int { return 0 }, stats: stats, stop: make(chan struct{})}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader("[]")))
	if rec.Code != http.StatusInternalServerError || stats.ServerErrors.Load() != 1 {
		t.Fatalf("a roll of 0 should be a server error, got %d", rec.Code)
	}
}

// A call that hangs past the engine's delivery timeout answered 200 with
// no body once it stopped hanging: a replay, which waits longer, read a
// poison order as accepted (and marked it replayed) about one call in
// three hundred. It now answers 504.
func TestOrdersAPIHungCallIsNeverAccepted(t *testing.T) {
	stats := &APIStats{}
	api := &ordersAPI{roll: func() int { return serverErrorPerMille + throttlePerMille }, stats: stats, stop: make(chan struct{}),
		fixed: func() bool { return false }, hang: time.Millisecond}
	srv := httptest.NewServer(api)
	defer srv.Close()
	poison, _ := json.Marshal(Order{OrderID: "ord-9", Currency: poisonCurrency})
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(poison))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("a hung call answered %d, want 504", resp.StatusCode)
	}
	if stats.TimedOut.Load() != 1 || stats.Accepted.Load() != 0 {
		t.Fatalf("stats: timed out %d accepted %d", stats.TimedOut.Load(), stats.Accepted.Load())
	}
}

func TestOrderMakerIsRepeatableAndRealistic(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a, b := newOrderMaker(42), newOrderMaker(42)
	kinds := map[string]int{}
	for i := 0; i < 5000; i++ {
		ka, da, oa := a.record(now)
		kb, db, _ := b.record(now)
		if ka != kb || !bytes.Equal(da, db) {
			t.Fatalf("record %d differs between two makers with one seed", i)
		}
		if ka != oa.CustomerID || !strings.HasPrefix(ka, "cus-") {
			t.Fatalf("partition key %q is not the customer id", ka)
		}
		switch {
		case checkOrder(da, false) == nil:
			kinds["good"]++
		case json.Valid(da):
			kinds["poison"]++
		default:
			kinds["unreadable"]++
		}
	}
	// Shares per thousand: poison 20, binary 8, malformed 7. Bounds are
	// loose enough for any seed.
	if kinds["good"] < 4500 || kinds["poison"] < 40 || kinds["unreadable"] < 30 {
		t.Fatalf("mix of payloads: %v", kinds)
	}
}
