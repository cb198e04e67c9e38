package demo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Failure shares of the orders API, per thousand calls: transient errors
// that a retry gets past.
const (
	serverErrorPerMille = 40
	throttlePerMille    = 20
	timeoutPerMille     = 3
)

// timeoutDelay outlasts the engine's delivery timeout, so the call fails
// as a timeout.
const timeoutDelay = 12 * time.Second

// timedOut answers a call that hung: a gateway's 504, never the 200 an
// unwritten response becomes. A client that waits longer than the
// engine (a replay waits 30 s) must not read a hung call as accepted:
// the order was not processed.
func timedOut(w http.ResponseWriter) {
	http.Error(w, `{"error":"upstream timed out"}`, http.StatusGatewayTimeout)
}

// APIStats counts what the orders API answered.
type APIStats struct {
	Accepted, Rejected, ServerErrors, Throttled, TimedOut atomic.Int64
}

// ordersAPI is the demo's downstream service. It accepts batches from the
// pipe (a JSON array of Kinesis records) and single events from the event
// bus (an EventBridge envelope), fails a few calls at random, and always
// rejects an order it cannot read or in a currency it does not know.
type ordersAPI struct {
	// roll draws a number in [0, 1000) that decides the call's fate.
	roll  func() int
	stats *APIStats
	stop  <-chan struct{}
	// fixed reports whether the fix for the unknown currency has shipped:
	// from then on replays of those orders succeed.
	fixed func() bool
	// hang is how long a call that times out hangs; timeoutDelay when
	// zero.
	hang time.Duration
}

// newOrdersAPI returns the API with its failures drawn from a seeded source.
func newOrdersAPI(seed uint64, stats *APIStats, stop <-chan struct{}) *ordersAPI {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 0xa91))
	roll := func() int {
		mu.Lock()
		defer mu.Unlock()
		return rng.IntN(1000)
	}
	return &ordersAPI{roll: roll, stats: stats, stop: stop, fixed: func() bool { return false }}
}

func (a *ordersAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	switch n := a.roll(); {
	case n < serverErrorPerMille:
		a.stats.ServerErrors.Add(1)
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	case n < serverErrorPerMille+throttlePerMille:
		a.stats.Throttled.Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
		return
	case n < serverErrorPerMille+throttlePerMille+timeoutPerMille:
		a.stats.TimedOut.Add(1)
		hang := a.hang
		if hang <= 0 {
			hang = timeoutDelay
		}
		select {
		case <-time.After(hang):
		case <-r.Context().Done():
		case <-a.stop:
		}
		timedOut(w)
		return
	}
	if err := checkOrders(body, a.fixed()); err != nil {
		a.stats.Rejected.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	a.stats.Accepted.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"accepted"}`))
}

// checkOrders validates every order in a pipe batch, a bus event, or a
// single order posted on its own (a replay). Once fixed, the unknown
// currency is accepted too.
func checkOrders(body []byte, fixed bool) error {
	var batch []struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &batch) == nil {
		for i, rec := range batch {
			if err := checkRecordData(rec.Data, fixed); err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
		}
		return nil
	}
	var event struct {
		Detail  json.RawMessage `json:"detail"`
		OrderID string          `json:"orderId"`
	}
	if err := json.Unmarshal(body, &event); err != nil || (len(event.Detail) == 0 && event.OrderID == "") {
		return fmt.Errorf("body is neither a batch of records, an event, nor an order")
	}
	if event.OrderID != "" {
		return checkOrder(body, fixed)
	}
	return checkOrder(event.Detail, fixed)
}

// checkRecordData reads a record's data as Pipes sends it: base64 text, or
// the JSON itself when the record was JSON.
func checkRecordData(data json.RawMessage, fixed bool) error {
	var encoded string
	if json.Unmarshal(data, &encoded) == nil {
		raw, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return fmt.Errorf("data is not base64")
		}
		return checkOrder(raw, fixed)
	}
	return checkOrder(data, fixed)
}

func checkOrder(raw []byte, fixed bool) error {
	var o Order
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("not a JSON order")
	}
	for _, c := range knownCurrencies {
		if o.Currency == c {
			return nil
		}
	}
	if fixed && o.Currency == poisonCurrency {
		return nil
	}
	return fmt.Errorf("order %s: unsupported currency %q", o.OrderID, o.Currency)
}
