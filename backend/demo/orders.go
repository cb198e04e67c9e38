package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Order is the event the demo's shop produces.
type Order struct {
	Type       string    `json:"type"`
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Amount     float64   `json:"amount"`
	Currency   string    `json:"currency"`
	Items      []Item    `json:"items"`
	Channel    string    `json:"channel"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Item is one line of an order.
type Item struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

// knownCurrencies are the ones the orders API accepts; poisonCurrency is
// the one it always rejects.
var knownCurrencies = []string{"EUR", "USD", "GBP", "JPY", "CHF", "SEK"}

const poisonCurrency = "DOGE"

// Payload kinds the producer writes, with their shares per thousand.
const (
	poisonPerMille    = 20 // an order in the unknown currency
	binaryPerMille    = 8  // a gzip-compressed order, as some producers send
	malformedPerMille = 7  // truncated JSON
)

// orderMaker makes realistic orders from its own random source, so that a
// seeded demo is repeatable.
type orderMaker struct {
	rng *rand.Rand
	seq int
}

func newOrderMaker(seed uint64) *orderMaker {
	return &orderMaker{rng: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

func (m *orderMaker) order(now time.Time) Order {
	m.seq++
	items := make([]Item, 1+m.rng.IntN(4))
	var total float64
	for i := range items {
		price := float64(100+m.rng.IntN(9900)) / 100
		items[i] = Item{SKU: fmt.Sprintf("SKU-%04d", m.rng.IntN(5000)), Qty: 1 + m.rng.IntN(3), Price: price}
		total += price * float64(items[i].Qty)
	}
	currency := knownCurrencies[m.rng.IntN(len(knownCurrencies))]
	if m.rng.IntN(1000) < poisonPerMille {
		currency = poisonCurrency
	}
	channels := []string{"web", "ios", "android", "pos"}
	return Order{
		Type:       "OrderCreated",
		OrderID:    fmt.Sprintf("ord-%08x-%04d", m.rng.Uint32(), m.seq%10000),
		CustomerID: fmt.Sprintf("cus-%05d", m.rng.IntN(20000)),
		Amount:     float64(int(total*100)) / 100,
		Currency:   currency,
		Items:      items,
		Channel:    channels[m.rng.IntN(len(channels))],
		CreatedAt:  now.UTC().Truncate(time.Millisecond),
	}
}

// record is one record for the stream: mostly JSON orders, and a small
// share of binary and malformed payloads that the API cannot read.
func (m *orderMaker) record(now time.Time) (partitionKey string, data []byte, o Order) {
	o = m.order(now)
	data, _ = json.Marshal(o)
	switch n := m.rng.IntN(1000); {
	case n < binaryPerMille:
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(data)
		_ = zw.Close()
		data = buf.Bytes()
	case n < binaryPerMille+malformedPerMille:
		data = data[:len(data)/2]
	}
	return o.CustomerID, data, o
}
