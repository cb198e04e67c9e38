package tui_test

// Benchmarks of the whole UI: the root model with the five real tabs on a
// session, as `sluice` runs it. They run only with -bench:
//
//	go test -run XXX -bench BenchmarkFirstFrame -benchtime 50x ./tui/
//	go test -run XXX -bench BenchmarkRender100k -benchmem ./tui/
//	go test -run XXX -bench BenchmarkKeyLatencyUnderTail ./tui/
//	go test -run XXX -bench BenchmarkKeyLatencyWhileRefreshing -benchtime 3s ./tui/
//
// BenchmarkRender100k spends 20–60 s here loading its 100,000 streams
// before it measures anything.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/tui"
	"github.com/sluicehq/sluice/views/archives"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/metrics"
	"github.com/sluicehq/sluice/views/shards"
	"github.com/sluicehq/sluice/views/streams"
)

// benchTabs are the five tabs, as cmd/sluice builds them.
func benchTabs(c *common.Common) []common.Tab {
	return []common.Tab{streams.New(c), shards.New(c), dlq.New(c), archives.New(c), metrics.New(c)}
}

func benchOptions(s *backend.Session) tui.Options {
	return tui.Options{Profiles: []backend.Profile{s.Profile}, Session: s, Keys: keymap.Default(), Tabs: benchTabs, Dark: true}
}

// runner runs commands as Bubble Tea does, each in its own goroutine,
// and counts those still running.
type runner struct {
	running atomic.Int64
	deliver func(tea.Msg) // nil drops the messages
}

func (r *runner) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	r.running.Add(1)
	go func() {
		defer r.running.Add(-1)
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				r.run(c)
			}
			return
		}
		if msg != nil && r.deliver != nil {
			r.deliver(msg)
		}
	}()
}

// settle waits, off the clock, until at most n commands run (the metrics
// tab's refresh tick sleeps for a minute) or a few seconds passed.
func (r *runner) settle(n int64) {
	for deadline := time.Now().Add(3 * time.Second); r.running.Load() > n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

func percentile(d []time.Duration, p float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[min(int(p*float64(len(s))), len(s)-1)]) / float64(time.Millisecond)
}

// BenchmarkFirstFrame is the time to the first frame on the demo's
// resources (stream, DLQs, bucket, pipe, bus; no producer): tui.New with
// the real tabs and a session, Init with its commands issued (started in
// goroutines, as the program does: the tabs' loads run meanwhile and do
// not block the frame), a WindowSizeMsg, and the first Render. "program"
// is the same through a real tea.Program: from tui.New to the first
// frame's bytes on the program's output (the renderer flushes on its
// frame ticker, at most 1/60 s later). Between iterations, off the clock,
// the previous iteration's loads are left to finish.
func BenchmarkFirstFrame(b *testing.B) {
	e := enginetest.Start(b)
	inventorytest.Setup(b, e)
	s := backendtest.OpenOn(b, e, backend.Env{})
	opts := benchOptions(s)

	b.Run("model", func(b *testing.B) {
		var times []time.Duration
		r := &runner{}
		for b.Loop() {
			sleeping := r.running.Load() // the refresh ticks of earlier models
			start := time.Now()
			m := tui.New(opts)
			r.run(m.Init())
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
			frame := m.Render()
			times = append(times, time.Since(start))
			b.StopTimer()
			if !strings.Contains(ansi.Strip(frame), "1 Streams") {
				b.Fatalf("first frame:\n%s", ansi.Strip(frame))
			}
			r.settle(sleeping + 1)
			b.StartTimer()
		}
		b.ReportMetric(percentile(times, 0.5), "p50-ms")
		b.ReportMetric(percentile(times, 0.99), "p99-ms")
		b.ReportMetric(percentile(times, 1), "max-ms")
	})

	b.Run("program", func(b *testing.B) {
		var times []time.Duration
		for b.Loop() {
			out := &firstFrame{want: []byte("Streams"), seen: make(chan struct{})}
			start := time.Now()
			p := tea.NewProgram(tui.New(opts), tea.WithInput(&bytes.Buffer{}), tea.WithOutput(out),
				tea.WithWindowSize(160, 48), tea.WithoutSignals(), tea.WithColorProfile(colorprofile.TrueColor),
				tea.WithEnvironment([]string{"TERM=xterm-256color"}))
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = p.Run()
			}()
			select {
			case <-out.seen:
			case <-time.After(10 * time.Second):
				b.Fatal("no first frame")
			}
			times = append(times, time.Since(start))
			b.StopTimer()
			p.Quit()
			<-done
			time.Sleep(200 * time.Millisecond) // the loads it issued
			b.StartTimer()
		}
		b.ReportMetric(percentile(times, 0.5), "p50-ms")
		b.ReportMetric(percentile(times, 0.99), "p99-ms")
		b.ReportMetric(percentile(times, 1), "max-ms")
	})
}

// firstFrame is a program's output that says when want was first
// written.
type firstFrame struct {
	mu   sync.Mutex
	buf  []byte
	want []byte
	seen chan struct{}
	once sync.Once
}

func (f *firstFrame) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf = append(f.buf, p...)
	if bytes.Contains(f.buf, f.want) {
		f.once.Do(func() { close(f.seen) })
	}
	return len(p), nil
}

// manyStreams answers the Kinesis calls that list and describe streams
// with n made-up streams, and sends everything else to the engine behind
// it: a listing of 100,000 streams in seconds, through the Streams tab's
// own commands.
type manyStreams struct {
	n      int
	engine http.Handler
}

func (f *manyStreams) name(i int) string { return fmt.Sprintf("stream-%06d", i) }

func (f *manyStreams) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if !strings.HasPrefix(target, "Kinesis_20131202.") {
		f.engine.ServeHTTP(w, r)
		return
	}
	var in struct {
		Limit      int
		NextToken  string
		StreamName string
		StreamARN  string
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	var out any
	switch strings.TrimPrefix(target, "Kinesis_20131202.") {
	case "ListStreams":
		// Pages of 10,000 (the most Kinesis gives), whatever the Limit:
		// the tab lays all its rows out again on every page, and with
		// 1,000 pages of 100 that alone takes a minute here.
		from, _ := strconv.Atoi(in.NextToken)
		to := min(from+10000, f.n)
		names := make([]string, 0, to-from)
		for i := from; i < to; i++ {
			names = append(names, f.name(i))
		}
		page := map[string]any{"StreamNames": names, "HasMoreStreams": to < f.n}
		if to < f.n {
			page["NextToken"] = strconv.Itoa(to)
		}
		out = page
	case "DescribeStreamSummary":
		out = map[string]any{"StreamDescriptionSummary": map[string]any{
			"StreamName": in.StreamName, "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/" + in.StreamName,
			"StreamStatus": "ACTIVE", "StreamModeDetails": map[string]string{"StreamMode": "PROVISIONED"},
			"RetentionPeriodHours": 24, "StreamCreationTimestamp": 1.7e9, "EncryptionType": "NONE",
			"OpenShardCount": 2, "ConsumerCount": 0, "EnhancedMonitoring": []any{},
		}}
	case "ListShards":
		out = map[string]any{"Shards": []any{
			map[string]any{"ShardId": "shardId-000000000000", "HashKeyRange": map[string]string{"StartingHashKey": "0", "EndingHashKey": "170141183460469231731687303715884105727"},
				"SequenceNumberRange": map[string]string{"StartingSequenceNumber": "49000000000000000000000000000000000000000000000000000000"}},
			map[string]any{"ShardId": "shardId-000000000001", "HashKeyRange": map[string]string{"StartingHashKey": "170141183460469231731687303715884105728", "EndingHashKey": "340282366920938463463374607431768211455"},
				"SequenceNumberRange": map[string]string{"StartingSequenceNumber": "49000000000000000000000000000000000000000000000000000001"}},
		}}
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.engine.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// BenchmarkRender100k is one frame (Render: tab bar, tab, status bar,
// footer) of the Streams tab holding 100,000 described streams, at
// 160×48, with the cursor on the first row and on the last. The streams
// reach the tab through its own commands (list pages, describes) from
// an endpoint that makes them up.
func BenchmarkRender100k(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SLUICE_BENCH_STREAMS")); err == nil && v > 0 {
		n = v // a smaller listing, to profile the setup
	}
	e := enginetest.Start(b)
	up, err := url.Parse(e.URL)
	if err != nil {
		b.Fatal(err)
	}
	fake := httptest.NewServer(&manyStreams{n: n, engine: httputil.NewSingleHostReverseProxy(up)})
	b.Cleanup(fake.Close)
	s := backendtest.OpenOn(b, &enginetest.Engine{URL: fake.URL, Region: e.Region}, backend.Env{})

	m := tui.New(benchOptions(s))
	msgs := make(chan tea.Msg, 1024)
	r := &runner{deliver: func(msg tea.Msg) { msgs <- msg }}
	r.run(m.Init())
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	loaded := time.Now()
	// Loaded: every page listed, every stream described, nothing left
	// running but the metrics tab's refresh tick.
	listed := fmt.Sprintf("Streams %d streams · records", n)
	deadline := time.Now().Add(5 * time.Minute)
	for quiet := time.NewTimer(time.Minute); ; {
		select {
		case msg := <-msgs:
			_, cmd := m.Update(msg)
			r.run(cmd)
			quiet.Reset(300 * time.Millisecond)
			continue
		case <-quiet.C:
			quiet.Reset(300 * time.Millisecond)
		}
		if strings.Contains(ansi.Strip(m.Render()), listed) && r.running.Load() <= 1 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("not loaded (%d commands running):\n%s", r.running.Load(), ansi.Strip(m.Render()))
		}
	}
	b.Logf("%d streams listed and described in %v", n, time.Since(loaded).Round(time.Millisecond))
	r.deliver = nil // what the keys below ask for (metrics of the rows shown) is not needed

	frame := ansi.Strip(m.Render())
	if !strings.Contains(frame, "stream-000000") || strings.Count(frame, "\n") != 47 {
		b.Fatalf("frame:\n%s", frame)
	}
	b.Run("top", func(b *testing.B) {
		for b.Loop() {
			_ = m.Render()
		}
	})
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	r.run(cmd)
	if frame := ansi.Strip(m.Render()); !strings.Contains(frame, fmt.Sprintf("stream-%06d", n-1)) {
		b.Fatalf("G did not reach the last row:\n%s", frame)
	}
	b.Run("bottom", func(b *testing.B) {
		for b.Loop() {
			_ = m.Render()
		}
	})
}

// keyEvent is a key press for the loop, stamped when sent.
type keyEvent struct {
	msg  tea.KeyPressMsg
	sent time.Time
	done chan time.Duration
}

// probe asks the loop for the screen as text.
type probe chan string

// loop plays the program's event loop: it issues Init's commands, then
// one goroutine takes the messages,
// calls Update, has the returned command run in its own goroutine, and
// draws the frame (View) after every message.
func loop(m *tui.Model, msgs chan tea.Msg, stop chan struct{}) {
	r := &runner{deliver: func(msg tea.Msg) {
		select {
		case msgs <- msg:
		case <-stop:
		}
	}}
	r.run(m.Init())
	for {
		select {
		case <-stop:
			return
		case msg := <-msgs:
			switch msg := msg.(type) {
			case keyEvent:
				_, cmd := m.Update(msg.msg)
				_ = m.View()
				msg.done <- time.Since(msg.sent)
				r.run(cmd)
			case probe:
				msg <- ansi.Strip(m.Render())
			default:
				_, cmd := m.Update(msg)
				_ = m.View()
				r.run(cmd)
			}
		}
	}
}

// produce writes about rate records a second of 200-byte JSON into the
// stream, in PutRecords of 500, counting what the stream accepted.
func produce(ctx context.Context, k *kinesis.Client, stream string, rate int, put *atomic.Int64) {
	const size = 500
	data := []byte(`{"type":"OrderCreated","orderId":"ord-00000000-0000","customerId":"cus-00000","amount":123.45,"currency":"EUR","items":[{"sku":"SKU-0000","qty":1,"price":123.45}],"channel":"web"}`)
	interval := time.Duration(float64(time.Second) * size / float64(rate))
	next := time.Now()
	for i := 0; ctx.Err() == nil; i++ {
		entries := make([]ktypes.PutRecordsRequestEntry, size)
		for j := range entries {
			entries[j] = ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("cus-" + strconv.Itoa((i*size+j)%10007)), Data: data}
		}
		out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err == nil {
			put.Add(int64(size - int(aws.ToInt32(out.FailedRecordCount))))
		}
		next = next.Add(interval)
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
		}
	}
}

var tailRate = regexp.MustCompile(`running · ([\d,]+) rec/s`)

// BenchmarkKeyLatencyUnderTail is key-press-to-frame latency in the root
// model while the Shards tab tails (`:tail bench`, every shard, through
// the engine) a 4-shard stream receiving 20,000 records a second: each
// iteration sends one key press into the loop and waits for the frame
// drawn after it, which includes waiting behind the tail's messages. The
// engine, the producer, the tail's readers and the UI share the machine.
// Reported: p50, p99 and max in ms, the rate the stream took records at
// (put-rec/s), and the rate the tail's header showed at the end.
func BenchmarkKeyLatencyUnderTail(b *testing.B) {
	e := enginetest.Start(b)
	k := e.Kinesis()
	if _, err := k.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(4)}); err != nil {
		b.Fatal(err)
	}
	s := backendtest.OpenOn(b, e, backend.Env{})
	m := tui.New(benchOptions(s))
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	msgs := make(chan tea.Msg)
	stop := make(chan struct{})
	go loop(m, msgs, stop)
	ctx, cancel := context.WithCancel(context.Background())
	var put atomic.Int64
	var producers sync.WaitGroup
	for range 2 {
		producers.Go(func() { produce(ctx, k, "bench", 10000, &put) })
	}
	defer func() {
		cancel()
		producers.Wait()
		close(stop)
	}()
	press := func(keys ...string) {
		for _, key := range keys {
			msgs <- keyPress(key)
		}
	}
	press(":", "t", "a", "i", "l", " ", "b", "e", "n", "c", "h", "enter")
	screen := func() string {
		p := make(probe)
		msgs <- p
		return <-p
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		sc := screen()
		if strings.Contains(sc, "bench · all shards") && strings.Contains(sc, `"type":"OrderCreated"`) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the tail shows no records:\n%s", sc)
		}
	}
	time.Sleep(time.Second) // the table fills, the rate settles

	keys := []string{"k", "k", "j", "/", "esc", "j"}
	var lat []time.Duration
	start, put0 := time.Now(), put.Load()
	for i := 0; b.Loop(); i++ {
		ev := keyEvent{msg: keyPress(keys[i%len(keys)]), sent: time.Now(), done: make(chan time.Duration, 1)}
		msgs <- ev
		lat = append(lat, <-ev.done)
		time.Sleep(2 * time.Millisecond) // a fast typist, not a flood
	}
	elapsed := time.Since(start)
	sc := screen()
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(percentile(lat, 1), "max-ms")
	b.ReportMetric(float64(put.Load()-put0)/elapsed.Seconds(), "put-rec/s")
	if m := tailRate.FindStringSubmatch(sc); m != nil {
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		b.ReportMetric(float64(n), "tail-rec/s")
	}
	if !strings.Contains(sc, "bench · all shards") {
		b.Fatalf("the keys left the tail:\n%s", sc)
	}
}

func keyPress(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// BenchmarkKeyLatencyWhileRefreshing is key-press-to-frame latency in the
// root model with the five real tabs on the demo pipeline (stream, pipe,
// DLQs, archive bucket, bus, its producer writing 200 orders a second),
// while every tab keeps reading its lists again: the tabs run on a clock
// that every refresh tick moves 31 s on, and the tick
// (common.AutoRefreshMsg, which the root hands to every tab) comes every
// 100 ms, so that each list is due at every tick: each tab reloads as
// fast as its reads answer (a read in flight is given up after
// CallTimeout+RefreshEvery, two ticks), far above the real cadence of one
// read per 30 s. Each iteration sends one key press (moves, tab switches)
// and waits for the frame drawn after it, behind the reloads' messages.
// "floor" is the same keys on the same pipeline with the clock standing
// still (the root's own 1-second tick runs in both, and finds nothing
// due). Reported: p50, p99 and max in ms, and the Streams and DLQs lists
// read a second (ListStreams and ListQueues calls in the call log). The
// tabs that read again on AutoRefreshMsg are Streams, DLQs and Metrics;
// Archives and Shards ignore it for now.
func BenchmarkKeyLatencyWhileRefreshing(b *testing.B) {
	e := enginetest.Start(b, enginetest.WithOptions(func(o *localengine.Options) {
		o.RetryBase, o.RetryCap = 5*time.Millisecond, 50*time.Millisecond
	}))
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Endpoint: e.URL, Rate: 200, Seed: 7,
			OnReady: func(context.Context) { close(ready) }}, nil)
	}()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-ready:
	case <-time.After(time.Minute):
		b.Fatal("the demo did not start")
	}
	ops := &opCounter{}
	calls := backend.NewCallLog(0)
	calls.SetSink(ops)
	s := backendtest.OpenOn(b, e, backend.Env{Calls: calls})
	b.Run("floor", func(b *testing.B) { keyLatencyWhileRefreshing(b, s, ops, false) })
	b.Run("refreshing", func(b *testing.B) { keyLatencyWhileRefreshing(b, s, ops, true) })
}

// opCounter counts the calls of a call log's sink (one JSON line each) by
// operation.
type opCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *opCounter) Write(p []byte) (int, error) {
	var c backend.Call
	if err := json.Unmarshal(p, &c); err == nil {
		o.mu.Lock()
		if o.n == nil {
			o.n = map[string]int{}
		}
		o.n[c.Operation]++
		o.mu.Unlock()
	}
	return len(p), nil
}

func (o *opCounter) count(op string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[op]
}

func keyLatencyWhileRefreshing(b *testing.B, s *backend.Session, ops *opCounter, refreshing bool) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	opts := benchOptions(s)
	opts.Tabs = func(c *common.Common) []common.Tab {
		return []common.Tab{streams.New(c, streams.WithClock(clock)), shards.New(c), dlq.New(c, dlq.WithClock(clock)),
			archives.New(c, archives.WithClock(clock)), metrics.New(c, metrics.WithClock(clock))}
	}
	m := tui.New(opts)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	msgs := make(chan tea.Msg)
	stop := make(chan struct{})
	go loop(m, msgs, stop)
	var ticks sync.WaitGroup
	defer func() {
		close(stop)
		ticks.Wait()
	}()
	screen := func() string {
		p := make(probe)
		msgs <- p
		return <-p
	}
	// Loaded: the demo's stream and DLQ listed.
	for tab, want := range map[string]string{"3": demo.DLQName + " ", "1": "  " + demo.StreamName + " "} {
		msgs <- keyPress(tab)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			sc := screen()
			if strings.Contains(sc, want) {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("tab %s not loaded:\n%s", tab, sc)
			}
		}
	}
	if refreshing {
		ticks.Go(func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				offset.Add(int64(common.RefreshEvery + time.Second))
				select {
				case msgs <- common.AutoRefreshMsg{}:
				case <-stop:
					return
				}
			}
		})
		time.Sleep(time.Second) // the reloads get going
	}
	count := func() (lists, queues int) { return ops.count("ListStreams"), ops.count("ListQueues") }

	keys := []string{"j", "k", "3", "j", "k", "5", "j", "2", "4", "1"}
	var lat []time.Duration
	lists0, queues0 := count()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		ev := keyEvent{msg: keyPress(keys[i%len(keys)]), sent: time.Now(), done: make(chan time.Duration, 1)}
		msgs <- ev
		lat = append(lat, <-ev.done)
		time.Sleep(2 * time.Millisecond) // a fast typist, not a flood
	}
	elapsed := time.Since(start)
	lists, queues := count()
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(percentile(lat, 1), "max-ms")
	b.ReportMetric(float64(lists-lists0)/elapsed.Seconds(), "streams-reads/s")
	b.ReportMetric(float64(queues-queues0)/elapsed.Seconds(), "queue-reads/s")
	if sc := screen(); !strings.Contains(sc, "Streams") {
		b.Fatalf("frame:\n%s", sc)
	}
}
