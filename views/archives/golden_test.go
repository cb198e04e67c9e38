package archives

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// evil is what a hostile payload or key may hold: a screen clear and an
// OSC 52 clipboard write.
const evil = "\x1b[2J\x1b]52;c;aGk=\x07"

var (
	hour9  = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	target = backend.Target{Kind: backend.TargetSQS, ARN: replayARN}
)

func fixedConsumers() []consumer {
	return []consumer{
		{Name: "legacy" + evil, Kind: "archive", Archive: loc},
		{Name: "orders-to-api", Kind: "pipe", Stream: "orders", Archive: loc, Target: target, Pipeline: true},
		{Name: "payments-fn", Kind: "lambda", Stream: "payments", Archive: backend.ArchiveLocation{Bucket: "archive", Prefix: "payments/"}, Pipeline: true},
	}
}

func fixedHours() []hour {
	return []hour{{Start: hour9, Count: -1}, {Start: hour9.Add(-time.Hour), Count: -1}, {Start: hour9.Add(-10 * time.Hour), Count: -1}}
}

// fixedEvent is the archived event i of the 09:00 hour.
func fixedEvent(i int, replayed bool) (archive.Object, archive.Event) {
	pk := fmt.Sprintf("customer-%d", i)
	data := []byte(fmt.Sprintf(`{"orderId":"o-%d","amount":%d.50,"items":[{"sku":"A-1","qty":2}]}`, i, 10+i))
	if i == 2 {
		pk = "cust" + evil
		data = []byte("raw text with " + evil + " inside")
	}
	arrival := hour9.Add(time.Duration(50-i*7) * time.Minute).Add(123 * time.Millisecond)
	seq := fmt.Sprintf("4959033827149025660855969253836157109592157598913658%04d", i)
	id := archive.EventID(streamARN, "shardId-000000000001", seq)
	e := archive.Event{ID: id, Consumer: "orders-to-api",
		Record: archive.Record{StreamARN: streamARN, ShardID: "shardId-000000000001", SequenceNumber: seq, PartitionKey: pk, ArrivalTime: arrival},
		Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", ConsumerARN: pipeARN, DLQ: "orders-dlq",
			MessageID: fmt.Sprintf("%08x-1111-2222-3333-444455556666", i), FailedAt: arrival.Add(90 * time.Second)},
		HydratedAt: hour9.Add(55 * time.Minute)}
	e.Record.SetData(data)
	key := archive.Key(loc.Prefix, e.KeyParts())
	if replayed {
		e.Replay = &archive.Replay{At: hour9.Add(58 * time.Minute), Target: replayARN, Result: "accepted"}
		if i == 1 {
			e.Replay = &archive.Replay{At: hour9.Add(59 * time.Minute), Target: "manual", Result: "marked by operator"}
		}
		key = archive.ReplayedKey(loc.Prefix, key)
	}
	b, _ := e.Marshal()
	return archive.Object{Key: key, Bucket: "archive", Consumer: "orders-to-api", Arrival: arrival, PartitionKey: pk, ID: id,
		Size: int64(len(b)), Replayed: replayed}, e
}

func fixedModel(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(newCommon(&backend.Session{}, configWithTarget(), w, h, true), WithClock(func() time.Time { return hour9.Add(time.Hour) }))
	m.Init()
	m.Update(consumersMsg{Stamp: m.req.consumers.Current(m.env()), Found: inventory.ArchiveConsumers{Consumers: fixedConsumers()}})
	return m
}

func (m *Model) toHours(t *testing.T) {
	t.Helper()
	m.Update(common.OpenMsg{Tab: common.ArchivesTab, Target: "orders-to-api"})
	m.Update(hoursMsg{Stamp: m.req.hours.Current(m.env()), Consumer: "orders-to-api", Hours: fixedHours()})
	m.Update(viewtest.Key("enter"))
}

func (m *Model) toEvents(t *testing.T, replayed bool) map[string]archive.Event {
	t.Helper()
	m.toHours(t)
	m.Update(viewtest.Key("enter"))
	var objs []archive.Object
	bodies := map[string]archive.Event{}
	for i := range 3 {
		o, e := fixedEvent(i, replayed)
		objs = append(objs, o)
		bodies[o.Key] = e
	}
	m.Update(eventsMsg{Stamp: m.req.events.Current(m.env()), Objects: objs})
	// The newest event was replayed twice: refused, then failed.
	o, _ := fixedEvent(0, false)
	m.Update(manifestsMsg{Stamp: m.req.events.Current(m.env()), Manifests: map[string]archive.Manifest{
		"m1": {Kind: archive.ManifestKind, Version: 1, Consumer: "orders-to-api", Hour: hour9, Attempts: []archive.Attempt{
			{ID: o.ID, Key: o.Key, At: hour9.Add(57 * time.Minute), Target: "https://api.example/orders", Status: "rejected", Code: "400", Detail: "HTTP 400 Bad Request: missing field amount", Tries: 1},
			{ID: o.ID, Key: o.Key, At: hour9.Add(58 * time.Minute), Target: replayARN, Status: "failed", Code: "503", Detail: "HTTP 503 Service Unavailable", Tries: 4},
		}}}})
	if replayed {
		m.Update(bodiesMsg{Stamp: m.req.events.Current(m.env()), Bodies: bodies})
	}
	return bodies
}

func TestGoldenConsumers(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		viewtest.Golden(t, fixedModel(t, w, h).View(), w, h)
	})
}

func TestGoldenDays(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.Update(common.OpenMsg{Tab: common.ArchivesTab, Target: "orders-to-api"})
		m.Update(hoursMsg{Stamp: m.req.hours.Current(m.env()), Consumer: "orders-to-api", Hours: fixedHours()})
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenHours(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.toHours(t)
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenEvents(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.toEvents(t, false)
		m.Update(viewtest.Key("space"))
		if w >= 160 && !strings.Contains(ansi.Strip(m.View()), `cust\x1b[2J`) {
			t.Errorf("the hostile key is not shown inert:\n%s", ansi.Strip(m.View()))
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenEventDetail(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.toEvents(t, false)
		m.Update(viewtest.Key("enter"))
		o, e := fixedEvent(0, false)
		m.Update(detailMsg{Stamp: m.req.detail.Current(m.env()), Key: o.Key, Event: e})
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenHostileEventDetail(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.toEvents(t, false)
		m.Update(viewtest.Key("G"))
		m.Update(viewtest.Key("enter"))
		o, e := fixedEvent(2, false)
		m.Update(detailMsg{Stamp: m.req.detail.Current(m.env()), Key: o.Key, Event: e})
		if !strings.Contains(ansi.Strip(m.View()), `raw text with \x1b[2J`) {
			t.Errorf("the escape is not shown:\n%s", ansi.Strip(m.View()))
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenReplayed(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.Update(viewtest.Key("x"))
		m.toEvents(t, true)
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenReplayedDetail(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.Update(viewtest.Key("x"))
		m.toEvents(t, true)
		m.Update(viewtest.Key("enter"))
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenBulkProgress(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.toHours(t)
		m.job = &bulkJob{what: "the hour", target: replayARN, cancel: func() {}}
		m.job.bar.Label, m.job.bar.Total, m.job.bar.Done, m.job.bar.Failed, m.job.bar.Rate = "replay → "+replayARN, 240, 97, 3, 41.5
		m.layout()
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestEverySizeIsExact(t *testing.T) {
	for _, w := range []int{12, 40, 80, 119, 120, 200} {
		for _, h := range []int{3, 6, 24} {
			m := fixedModel(t, w, h)
			check := func(what string) {
				t.Helper()
				lines := strings.Split(ansi.Strip(m.View()), "\n")
				if len(lines) != h {
					t.Fatalf("%s %dx%d: %d lines", what, w, h, len(lines))
				}
				for i, l := range lines {
					if ansi.StringWidth(l) != w {
						t.Fatalf("%s %dx%d: line %d is %d wide: %q", what, w, h, i, ansi.StringWidth(l), l)
					}
				}
			}
			check("consumers")
			m.toEvents(t, false)
			check("events")
			m.Update(viewtest.Key("J"))
			m.job = &bulkJob{cancel: func() {}}
			m.job.bar.Label, m.job.bar.Total = "replay", 3
			m.layout()
			check("input and progress")
			m.Update(viewtest.Key("esc"))
			m.Update(viewtest.Key("enter"))
			o, e := fixedEvent(0, false)
			m.Update(detailMsg{Stamp: m.req.detail.Current(m.env()), Key: o.Key, Event: e})
			check("detail")
		}
	}
}
