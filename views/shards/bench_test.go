package shards

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/views/viewtest"
)

// keyEvent is a key press injected into the loop, stamped when sent.
type keyEvent struct {
	msg  tea.KeyPressMsg
	sent time.Time
	done chan time.Duration // the time from sent to the frame drawn after it
}

// loop plays Bubble Tea's event loop: one goroutine takes messages from an
// unbuffered channel, calls Update, runs the returned command in its own
// goroutine (whose message comes back on the channel), and renders View
// after every message, as the program does.
func loop(m *Model, msgs chan any, stop chan struct{}) {
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			msg := cmd()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					run(c)
				}
				return
			}
			if msg == nil {
				return
			}
			select {
			case msgs <- msg:
			case <-stop:
			}
		}()
	}
	for {
		select {
		case <-stop:
			return
		case msg := <-msgs:
			if ev, ok := msg.(keyEvent); ok {
				_, cmd := m.Update(ev.msg)
				_ = m.View()
				ev.done <- time.Since(ev.sent)
				run(cmd)
				continue
			}
			_, cmd := m.Update(msg)
			_ = m.View()
			run(cmd)
		}
	}
}

// feeder writes batches of the given size into the fake tail's channel at
// rate records a second (blocking when the channel is full, as the tail's
// readers do), counting what it wrote.
func feeder(f *fakeTail, rate, size int, stop chan struct{}, sent *atomic.Int64) {
	recs := fixed(size)
	interval := time.Duration(float64(time.Second) * float64(size) / float64(rate))
	next := time.Now()
	for serial := 0; ; serial++ {
		// Fresh records each time, as GetRecords yields.
		batch := make([]tail.Record, size)
		for i, r := range recs {
			r.Data = append([]byte(nil), r.Data...)
			batch[i] = r
		}
		select {
		case f.ch <- tail.Batch{Records: batch, Shard: batch[0].ShardID}:
			sent.Add(int64(size))
		case <-stop:
			return
		}
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-stop:
				return
			}
		}
	}
}

// BenchmarkKeyLatencyUnderTail measures key-press-to-frame latency while a
// tail delivers 20,000 records a second: each iteration sends one key
// press into the loop and waits for the frame drawn after it. The latency
// includes waiting behind batch messages. Reported: p50, p99 and max in
// ms, and the rate the records actually arrived at.
func BenchmarkKeyLatencyUnderTail(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, batch := range []int{100, 1000} {
			for _, window := range []time.Duration{0, coalesceWindow} {
				b.Run(fmt.Sprintf("%dx%d/batch%d/window%v", size[0], size[1], batch, window), func(b *testing.B) {
					benchLatency(b, size[0], size[1], 20000, batch, window)
				})
			}
		}
	}
}

func benchLatency(b *testing.B, w, h, rate, batch int, window time.Duration) {
	m := newModel(b, nil, w, h, true)
	m.window = window
	f := attachFake(m, "orders", "")
	msgs := make(chan any)
	stop := make(chan struct{})
	var sent atomic.Int64
	go loop(m, msgs, stop)
	go func() {
		cmd := waitBatch(m.tailStamp(), f.ch, m.window)
		msgs <- cmd()
	}()
	go feeder(f, rate, batch, stop, &sent)
	time.Sleep(500 * time.Millisecond) // fill the table

	keys := []tea.KeyPressMsg{viewtest.Key("k"), viewtest.Key("k"), viewtest.Key("j"), viewtest.Key("/"), viewtest.Key("esc"), viewtest.Key("j")}
	lat := make([]time.Duration, 0, b.N)
	start, sent0 := time.Now(), sent.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := keyEvent{msg: keys[i%len(keys)], sent: time.Now(), done: make(chan time.Duration, 1)}
		msgs <- ev
		lat = append(lat, <-ev.done)
		time.Sleep(2 * time.Millisecond) // a fast typist, not a flood
	}
	b.StopTimer()
	elapsed := time.Since(start)
	close(stop)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
	b.ReportMetric(float64(sent.Load()-sent0)/elapsed.Seconds(), "rec/s")
}

// BenchmarkTailMemory feeds a million records through the path the
// program uses (the waiting command's message, then Update and View) and
// reports the heap in use after each quarter: it stays flat because the
// rows are bounded.
func BenchmarkTailMemory(b *testing.B) {
	const total, size = 1_000_000, 1000
	for i := 0; i < b.N; i++ {
		m := newModel(b, nil, 160, 48, true)
		f := attachFake(m, "orders", "")
		recs := fixed(size)
		var heaps []float64
		for n := 0; n < total; n += size {
			batch := make([]tail.Record, size)
			for j, r := range recs {
				r.Data = append([]byte(nil), r.Data...)
				batch[j] = r
			}
			f.ch <- tail.Batch{Records: batch, Shard: batch[0].ShardID}
			m.Update(waitBatch(m.tailStamp(), f.ch, 0)())
			_ = m.View()
			if (n+size)%(total/4) == 0 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heaps = append(heaps, float64(ms.HeapInuse)/(1<<20))
			}
		}
		if m.rows.Len() != MaxRows {
			b.Fatalf("%d rows", m.rows.Len())
		}
		for q, h := range heaps {
			b.ReportMetric(h, fmt.Sprintf("heap-MiB@%dk", (q+1)*total/4/1000))
		}
	}
}

// BenchmarkBatchUpdate is the UI goroutine's share of one message of 1,000
// records into a full table: Update (append, drop the oldest) and View.
func BenchmarkBatchUpdate(b *testing.B) {
	m := newModel(b, nil, 160, 48, true)
	f := attachFake(m, "orders", "")
	for range MaxRows / 1000 {
		feed(m, fixed(1000))
	}
	f.ch <- tail.Batch{Records: fixed(1000), Shard: "shardId-000000000000"}
	msg := waitBatch(m.tailStamp(), f.ch, 0)().(batchMsg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(msg)
		_ = m.View()
	}
}

// BenchmarkView is one frame of a full tail table.
func BenchmarkView(b *testing.B) {
	m := newModel(b, nil, 160, 48, true)
	attachFake(m, "orders", "")
	for range MaxRows / 1000 {
		feed(m, fixed(1000))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}
