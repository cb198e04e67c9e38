package shards

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

func TestSpaceKey(t *testing.T) {
	// The tests' space must read as the binding's "space".
	if got := viewtest.Key("space").String(); got != "space" {
		t.Fatalf("space reads as %q", got)
	}
}

func TestShardsListedAfterSplit(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 1)
	_, err := k.SplitShard(context.Background(), &kinesis.SplitShardInput{
		StreamName: aws.String("orders"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728"),
	})
	if err != nil {
		t.Fatalf("split: %v", err)
	}
	m := newModel(t, s, 160, 48, true)
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.until("shards listed", func() bool { return len(m.shardList) == 3 })
	v := ansi.Strip(m.View())
	for _, want := range []string{
		"shardId-000000000000", "closed", "– → 1, 2", "100.0%",
		"shardId-000000000001", "open", "0 → –", "50.0%", "3 shards, 2 open",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestTailFromTrimHorizon(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 2)
	put(t, k, "orders", numbered(50, func(i int) string { return fmt.Sprintf(`{"n":%d}`, i) })...)
	m := newModel(t, s, 120, 30, true)
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.until("shards listed", func() bool { return len(m.shardList) == 2 })
	d.key("f", "ctrl+u")
	if !m.Capturing() {
		t.Fatal("not capturing while typing the position")
	}
	d.typeText("trim-horizon")
	d.key("enter")
	if m.Capturing() || m.from.Kind != tail.TrimHorizon {
		t.Fatalf("position not applied: %v", m.from)
	}
	d.key("a")
	d.until("50 records shown", func() bool { return m.rows.Len() == 50 })
	v := ansi.Strip(m.View())
	for _, want := range []string{"orders", "all shards", "from trim-horizon", "running", `{"n":`, "key-"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	// New records keep arriving.
	put(t, k, "orders", numbered(5, func(i int) string { return `{"late":true}` })...)
	d.until("55 records shown", func() bool { return m.rows.Len() == 55 })
	// esc closes the tail and goes back to the shards.
	d.key("esc")
	if m.mode != modeShards || m.tl != nil || m.rows.Len() != 0 {
		t.Fatalf("esc did not close the tail: mode %d", m.mode)
	}
}

func TestTailOneShard(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 2)
	put(t, k, "orders", numbered(40, func(i int) string { return fmt.Sprintf(`{"n":%d}`, i) })...)
	m := newModel(t, s, 120, 30, true)
	m.from = tail.Position{Kind: tail.TrimHorizon}
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.until("shards listed", func() bool { return len(m.shardList) == 2 })
	d.key("j", "l")
	if m.tailShard != "shardId-000000000001" {
		t.Fatalf("tailing %q", m.tailShard)
	}
	d.until("records of shard 1", func() bool { return m.rows.Len() > 0 })
	d.pump(1500 * time.Millisecond)
	for _, r := range m.recs.all() {
		if r.ShardID != "shardId-000000000001" {
			t.Fatalf("record of %s in a tail of shard 1", r.ShardID)
		}
	}
	if m.rows.Len() >= 40 {
		t.Fatalf("%d records: the whole stream, not one shard", m.rows.Len())
	}
}

func TestPauseStopsRows(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 1)
	put(t, k, "orders", numbered(10, func(i int) string { return fmt.Sprintf(`{"n":%d}`, i) })...)
	m := newModel(t, s, 120, 30, true)
	m.from = tail.Position{Kind: tail.TrimHorizon}
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.key("a")
	d.until("10 records", func() bool { return m.rows.Len() == 10 })
	d.key("space")
	if !m.paused || !strings.Contains(ansi.Strip(m.View()), "paused") {
		t.Fatal("space did not pause")
	}
	put(t, k, "orders", numbered(10, func(i int) string { return `{"after":"pause"}` })...)
	d.pump(2500 * time.Millisecond)
	if n := m.rows.Len(); n != 10 {
		t.Fatalf("%d rows while paused, want 10", n)
	}
	d.key("space")
	if m.paused {
		t.Fatal("space did not resume")
	}
	d.until("20 records after resume", func() bool { return m.rows.Len() == 20 })
}

func TestJQFilterNarrows(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 2)
	put(t, k, "orders", numbered(30, func(i int) string {
		return fmt.Sprintf(`{"n":%d,"status":%q}`, i, []string{"ok", "failed", "ok"}[i%3])
	})...)
	m := newModel(t, s, 120, 30, true)
	m.from = tail.Position{Kind: tail.TrimHorizon}
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.key("a")
	d.until("30 records", func() bool { return m.rows.Len() == 30 })

	// A bad expression is an error in the status bar; nothing changes.
	d.key("J")
	d.typeText(".[")
	d.key("enter")
	d.until("jq error in the status bar", func() bool { return hasStatus(d, common.Failure, "jq") })
	if !m.Capturing() || m.filter != nil {
		t.Fatalf("bad jq: capturing %v, filter %v", m.Capturing(), m.filter)
	}
	d.key("ctrl+u")
	d.typeText(`select(.status == "failed")`)
	d.key("enter")
	if m.filter == nil || m.Capturing() {
		t.Fatal("filter not applied")
	}
	d.until("10 failed records", func() bool { return m.rows.Len() == 10 })
	d.pump(1500 * time.Millisecond)
	if m.rows.Len() != 10 {
		t.Fatalf("%d rows with the filter, want 10", m.rows.Len())
	}
	// The header says what the jq held back, where the rate counts only
	// what it let through.
	d.until("the records held back in the header", func() bool {
		return strings.Contains(ansi.Strip(m.View()), "20 held back by jq")
	})
	for _, r := range m.recs.all() {
		if !strings.Contains(string(r.Data), "failed") {
			t.Fatalf("%s passed the filter", r.Data)
		}
	}
	if !strings.Contains(ansi.Strip(m.View()), `jq select(.status == "failed")`) {
		t.Fatal("the header does not show the filter")
	}
	// At 80 columns the header still says the tail is filtered: the
	// position yields first.
	m.SetSize(80, 24)
	if head := strings.SplitN(ansi.Strip(m.View()), "\n", 2)[0]; !strings.Contains(head, "jq select(") {
		t.Fatalf("at 80 columns the header hides the filter: %q", head)
	}
}

func TestOpenTailAllFromLatest(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 2)
	put(t, k, "orders", numbered(10, func(i int) string { return `{"old":true}` })...)
	m := newModel(t, s, 120, 30, true)
	m.from = tail.Position{Kind: tail.TrimHorizon}
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders", Extra: common.TailAll{}})
	if m.mode != modeTail || m.tailShard != "" || m.from.Kind != tail.Latest {
		t.Fatalf("mode %d shard %q from %v", m.mode, m.tailShard, m.from)
	}
	d.until("tail started", func() bool { return m.tl != nil })
	d.pump(1200 * time.Millisecond) // the first reads place the iterators at LATEST
	put(t, k, "orders", numbered(4, func(i int) string { return `{"new":true}` })...)
	d.until("new records", func() bool { return m.rows.Len() == 4 })
	for _, r := range m.recs.all() {
		if !strings.Contains(string(r.Data), "new") {
			t.Fatalf("old record %s in a tail from LATEST", r.Data)
		}
	}
}

func TestStaleBatchIgnored(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	attachFake(m, "orders", "")
	old := m.tailStamp()
	feed(m, fixed(3))
	// The tail is replaced: a batch of the old one is dropped.
	attachFake(m, "orders", "")
	recs := fixed(5)
	_, cmd := m.Update(batchMsg{Stamp: old, recs: recs, cells: make([][]string, 5)})
	if cmd != nil || m.rows.Len() != 0 {
		t.Fatalf("stale batch shown: %d rows", m.rows.Len())
	}
	feed(m, fixed(2))
	if m.rows.Len() != 2 {
		t.Fatalf("%d rows, want 2", m.rows.Len())
	}
}

func TestRowsBounded(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	attachFake(m, "orders", "")
	batch := fixed(1000)
	for range 25 {
		feed(m, batch)
	}
	if m.rows.Len() != MaxRows || m.recs.len() != MaxRows {
		t.Fatalf("%d rows, %d records; want %d", m.rows.Len(), m.recs.len(), MaxRows)
	}
	if m.recs.first != 25000-MaxRows {
		t.Fatalf("first serial %d", m.recs.first)
	}
	// The cursor followed the tail and points at the newest record.
	if r, ok := m.selectedRecord(); !ok || r.SequenceNumber != batch[999].SequenceNumber {
		t.Fatalf("selected %v %v", r.SequenceNumber, ok)
	}
}

func TestSessionStopsTail(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	f := attachFake(m, "orders", "")
	feed(m, fixed(3))
	m.c.Env = &common.Env{Gen: 2} // as the root does
	_, cmd := m.Update(common.SessionMsg{})
	runAll(cmd)
	if !f.closed || m.tl != nil || m.mode != modeShards || m.rows.Len() != 0 {
		t.Fatalf("session switch left the tail: closed %v mode %d rows %d", f.closed, m.mode, m.rows.Len())
	}
}

func TestSwitchStreamClosesTail(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	f := attachFake(m, "orders", "")
	_, cmd := m.Update(common.OpenMsg{Tab: common.ShardsTab, Target: "payments"})
	runAll(cmd)
	if !f.closed || m.stream != "payments" || m.mode != modeShards {
		t.Fatal("switching stream did not close the tail")
	}
}

// runAll runs a command and the commands of a batch, one level deep.
func runAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runAll(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func TestExportVisible(t *testing.T) {
	m := newModel(t, nil, 120, 30, true)
	dir := t.TempDir()
	m.exportDir = dir
	attachFake(m, "orders", "")
	feed(m, fixed(30))
	// Narrow the rows with the list filter: only those are exported.
	m.Update(viewtest.Key("/"))
	for _, r := range "failed" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m.Update(viewtest.Key("enter"))
	if m.rows.Len() != 10 {
		t.Fatalf("%d visible rows, want 10", m.rows.Len())
	}
	_, cmd := m.Update(viewtest.Key("e"))
	msgs := runAll(cmd)
	var status common.StatusMsg
	for _, msg := range msgs {
		_, c := m.Update(msg)
		for _, s := range runAll(c) {
			status, _ = s.(common.StatusMsg)
		}
	}
	path := filepath.Join(dir, "sluice-orders-20250314T092653Z.jsonl")
	if !strings.Contains(status.Text, path) || status.Level != common.Success {
		t.Fatalf("status %+v does not say where", status)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var n int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			ShardID, SequenceNumber, PartitionKey string
			Data                                  map[string]any
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if line.Data["status"] != "failed" || line.SequenceNumber == "" {
			t.Fatalf("exported %s", sc.Text())
		}
		n++
	}
	if n != 10 {
		t.Fatalf("exported %d records, want 10", n)
	}
}

func TestDetailPrettyJSON(t *testing.T) {
	m := newModel(t, nil, 100, 30, true)
	attachFake(m, "orders", "")
	feed(m, fixed(3))
	m.Update(viewtest.Key("enter"))
	if m.mode != modeDetail {
		t.Fatal("enter did not open the detail")
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{`"orderId": "ord-0002",`, `  "items": [`, `      "sku": "A-2",`, "partition key customer-2", "arrival 2025-03-14T09:26:53.274Z"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	// y copies the pretty record, t traces it.
	_, cmd := m.Update(viewtest.Key("y"))
	cp, _ := cmd().(common.CopyMsg)
	if !strings.Contains(cp.Text, "\"orderId\": \"ord-0002\",\n") || cp.What != "record" {
		t.Fatalf("copy %+v", cp)
	}
	_, cmd = m.Update(viewtest.Key("t"))
	tr, _ := cmd().(common.TraceMsg)
	if tr.Request.ShardID != "shardId-000000000000" || tr.Request.SequenceNumber != m.recs.all()[2].SequenceNumber || tr.Request.StreamARN == "" {
		t.Fatalf("trace %+v", tr)
	}
	m.Update(viewtest.Key("esc"))
	if m.mode != modeTail {
		t.Fatal("esc did not leave the detail")
	}
}

// onlySGR checks that every ESC in s starts a colour (SGR) sequence: an
// escape from data would be some other sequence, or a bare ESC.
func onlySGR(t *testing.T, s string) {
	t.Helper()
	rest := regexp.MustCompile(`\x1b\[[0-9;:]*m`).ReplaceAllString(s, "")
	if i := strings.IndexAny(rest, "\x1b\x07\x9b"); i >= 0 {
		t.Fatalf("raw control in view at %d: %q", i, rest[max(i-20, 0):min(i+20, len(rest))])
	}
}

func TestEscapesInert(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := newModel(t, nil, size[0], size[1], true)
		attachFake(m, "orders\x1b[2J", "")
		r := fixed(1)[0]
		r.PartitionKey = "key\x1b[2J\x1b[H"
		r.Data = []byte("clip \x1b]52;c;ZXZpbA==\x07 clear \x1b[2J bidi \u202e end")
		r.Size = len(r.Data)
		j := fixed(1)[0]
		j.Data = []byte(`{"k\u001b":"\u001b]52;c;eA==\u0007","r":"` + "\u202e\u009b" + `"}`)
		feed(m, []tail.Record{r, j})
		v := m.View()
		onlySGR(t, v)
		if !strings.Contains(ansi.Strip(v), `key\x1b[2J`) || (size[0] > 80 && !strings.Contains(ansi.Strip(v), `\x1b]52;c;`)) {
			t.Fatalf("escapes not shown inert:\n%s", ansi.Strip(v))
		}
		m.Update(viewtest.Key("k"))
		m.Update(viewtest.Key("enter"))
		v = m.View()
		onlySGR(t, v)
		if !strings.Contains(ansi.Strip(v), `\x1b]52;c;ZXZpbA==\x07`) {
			t.Fatalf("detail:\n%s", ansi.Strip(v))
		}
		m.Update(viewtest.Key("esc"))
		m.Update(viewtest.Key("j"))
		m.Update(viewtest.Key("enter"))
		v = m.View()
		onlySGR(t, v)
		if !strings.Contains(ansi.Strip(v), `\u202e\u009b`) {
			t.Fatalf("detail JSON:\n%s", ansi.Strip(v))
		}
	}
}

func testShards() []inventory.Shard {
	return []inventory.Shard{
		{ID: "shardId-000000000000", Children: []string{"shardId-000000000002", "shardId-000000000003"}, HashStart: "0", HashEnd: "170141183460469231731687303715884105727", KeyspaceShare: 0.5,
			StartSequence: "49590338271468004257498362358823446548387431744066240514", EndSequence: "49590338271479154630097627670393005481704122123468734466"},
		{ID: "shardId-000000000001", HashStart: "170141183460469231731687303715884105728", HashEnd: "340282366920938463463374607431768211455", KeyspaceShare: 0.5,
			StartSequence: "49590338271490305002096893671309015233121703318327836690", Open: true},
		{ID: "shardId-000000000002", ParentID: "shardId-000000000000", HashStart: "0", HashEnd: "85070591730234615865843651857942052863", KeyspaceShare: 0.25,
			StartSequence: "49590338271512605747295424294451587159755062598130368546", Open: true},
		{ID: "shardId-000000000003", ParentID: "shardId-000000000000", HashStart: "85070591730234615865843651857942052864", HashEnd: "170141183460469231731687303715884105727", KeyspaceShare: 0.25,
			StartSequence: "49590338271534906492493954917593159086388421877932900402", Open: true},
	}
}

func TestGolden(t *testing.T) {
	scenes := []struct {
		name  string
		setup func(m *Model)
	}{
		{"Shards", func(m *Model) {
			m.stream = "orders"
			m.Update(shardsMsg{Stamp: m.loads.Current(m.c.Env), stream: "orders", shards: testShards()})
			// Shard 1 takes 900 records a minute, twice the mean and more.
			m.Update(trafficMsg{Stamp: m.loads.Current(m.c.Env), stream: "orders", loads: metrics.ShardLoads{
				Monitored: []string{"IncomingBytes", "IncomingRecords", "IteratorAgeMilliseconds"},
				Loads: map[string]metrics.ShardLoad{
					"shardId-000000000001": {RecordsPerMinute: 900, BytesPerMinute: 900 * 512, IteratorAgeMs: 1500, HasAge: true},
					"shardId-000000000002": {RecordsPerMinute: 30, BytesPerMinute: 30 * 512},
				},
			}})
			m.Update(viewtest.Key("j"))
		}},
		{"Unmonitored", func(m *Model) {
			m.stream = "orders"
			m.Update(shardsMsg{Stamp: m.loads.Current(m.c.Env), stream: "orders", shards: testShards()})
			m.Update(trafficMsg{Stamp: m.loads.Current(m.c.Env), stream: "orders", loads: metrics.ShardLoads{}})
		}},
		{"Tail", func(m *Model) {
			attachFake(m, "orders", "")
			m.from = tail.Position{Kind: tail.TrimHorizon}
			feed(m, fixed(60))
			m.Update(viewtest.Key("k"))
			m.Update(viewtest.Key("k"))
		}},
		{"Paused", func(m *Model) {
			attachFake(m, "orders", "shardId-000000000001")
			feed(m, fixed(5))
			m.Update(viewtest.Key("space"))
			m.Update(viewtest.Key("J"))
			for _, r := range `select(.status == "failed")` {
				m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}},
		{"Detail", func(m *Model) {
			attachFake(m, "orders", "")
			feed(m, fixed(8))
			m.Update(viewtest.Key("enter"))
		}},
	}
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
				m := newModel(t, nil, w, h, true)
				sc.setup(m)
				golden.RequireEqual(t, []byte(check(t, m)))
			})
		})
	}
}

func TestGoldenNoStream(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	golden.RequireEqual(t, []byte(check(t, m)))
}

// check verifies the view (viewtest.CheckView, and that its only escapes
// are colours) and returns it without styles.
func check(t *testing.T, m *Model) string {
	t.Helper()
	v := m.View()
	onlySGR(t, v)
	return viewtest.CheckView(t, v, m.width, m.height)
}

func TestRing(t *testing.T) {
	r := newRing(5)
	recs := fixed(12)
	for i, rec := range recs {
		dropped := r.push(rec)
		if dropped != (i >= 5) {
			t.Fatalf("push %d: dropped %v", i, dropped)
		}
	}
	if r.len() != 5 || r.first != 7 || r.next != 12 {
		t.Fatalf("len %d first %d next %d", r.len(), r.first, r.next)
	}
	for s := uint64(0); s < 14; s++ {
		got, ok := r.at(s)
		if ok != (s >= 7 && s < 12) {
			t.Fatalf("at(%d): %v", s, ok)
		}
		if ok && got.SequenceNumber != recs[s].SequenceNumber {
			t.Fatalf("at(%d) is record %s", s, got.SequenceNumber)
		}
	}
	bytes := 0
	for _, rec := range recs[7:] {
		bytes += rec.Size
	}
	if r.bytes != bytes {
		t.Fatalf("bytes %d, want %d", r.bytes, bytes)
	}
	r.reset()
	if r.len() != 0 || r.first != 12 || r.bytes != 0 {
		t.Fatal("reset")
	}
}

func TestRowsBoundedByBytes(t *testing.T) {
	m := newModel(t, nil, 80, 24, true)
	attachFake(m, "orders", "")
	big := fixed(1)[0]
	big.Data = []byte(`{"blob":"` + strings.Repeat("x", 4<<20) + `"}`)
	big.Size = len(big.Data)
	for range 40 {
		feed(m, []tail.Record{big})
	}
	if m.recs.bytes > MaxBytes || m.rows.Len() != m.recs.len() || m.recs.len() == 0 {
		t.Fatalf("%d bytes in %d records, %d rows", m.recs.bytes, m.recs.len(), m.rows.Len())
	}
	v := check(t, m)
	if !strings.Contains(v, `{"blob":"xxxx`) {
		t.Fatalf("big record preview:\n%s", v)
	}
}

// TestJQProjectsInPlaceOfTheBody: an expression that is not a select
// shows what it yields in the preview and the detail pane, with the
// record's shard, sequence and key kept; records it yields nothing for
// are not shown.
func TestJQProjectsInPlaceOfTheBody(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 1)
	put(t, k, "orders", numbered(6, func(i int) string {
		return fmt.Sprintf(`{"detail":{"orderId":"o-%d","amount":%d}}`, i, i*50)
	})...)
	m := newModel(t, s, 120, 30, true)
	m.from = tail.Position{Kind: tail.TrimHorizon}
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.key("J")
	d.typeText(`select(.detail.amount > 100) | .detail.orderId`)
	d.key("enter")
	d.key("a")
	d.until("3 projected records", func() bool { return m.rows.Len() == 3 })
	d.pump(1500 * time.Millisecond)
	if m.rows.Len() != 3 {
		t.Fatalf("%d rows, want the 3 the select keeps", m.rows.Len())
	}
	for i, r := range m.rows.Visible() {
		want := fmt.Sprintf(`"o-%d"`, i+3)
		if preview := r.Cells[len(r.Cells)-1]; preview != want {
			t.Errorf("row %d previews %q, want %s", i, preview, want)
		}
		if r.Cells[1] != "0" || r.Cells[3] == "" {
			t.Errorf("row %d lost its coordinates: %q", i, r.Cells)
		}
	}
	d.key("enter")
	v := ansi.Strip(m.View())
	// The cursor followed the tail to its newest record.
	for _, want := range []string{"jq projection", `"o-5"`, "partition key", "select(.detail.amount > 100)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the detail pane lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, `"amount"`) {
		t.Errorf("the detail pane shows the record, not its projection:\n%s", v)
	}
}

// TestExportWritesWhatIsShown: a projected record exports as its
// projected lines, coordinates kept, as `sluice tail --jq -o jsonl`
// prints it; a whole record as itself.
func TestExportWritesWhatIsShown(t *testing.T) {
	recs := fixed(2)
	recs[0].Projection = [][]byte{[]byte(`"o-1"`), []byte(`2`)}
	path := filepath.Join(t.TempDir(), "out.jsonl")
	if _, err := writeJSONL(path, recs); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"data":"o-1","projected":true`) || !strings.Contains(lines[1], `"data":2,"projected":true`) ||
		!strings.Contains(lines[0], `"shardId":"`+recs[0].ShardID+`"`) || strings.Contains(lines[2], "projected") {
		t.Fatalf("export:\n%s", b)
	}
}
