package shards

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

const waitFor = 30 * time.Second

func newModel(tb testing.TB, s *backend.Session, w, h int, dark bool) *Model {
	tb.Helper()
	c := viewtest.NewCommon(&common.Env{Session: s}, w, h, dark)
	m := New(c)
	m.now = func() time.Time { return time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC) }
	return m
}

// engine starts an engine and a session on it, on a transport the test
// closes before the engine stops (a read cancelled by Close may leave a
// connection dialled but unused, which the engine's shutdown waits for).
func engine(t *testing.T) (*backend.Session, *kinesis.Client) {
	t.Helper()
	e := enginetest.Start(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	s := backendtest.OpenOn(t, e, backend.Env{HTTPClient: &http.Client{Transport: readOnlyBodies{tr}}})
	return s, e.Kinesis()
}

type readOnlyBodies struct{ base http.RoundTripper }

func (r readOnlyBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		clone := *req
		clone.Body = struct{ io.ReadCloser }{req.Body}
		req = &clone
	}
	return r.base.RoundTrip(req)
}

func createStream(t *testing.T, k *kinesis.Client, name string, shards int32) {
	t.Helper()
	if _, err := k.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
}

type rec struct{ Key, Data string }

func put(t *testing.T, k *kinesis.Client, stream string, recs ...rec) {
	t.Helper()
	for start := 0; start < len(recs); start += 500 {
		chunk := recs[start:min(len(recs), start+500)]
		entries := make([]types.PutRecordsRequestEntry, len(chunk))
		for i, r := range chunk {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(r.Key), Data: []byte(r.Data)}
		}
		out, err := k.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			t.Fatalf("put records: %v", err)
		}
		if out.FailedRecordCount != nil && *out.FailedRecordCount > 0 {
			t.Fatalf("%d records failed", *out.FailedRecordCount)
		}
	}
}

func numbered(n int, data func(i int) string) []rec {
	out := make([]rec, n)
	for i := range out {
		out[i] = rec{Key: fmt.Sprintf("key-%d", i%7), Data: data(i)}
	}
	return out
}

// driver plays the program: it runs commands in goroutines and hands
// their messages to the model on the test goroutine. Messages meant for
// the root (status, copy, trace) are kept for the test to look at.
type driver struct {
	t    testing.TB
	m    *Model
	msgs chan tea.Msg
	done chan struct{}

	mu  sync.Mutex
	out []tea.Msg
}

func drive(t testing.TB, m *Model) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 64), done: make(chan struct{})}
	t.Cleanup(func() {
		close(d.done)
		// Close the tail the model holds, as the app does on quit.
		if m.tl != nil {
			closeCmd(m.tl, m.cancel)()
		}
	})
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

// send hands msg to the model (or keeps it, for the root's messages).
func (d *driver) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case common.StatusMsg, common.CopyMsg, common.TraceMsg, common.SucceededMsg:
		d.mu.Lock()
		d.out = append(d.out, msg)
		d.mu.Unlock()
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) key(keys ...string) {
	for _, k := range keys {
		d.send(viewtest.Key(k))
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// until pumps messages until cond holds.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(waitFor)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("%s: not within %v (rows %d, mode %d, ended %q, status %v)", what, waitFor, d.m.recs.len(), d.m.mode, d.m.ended, d.statuses())
		}
	}
}

// pump handles messages for a while.
func (d *driver) pump(dur time.Duration) {
	deadline := time.After(dur)
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			return
		}
	}
}

func (d *driver) statuses() []common.StatusMsg {
	return viewtest.Of[common.StatusMsg](d.kept())
}

func (d *driver) kept() []tea.Msg {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]tea.Msg(nil), d.out...)
}

// fakeTail stands in for a running tail: batches come from ch.
type fakeTail struct {
	ch     chan tail.Batch
	mu     sync.Mutex
	paused bool
	closed bool
}

func newFake() *fakeTail { return &fakeTail{ch: make(chan tail.Batch, 8)} }

func (f *fakeTail) Records() <-chan tail.Batch { return f.ch }
func (f *fakeTail) Pause()                     { f.mu.Lock(); f.paused = true; f.mu.Unlock() }
func (f *fakeTail) Resume()                    { f.mu.Lock(); f.paused = false; f.mu.Unlock() }
func (f *fakeTail) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}
func (f *fakeTail) Stats() tail.Stats { return tail.Stats{} }
func (f *fakeTail) Err() error        { return nil }

// attachFake puts the model in tail mode on a fake tail, as tailStarted
// does for a real one.
func attachFake(m *Model, stream, shard string) *fakeTail {
	f := newFake()
	m.stream = stream
	m.closeTail()
	m.mode = modeTail
	m.tailShard = shard
	m.attach(f, nil)
	return f
}

// fixed are records with fixed times, keys and sequence numbers.
func fixed(n int) []tail.Record {
	base := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	out := make([]tail.Record, n)
	for i := range out {
		data := fmt.Sprintf(`{"orderId":"ord-%04d","status":%q,"amount":%d.%02d,"items":[{"sku":"A-%d","qty":%d}],"paid":%v}`,
			i, []string{"created", "paid", "failed"}[i%3], 10+i, i%100, i, 1+i%4, i%2 == 0)
		shard := fmt.Sprintf("shardId-%012d", i%2)
		out[i] = tail.Record{
			StreamARN:      "arn:aws:kinesis:us-east-1:000000000000:stream/orders",
			ShardID:        shard,
			SequenceNumber: fmt.Sprintf("4959033827149025660855969253836157109592157598913%07d", 6588818+i*2),
			SubSequence:    -1,
			PartitionKey:   fmt.Sprintf("customer-%d", i%5),
			Arrival:        base.Add(time.Duration(i) * 137 * time.Millisecond),
			Data:           []byte(data),
			Size:           len(data),
		}
	}
	return out
}

// feed hands records to the model through the path the program uses:
// the batch message the waiting command builds.
func feed(m *Model, recs []tail.Record) tea.Cmd {
	f := m.tl.(*fakeTail)
	f.ch <- tail.Batch{Records: recs, Shard: recs[0].ShardID}
	msg := waitBatch(m.tailStamp(), f.ch, 0)()
	_, cmd := m.Update(msg)
	return cmd
}

func hasStatus(d *driver, level common.Level, sub string) bool {
	for _, s := range d.statuses() {
		if s.Level == level && strings.Contains(s.Text, sub) {
			return true
		}
	}
	return false
}
