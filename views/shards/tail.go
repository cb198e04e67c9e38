package shards

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/table"
)

// startTail closes any running tail and starts one on shard ("" for every
// shard) with the current position and filter. tail.Start resolves the
// stream and plans the shards, so it runs in a command; its context lives
// as long as the tail.
func (m *Model) startTail(shard string) tea.Cmd {
	closing := m.closeTail()
	m.mode = modeTail
	m.tailShard = shard
	m.starting = true
	if m.c.Env == nil || m.c.Env.Session == nil || m.stream == "" {
		m.starting = false
		m.ended, m.endedErr = "no session", true
		return closing
	}
	o := tail.NewOptions(m.stream)
	if shard != "" {
		o.Shards = []string{shard}
	}
	o.From = m.from
	o.Filter = m.filter
	o.Buffer = -1 // the view keeps its own, bounded rows
	if r := m.c.Env.Config.Tail.ReadsPerSecond; r > 0 {
		o.ReadsPerSecond = r
	}
	env, stamp := m.c.Env, m.tailStamp()
	start := func() tea.Msg {
		// The tail lives as long as the session, or until it is closed.
		// Its start (resolving the stream, listing shards) is bounded.
		ctx, cancel := context.WithCancel(env.Context())
		timer := time.AfterFunc(common.CallTimeout, cancel)
		tl, err := tail.Start(ctx, env.Session, o)
		if !timer.Stop() && err == nil {
			tl.Close()
			err = context.DeadlineExceeded
		}
		if err != nil {
			cancel()
			return tailStartedMsg{Stamp: stamp, err: err}
		}
		return tailStartedMsg{Stamp: stamp, tl: tl, cancel: cancel}
	}
	return tea.Batch(closing, start)
}

// retryTail asks, when run (ctrl+r on the status line), for the same tail
// again.
func (m *Model) retryTail() tea.Cmd {
	stamp, shard := m.tailStamp(), m.tailShard
	return func() tea.Msg { return retryMsg{Stamp: stamp, shard: shard, tail: true} }
}

func (m *Model) tailStarted(msg tailStartedMsg) tea.Cmd {
	if !msg.Fresh(m.tailStamp()) {
		if msg.tl != nil {
			// A tail nobody wants any more: stop it off the UI goroutine.
			return closeCmd(msg.tl, msg.cancel)
		}
		return nil
	}
	m.starting = false
	if msg.err != nil {
		m.ended, m.endedErr = "failed to start", true
		return common.Fail(fmt.Errorf("tail %s: %s", inert.Line(m.stream), inert.Line(msg.err.Error())), m.retryTail())
	}
	m.attach(msg.tl, msg.cancel)
	return tea.Batch(waitBatch(m.tailStamp(), m.tl.Records(), m.window), tickCmd(m.tailStamp()))
}

// attach makes t the running tail.
func (m *Model) attach(t tailer, cancel context.CancelFunc) {
	m.tl, m.cancel = t, cancel
	m.paused, m.ended, m.endedErr = false, "", false
	m.lastTick, m.lastReceived = time.Time{}, m.received
}

// closeTail stops the running tail (if any), drops its rows, and makes
// every message still in flight for it stale.
func (m *Model) closeTail() tea.Cmd {
	m.tails.Drop()
	t, cancel := m.tl, m.cancel
	m.tl, m.cancel = nil, nil
	m.starting, m.paused, m.pending = false, false, nil
	m.ended, m.endedErr = "", false
	m.clearRows()
	if m.mode == modeDetail {
		m.mode = modeTail
	}
	if t == nil {
		return nil
	}
	return closeCmd(t, cancel)
}

func closeCmd(t tailer, cancel context.CancelFunc) tea.Cmd {
	return func() tea.Msg {
		if cancel != nil {
			cancel()
		}
		t.Close()
		return nil
	}
}

func (m *Model) clearRows() {
	m.recs.reset()
	m.received, m.lastReceived, m.rate, m.behind, m.throttles, m.filteredOut = 0, 0, 0, 0, 0, 0
	m.rows.SetRows(nil)
	m.rows.SetCursor(0)
}

// waitBatch waits for the tail's next batch, then keeps taking batches for
// up to window (and maxCoalesce records), and builds their cells, all off
// the UI goroutine. A fast tail thus becomes at most 1/window messages a
// second, however small its batches: each message costs the UI goroutine
// an Update and a frame, so their number, not their size, is what would
// crowd out key presses.
func waitBatch(stamp common.Stamp, ch <-chan tail.Batch, window time.Duration) tea.Cmd {
	return func() tea.Msg {
		b, ok := <-ch
		if !ok {
			return batchMsg{Stamp: stamp, closed: true}
		}
		msg := batchMsg{Stamp: stamp, recs: b.Records, behind: b.MillisBehindLatest}
		var timeout <-chan time.Time
		if window > 0 {
			t := time.NewTimer(window)
			defer t.Stop()
			timeout = t.C
		}
	more:
		for len(msg.recs) < maxCoalesce {
			var b tail.Batch
			var ok bool
			if timeout == nil {
				select {
				case b, ok = <-ch:
				default:
					break more
				}
			} else {
				select {
				case b, ok = <-ch:
				case <-timeout:
					break more
				}
			}
			if !ok {
				msg.closed = true
				break more
			}
			msg.recs = append(msg.recs, b.Records...)
			msg.behind = max(msg.behind, b.MillisBehindLatest)
		}
		msg.cells = make([][]string, len(msg.recs))
		for i, r := range msg.recs {
			msg.cells[i] = cells(r)
		}
		return msg
	}
}

// cells are a record's columns: time (UTC, from the record), shard,
// partition key, sequence, size, preview. The table makes them inert.
func cells(r tail.Record) []string {
	seq := r.SequenceNumber
	if len(seq) > 10 {
		// The end is what tells records of a shard apart; the detail
		// pane has the whole number.
		seq = "…" + seq[len(seq)-10:]
	}
	if r.SubSequence >= 0 {
		seq += "/" + strconv.Itoa(r.SubSequence)
	}
	arrival := "–"
	if !r.Arrival.IsZero() {
		arrival = r.Arrival.UTC().Format("15:04:05.000")
	}
	key := r.PartitionKey
	if len(key) > 256 {
		key = key[:256]
	}
	return []string{arrival, shardNumber(r.ShardID), key, seq, jsonview.Size(r.Size), decode.PreviewOf(r.Shown(), previewLen)}
}

// tailKeys are what a record's cells sort by where their text would sort
// wrong: the arrival as a time (its text has no date), the sequence
// number whole (the cell shows its end), the size in bytes.
func tailKeys(r tail.Record) []table.Key {
	// Sequence numbers are decimal integers up to 128 bits: padded to one
	// width, their text orders as the numbers do.
	seq := table.Missing()
	if r.SequenceNumber != "" {
		seq = table.Text(fmt.Sprintf("%040s/%08d", r.SequenceNumber, max(r.SubSequence, 0)))
	}
	return []table.Key{table.Time(r.Arrival), {}, {}, seq, table.Num(float64(r.Size))}
}

// shardNumber is a shard id's number: "shardId-000000000012" is 12.
func shardNumber(id string) string {
	n := strings.TrimLeft(shortShard(id), "0")
	if n == "" && id != "" {
		return "0"
	}
	return n
}

// batch adds a message's records to the rows (or keeps them aside while
// paused) and waits for the next.
func (m *Model) batch(msg batchMsg) tea.Cmd {
	if !msg.Fresh(m.tailStamp()) || m.tl == nil {
		return nil // a closed tail's batch
	}
	if m.paused {
		m.pending = append(m.pending, msg)
		m.trimPending()
		if msg.closed {
			return nil
		}
		// Keep reading what the tail already read, so that its readers
		// are not left blocked; the rows stay as they are.
		return waitBatch(m.tailStamp(), m.tl.Records(), m.window)
	}
	m.add(msg)
	if msg.closed {
		return m.tailEnded()
	}
	return waitBatch(m.tailStamp(), m.tl.Records(), m.window)
}

// trimPending keeps at most MaxRows records aside while paused.
func (m *Model) trimPending() {
	n := 0
	for _, p := range m.pending {
		n += len(p.recs)
	}
	for n > m.maxRows && len(m.pending) > 1 {
		n -= len(m.pending[0].recs)
		m.pending = m.pending[1:]
	}
}

func (m *Model) tailEnded() tea.Cmd {
	err := m.tl.Err()
	if err != nil {
		m.ended, m.endedErr = "ended: "+inert.Line(err.Error()), true
		return common.Fail(fmt.Errorf("tail %s: %s", inert.Line(m.stream), inert.Line(err.Error())), m.retryTail())
	}
	m.ended = "ended"
	return nil
}

// add appends records and their rows, dropping the oldest beyond MaxRows
// or MaxBytes.
func (m *Model) add(msg batchMsg) {
	if len(msg.recs) == 0 {
		return
	}
	m.behind = msg.behind
	m.received += int64(len(msg.recs))
	recs, cells := msg.recs, msg.cells
	if skip := len(recs) - m.maxRows; skip > 0 {
		// More than the table holds: only the newest can be shown.
		m.recs.next += uint64(skip)
		m.recs.reset()
		m.rows.SetRows(nil)
		recs, cells = recs[skip:], cells[skip:]
	}
	rows := make([]table.Row, len(recs))
	drop := 0
	for i, r := range recs {
		rows[i] = table.Row{ID: strconv.FormatUint(m.recs.next, 10), Cells: cells[i], Sort: tailKeys(r)}
		if m.recs.push(r) {
			drop++
		}
	}
	for m.recs.bytes > MaxBytes && m.recs.len() > 1 {
		m.recs.dropFirst(1)
		drop++
	}
	m.rows.AppendRows(rows)
	m.rows.DropFirst(drop)
}

// togglePause pauses or resumes the tail; on resume the batches kept
// aside are shown.
func (m *Model) togglePause() tea.Cmd {
	if m.tl == nil || m.ended != "" {
		return nil
	}
	if !m.paused {
		m.paused = true
		m.tl.Pause()
		return nil
	}
	m.paused = false
	m.tl.Resume()
	pending := m.pending
	m.pending = nil
	var closed bool
	for _, p := range pending {
		m.add(p)
		closed = closed || p.closed
	}
	if closed {
		return m.tailEnded()
	}
	return nil
}

func tickCmd(stamp common.Stamp) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{stamp} })
}

// tick refreshes the header's figures once a second while the tail runs.
func (m *Model) tick(msg tickMsg) tea.Cmd {
	if !msg.Fresh(m.tailStamp()) || m.tl == nil || m.ended != "" {
		return nil
	}
	now := time.Now()
	if !m.lastTick.IsZero() {
		if d := now.Sub(m.lastTick).Seconds(); d > 0 {
			m.rate = float64(m.received-m.lastReceived) / d
		}
	}
	m.lastTick, m.lastReceived = now, m.received
	st := m.tl.Stats()
	m.behind, m.throttles, m.filteredOut = st.MaxMillisBehindLatest(), st.Throttles, st.Filtered
	if m.filter != nil && st.Filtered > 0 {
		// Records are read; the expression has let none through yet.
		m.rows.SetEmpty(thousands(st.Filtered) + " records read, none yielded by the jq yet")
	}
	return tickCmd(m.tailStamp())
}

// selectedRecord is the record under the cursor of the tail.
func (m *Model) selectedRecord() (tail.Record, bool) {
	r, ok := m.rows.Selected()
	if !ok {
		return tail.Record{}, false
	}
	return m.record(r.ID)
}

func (m *Model) record(id string) (tail.Record, bool) {
	serial, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return tail.Record{}, false
	}
	return m.recs.at(serial)
}

func (m *Model) openDetail() {
	r, ok := m.selectedRecord()
	if !ok {
		return
	}
	seq := r.SequenceNumber
	if r.SubSequence >= 0 {
		seq += " / " + strconv.Itoa(r.SubSequence)
	}
	meta := []jsonview.Field{
		{Label: "shard", Value: r.ShardID},
		{Label: "sequence", Value: seq},
		{Label: "partition key", Value: r.PartitionKey},
	}
	if r.ExplicitHashKey != "" {
		meta = append(meta, jsonview.Field{Label: "hash key", Value: r.ExplicitHashKey})
	}
	arrival := "unknown"
	if !r.Arrival.IsZero() {
		arrival = r.Arrival.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	meta = append(meta, jsonview.Field{Label: "arrival", Value: arrival}, jsonview.Field{Label: "size", Value: jsonview.Size(r.Size)})
	if r.Aggregated {
		meta = append(meta, jsonview.Field{Label: "KPL", Value: "user record of an aggregate"})
	}
	title, body := "record in "+m.stream, r.Payload()
	if r.Projection != nil {
		// What the jq expression made of the record stands in its place,
		// as in the list; the coordinates above still say which record.
		title, body = "jq projection of a record in "+m.stream, projectionPayload(r.Projection)
		meta = append(meta, jsonview.Field{Label: "jq", Value: m.filter.String()})
	}
	m.detail.SetContent(title, body, meta)
	m.mode = modeDetail
}

// projectionPayload is a projection as one JSON document: its value, or
// the array of its values when there are several.
func projectionPayload(values [][]byte) decode.Payload {
	if len(values) == 1 {
		return decode.Decode(values[0])
	}
	doc := append([]byte{'['}, bytes.Join(values, []byte{','})...)
	return decode.Decode(append(doc, ']'))
}

// copySelected copies the record: pretty JSON, the text, or binary as
// base64 (raw bytes pasted into a terminal could be read as escapes).
func (m *Model) copySelected() tea.Cmd {
	r, ok := m.selectedRecord()
	if !ok {
		return nil
	}
	text, what, note := copyText(r)
	return func() tea.Msg { return common.CopyMsg{Text: text, What: what, Note: note} }
}

// copyText is what y copies: never raw control characters, which act on
// the terminal the copy is pasted into (see common.Clipboard).
func copyText(r tail.Record) (text, what, note string) {
	p := r.Payload()
	switch p.Kind {
	case decode.JSON:
		text, note = common.Clipboard([]byte(jsonview.Indent(p.Body)))
		return text, "record", note
	case decode.Text:
		text, note = common.Clipboard(p.Body)
		return text, "record", note
	}
	return base64.StdEncoding.EncodeToString(r.Data), "record (base64)", ""
}

// export writes the visible records (those that pass the row filter) as
// JSON Lines, in the current directory or, failing that, $TMPDIR.
func (m *Model) export() tea.Cmd {
	visible := m.rows.Visible()
	recs := make([]tail.Record, 0, len(visible))
	for _, row := range visible {
		if r, ok := m.record(row.ID); ok {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return common.Status(common.Warning, "nothing to export")
	}
	name := fmt.Sprintf("sluice-%s-%s.jsonl", fileSafe(m.stream), m.now().UTC().Format("20060102T150405Z"))
	dirs := []string{m.exportDir}
	if m.exportDir == "" {
		dirs = []string{".", os.TempDir()}
	}
	// An export's outcome is news whatever happened since, in the session.
	stamp := common.SessionStamp(common.ShardsTab, m.c.Env)
	return func() tea.Msg {
		var errs []error
		for _, dir := range dirs {
			path, err := writeJSONL(filepath.Join(dir, name), recs)
			if err == nil {
				return exportedMsg{Stamp: stamp, path: path, n: len(recs)}
			}
			errs = append(errs, err)
		}
		return exportedMsg{Stamp: stamp, err: errors.Join(errs...)}
	}
}

func writeJSONL(path string, recs []tail.Record) (string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	var buf []byte
	for _, r := range recs {
		// What is shown, as `sluice tail --jq -o jsonl` prints it: the
		// record, or a line per value of its jq projection.
		if r.Projection == nil {
			buf = append(tail.AppendJSON(buf, r), '\n')
		}
		for _, v := range r.Projection {
			buf = append(tail.AppendProjectedJSON(buf, r, v), '\n')
		}
		if len(buf) > 1<<20 {
			if _, err := f.Write(buf); err != nil {
				f.Close()
				return "", err
			}
			buf = buf[:0]
		}
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// Stop ends a running tail's reads when the app quits; its goroutines
// wind down on their own.
func (m *Model) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

// tailStamp is what the running tail's messages carry: closing or
// replacing the tail turns them stale.
func (m *Model) tailStamp() common.Stamp { return m.tails.Current(m.c.Env) }
