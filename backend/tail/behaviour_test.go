package tail_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestRenewsExpiredIterators moves the engine's clock past the iterators'
// five minutes while a tail runs: once before any record was read (the
// shard's start is asked again) and once after (asked after the last
// record read). Nothing is lost or read twice.
func TestRenewsExpiredIterators(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	o := fast("orders")
	o.UntilCaughtUp = false
	tl := start(t, v.s, o)
	eventually(t, "first reads", func() bool { return tl.Stats().Reads >= 2 })

	v.e.Clock.Advance(6 * time.Minute)
	eventually(t, "renewals before any record", func() bool { return tl.Stats().Renewals >= 2 })
	want := v.put("orders", numbered("a", 100, 11)...)
	got := collect(t, tl, len(want))

	v.e.Clock.Advance(6 * time.Minute)
	eventually(t, "renewals after records", func() bool { return tl.Stats().Renewals >= 4 })
	want = append(want, v.put("orders", numbered("b", 100, 11)...)...)
	got = append(got, collect(t, tl, 100)...)
	checkExactlyOnce(t, got, want)
	if err := tl.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestLatestKeepsWhatArrivedDuringALongPause pauses a LATEST tail on a
// quiet stream past its iterators' five minutes: the records written
// meanwhile are read once it resumes, not skipped by a new LATEST, and
// the records from before it began stay unread. The tail's clock runs a
// minute ahead, so that its start is clearly after the records before it
// and clearly before those of the pause (the engine's clock jumps first).
func TestLatestKeepsWhatArrivedDuringALongPause(t *testing.T) {
	v := open(t)
	v.createStream("orders", 1)
	v.put("orders", numbered("before", 5, 11)...)
	o := fast("orders")
	o.From = tail.Position{Kind: tail.Latest}
	o.UntilCaughtUp = false
	o.Now = func() time.Time { return time.Now().Add(time.Minute) }
	tl := start(t, v.s, o)
	eventually(t, "first read", func() bool { return tl.Stats().Reads >= 1 })
	tl.Pause()
	eventually(t, "paused", func() bool { return tl.Stats().Paused })
	v.e.Clock.Advance(6 * time.Minute)
	want := v.put("orders", numbered("pause", 20, 11)...)
	tl.Resume()
	got := collect(t, tl, len(want))
	checkExactlyOnce(t, got, want)
	if tl.Stats().Renewals == 0 {
		t.Fatal("the iterator was not renewed: the test did not pause past its expiry")
	}
}

// TestBacksOffWhenThrottled runs three tails at 5 reads a second on one
// shard of an engine that enforces Kinesis's 5 reads a second: they are
// throttled, back off, and each still reads every record once. Every
// throttled answer is the tail's to count: the SDK does not retry them
// behind its back.
func TestBacksOffWhenThrottled(t *testing.T) {
	answers := &throttleCounter{}
	v := openVia(t, func(rt http.RoundTripper) http.RoundTripper { answers.base = rt; return answers },
		enginetest.WithOptions(func(o *localengine.Options) { o.EnforceLimits = true }))
	v.createStream("orders", 1)
	want := v.put("orders", numbered("r", 30, 7)...)
	o := fast("orders")
	o.Limit = 5 // seven reads each
	tails := []*tail.Tail{start(t, v.s, o), start(t, v.s, o), start(t, v.s, o)}
	var throttles int64
	for _, tl := range tails {
		checkExactlyOnce(t, drain(t, tl), want)
		throttles += tl.Stats().Throttles
		if sh := tl.Stats().Shards[0]; sh.Throttles != tl.Stats().Throttles || sh.Reads != tl.Stats().Reads {
			t.Fatalf("shard stats %+v, totals %+v", sh, tl.Stats())
		}
	}
	if throttles == 0 {
		t.Fatal("15 reads a second on a shard that allows 5 were never throttled")
	}
	if n := answers.n.Load(); n != throttles {
		t.Fatalf("the engine throttled %d reads, the tails counted %d", n, throttles)
	}
}

// throttleCounter counts the throttled GetRecords answers.
type throttleCounter struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *throttleCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusBadRequest && r.Header.Get("X-Amz-Target") == "Kinesis_20131202.GetRecords" {
		c.n.Add(1)
	}
	return resp, err
}

func TestDeaggregatesKPL(t *testing.T) {
	v := open(t)
	v.createStream("orders", 1)
	aggregate := decode.Aggregate([]decode.UserRecord{
		{PartitionKey: "a", Data: []byte(`{"n":1}`)},
		{PartitionKey: "b", ExplicitHashKey: "12345", Data: []byte(`{"n":2}`)},
		{PartitionKey: "a", Data: []byte(`{"n":3}`)},
	})
	corrupt := "\xf3\x89\x9a\xc2 not a protobuf, and no checksum either"
	put := v.put("orders", put{Key: "agg", Data: string(aggregate)}, put{Key: "plain", Data: "plain"}, put{Key: "bad", Data: corrupt})

	tl := start(t, v.s, fast("orders"))
	got := drain(t, tl)
	type row struct {
		seq, key, ehk, data string
		sub                 int
		aggregated          bool
	}
	var rows []row
	for _, r := range got {
		rows = append(rows, row{r.SequenceNumber, r.PartitionKey, r.ExplicitHashKey, string(r.Data), r.SubSequence, r.Aggregated})
	}
	want := []row{
		{put[0].Seq, "a", "", `{"n":1}`, 0, true},
		{put[0].Seq, "b", "12345", `{"n":2}`, 1, true},
		{put[0].Seq, "a", "", `{"n":3}`, 2, true},
		{put[1].Seq, "plain", "", "plain", -1, false},
		{put[2].Seq, "bad", "", corrupt, -1, false},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("got  %+v\nwant %+v", rows, want)
	}
	if st := tl.Stats(); st.Records != 3 || st.Delivered != 5 || st.DeaggregationErrors != 1 {
		t.Fatalf("stats %+v", st)
	}

	o := fast("orders")
	o.Deaggregate = false
	raw := drain(t, start(t, v.s, o))
	if len(raw) != 3 || string(raw[0].Data) != string(aggregate) || raw[0].Aggregated || raw[0].SubSequence != -1 {
		t.Fatalf("without de-aggregation: %+v", raw)
	}
}

func TestFilter(t *testing.T) {
	v := open(t)
	v.createStream("orders", 1)
	var records []put
	for i := range 20 {
		records = append(records, put{Key: fmt.Sprintf("k%d", i%3), Data: fmt.Sprintf(`{"n":%d,"even":%t}`, i, i%2 == 0)})
	}
	records = append(records, put{Key: "k0", Data: "plain text: .even fails on a string"})
	v.put("orders", records...)

	even, err := decode.CompileFilter("select(.even)")
	if err != nil {
		t.Fatal(err)
	}
	o := fast("orders")
	o.Filter = even
	tl := start(t, v.s, o)
	got := drain(t, tl)
	var want []string
	for i := 0; i < 20; i += 2 {
		want = append(want, fmt.Sprintf(`{"n":%d,"even":true}`, i))
	}
	if !slices.Equal(datas(got), want) {
		t.Fatalf("got %q", datas(got))
	}
	if st := tl.Stats(); st.Records != 21 || st.Delivered != 10 || st.Filtered != 10 || st.FilterErrors != 1 {
		t.Fatalf("stats %+v", st)
	}
	if !slices.Equal(datas(tl.Recent()), want) {
		t.Fatalf("recent %q", datas(tl.Recent()))
	}
	for _, r := range got {
		if r.Projection != nil {
			t.Fatalf("a selected record carries a projection %q", r.Projection)
		}
	}

	byKey, err := decode.CompileFilter(`select($partitionKey == "k1")`)
	if err != nil {
		t.Fatal(err)
	}
	o.Filter = byKey
	for _, r := range drain(t, start(t, v.s, o)) {
		if r.PartitionKey != "k1" {
			t.Fatalf("record of key %s let through", r.PartitionKey)
		}
	}
}

// TestProjection: an expression that yields something other than the
// record shows that in its place, the record's coordinates kept; one
// that yields nothing hides the record; several values ride together.
func TestProjection(t *testing.T) {
	v := open(t)
	v.createStream("orders", 1)
	var records []put
	for i := range 6 {
		records = append(records, put{Key: fmt.Sprintf("k%d", i), Data: fmt.Sprintf(`{"detail":{"orderId":"o-%d","amount":%d,"tags":["a","b"]}}`, i, i*50)})
	}
	v.put("orders", records...)
	expr, err := decode.CompileFilter(`select(.detail.amount > 100) | .detail.orderId`)
	if err != nil {
		t.Fatal(err)
	}
	o := fast("orders")
	o.Filter = expr
	tl := start(t, v.s, o)
	got := drain(t, tl)
	var shown, keys []string
	for _, r := range got {
		shown = append(shown, string(r.Shown()))
		keys = append(keys, r.PartitionKey)
		if r.SequenceNumber == "" || r.Size != len(r.Data) || !strings.Contains(string(r.Data), "orderId") {
			t.Fatalf("the record's coordinates or data were lost: %+v", r)
		}
	}
	if !slices.Equal(shown, []string{`"o-3"`, `"o-4"`, `"o-5"`}) || !slices.Equal(keys, []string{"k3", "k4", "k5"}) {
		t.Fatalf("shown %q for keys %q", shown, keys)
	}
	if st := tl.Stats(); st.Delivered != 3 || st.Filtered != 3 {
		t.Fatalf("stats %+v", st)
	}

	many, err := decode.CompileFilter(`.detail.tags[]`)
	if err != nil {
		t.Fatal(err)
	}
	o.Filter = many
	all := drain(t, start(t, v.s, o))
	if len(all) != 6 || len(all[0].Projection) != 2 || string(all[0].Shown()) != "\"a\"\n\"b\"" {
		t.Fatalf("%d records, first shows %q", len(all), all[0].Shown())
	}
	line := string(tail.AppendProjectedJSON(nil, all[0], all[0].Projection[1]))
	if !strings.Contains(line, `"partitionKey":"k0"`) || !strings.Contains(line, `"data":"b","projected":true`) {
		t.Fatalf("jsonl %s", line)
	}
}

// TestBackPressure leaves a tail unread: its reader fills the channel,
// then blocks on it instead of reading on, and the ring keeps its size.
func TestBackPressure(t *testing.T) {
	v := open(t)
	v.createStream("orders", 1)
	want := v.put("orders", numbered("r", 2000, 9)...)
	o := fast("orders")
	o.UntilCaughtUp = false
	o.Unpaced = true
	o.Limit = 10
	o.Buffer = 5
	tl := start(t, v.s, o)

	eventually(t, "reader blocked on a full channel", func() bool {
		return len(tl.Records()) == cap(tl.Records()) && tl.Stats().Shards[0].Waiting
	})
	st := tl.Stats()
	inFlight := cap(tl.Records()) + 1 // the channel, and the batch being handed over
	if cap(tl.Records()) != 1 || st.Reads != int64(inFlight) || st.Records != int64(10*inFlight) || st.Delivered != 10 {
		t.Fatalf("capacity %d, stats %+v", cap(tl.Records()), st)
	}
	if n := len(tl.Recent()); n != 5 {
		t.Fatalf("ring holds %d records, want 5", n)
	}

	got := collect(t, tl, len(want))
	checkExactlyOnce(t, got, want)
	eventually(t, "all delivered", func() bool { return tl.Stats().Delivered == 2000 })
	if recent := tl.Recent(); !slices.Equal(datas(recent), datas(got[len(got)-5:])) {
		t.Fatalf("ring %q", datas(recent))
	}
}

func TestCloseStopsReaders(t *testing.T) {
	v := open(t)
	v.createStream("orders", 4)
	v.put("orders", numbered("r", 2000, 50)...)
	o := fast("orders")
	o.UntilCaughtUp = false
	o.Unpaced = true
	o.Limit = 10

	// One tail read from, one left blocked on its channel.
	read := start(t, v.s, o)
	collect(t, read, 100)
	blocked := start(t, v.s, o)
	eventually(t, "blocked tail's channel full", func() bool { return len(blocked.Records()) == cap(blocked.Records()) })

	for _, tl := range []*tail.Tail{read, blocked} {
		tl.Close()
		select {
		case <-tl.Done():
		default:
			t.Fatal("Close returned before the readers stopped")
		}
		for range tl.Records() { // closed: ends after what was buffered
		}
		if err := tl.Err(); err != nil {
			t.Fatalf("closed tail: %v", err)
		}
		for _, sh := range tl.Stats().Shards {
			if sh.State != tail.Stopped {
				t.Fatalf("shard %+v after Close", sh)
			}
		}
		tl.Close() // twice is fine
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "tail.(*Tail).read") {
		t.Fatalf("a reader outlived Close:\n%s", stacks)
	}
}

func TestPauseAndResume(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	o := fast("orders")
	o.UntilCaughtUp = false
	tl := start(t, v.s, o)
	eventually(t, "first reads", func() bool { return tl.Stats().Reads >= 2 })
	tl.Pause()
	if !tl.Stats().Paused {
		t.Fatal("not paused")
	}
	want := v.put("orders", numbered("r", 50, 5)...)
	tl.Resume()
	checkExactlyOnce(t, collect(t, tl, 50), want)
}

func TestStartErrors(t *testing.T) {
	v := open(t)
	v.createStream("orders", 2)
	for _, tc := range []struct {
		name string
		edit func(*tail.Options)
		want string
	}{
		{"no stream", func(o *tail.Options) { o.Stream = "" }, "no stream named"},
		{"unknown stream", func(o *tail.Options) { o.Stream = "nope" }, "nope"},
		{"too fast", func(o *tail.Options) { o.ReadsPerSecond = 6 }, "at most 5"},
		{"limit", func(o *tail.Options) { o.Limit = 10001 }, "limit 10001"},
		{"unknown shard", func(o *tail.Options) { o.Shards = []string{"shardId-000000000009"} }, "not in the stream"},
		{"shard twice", func(o *tail.Options) { o.Shards = []string{"shardId-000000000001", "shardId-000000000001"} }, "named twice"},
		{"sequence on two shards", func(o *tail.Options) {
			o.From = tail.Position{Kind: tail.AtSequence, Sequence: "1"}
			o.Shards = []string{"shardId-000000000000", "shardId-000000000001"}
		}, "belongs to one shard"},
		{"sequence of no shard", func(o *tail.Options) { o.From = tail.Position{Kind: tail.AtSequence, Sequence: "123"} }, "belongs to no shard"},
		{"bad sequence", func(o *tail.Options) { o.From = tail.Position{Kind: tail.AfterSequence, Sequence: "12a"} }, "decimal digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fast("orders")
			tc.edit(&o)
			tl, err := tail.Start(ctxT(t), v.s, o)
			if err == nil {
				tl.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestRecordJSON(t *testing.T) {
	arrival := time.Date(2024, 5, 1, 12, 0, 0, 7e6, time.UTC)
	base := tail.Record{ShardID: "shardId-000000000001", SequenceNumber: "4951", SubSequence: -1, PartitionKey: `k"1`, Arrival: arrival}
	for _, tc := range []struct {
		name string
		edit func(*tail.Record)
		want string
	}{
		{"json object, compacted", func(r *tail.Record) { r.Data = []byte("{ \"a\" : [1, 2],\n \"b\": \"<x>\" }") },
			`{"shardId":"shardId-000000000001","sequenceNumber":"4951","partitionKey":"k\"1","arrival":"2024-05-01T12:00:00.007Z","data":{"a":[1,2],"b":"<x>"},"size":0}`},
		{"text", func(r *tail.Record) { r.Data = []byte("hello\n\x1b[2J"); r.Size = 11 },
			`{"shardId":"shardId-000000000001","sequenceNumber":"4951","partitionKey":"k\"1","arrival":"2024-05-01T12:00:00.007Z","data":"hello\n\u001b[2J","size":11}`},
		{"broken json is text", func(r *tail.Record) { r.Data = []byte(`{"a":`) },
			`{"shardId":"shardId-000000000001","sequenceNumber":"4951","partitionKey":"k\"1","arrival":"2024-05-01T12:00:00.007Z","data":"{\"a\":","size":0}`},
		{"binary", func(r *tail.Record) { r.Data = []byte{0xff, 0, 1} },
			`{"shardId":"shardId-000000000001","sequenceNumber":"4951","partitionKey":"k\"1","arrival":"2024-05-01T12:00:00.007Z","data":"/wAB","dataEncoding":"base64","size":0}`},
		{"user record of an aggregate", func(r *tail.Record) { r.SubSequence, r.ExplicitHashKey, r.Data = 2, "99", []byte("42") },
			`{"shardId":"shardId-000000000001","sequenceNumber":"4951","subSequence":2,"partitionKey":"k\"1","explicitHashKey":"99","arrival":"2024-05-01T12:00:00.007Z","data":"42","size":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.edit(&r)
			if got := string(tail.AppendJSON(nil, r)); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(r); err != nil || b.String() != tc.want+"\n" {
				t.Fatalf("MarshalJSON: %s, %v", b.String(), err)
			}
		})
	}
}

func TestParsePosition(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]tail.Position{
		"trim-horizon":         {Kind: tail.TrimHorizon},
		"TRIM_HORIZON":         {Kind: tail.TrimHorizon},
		"latest":               {Kind: tail.Latest},
		"2024-05-01T12:00:00Z": {Kind: tail.AtTimestamp, Time: at},
		"15m":                  {Kind: tail.AtTimestamp, Ago: 15 * time.Minute},
		"-1h30m":               {Kind: tail.AtTimestamp, Ago: 90 * time.Minute},
		"49590338271490256608559692538361571095921575989136588898": {Kind: tail.AtSequence, Sequence: "49590338271490256608559692538361571095921575989136588898"},
		"at:123":    {Kind: tail.AtSequence, Sequence: "123"},
		"after:123": {Kind: tail.AfterSequence, Sequence: "123"},
	} {
		got, err := tail.ParsePosition(in)
		if err != nil || !got.Time.Equal(want.Time) || got.Kind != want.Kind || got.Ago != want.Ago || got.Sequence != want.Sequence {
			t.Errorf("ParsePosition(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "yesterday", "0s", "after:", "after:12x", "2024-05-01", "-"} {
		if p, err := tail.ParsePosition(in); err == nil {
			t.Errorf("ParsePosition(%q) = %+v, want an error", in, p)
		}
	}
}
