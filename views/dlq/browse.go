package dlq

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/decode"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/table"
)

// browseMsg carries what a browse saw.
type browseMsg struct {
	common.Stamp
	Queue  target
	Result bdlq.BrowseResult
	Err    error
}

// openRow browses the listed queue at url.
func (m *Model) openRow(url string) tea.Cmd {
	d, ok := m.dlqByURL(url)
	if !ok {
		return nil
	}
	return m.enter(target{name: d.Queue.Name, url: d.Queue.URL, arn: d.Queue.ARN})
}

// openQueue browses a queue named by the palette (name, URL or ARN).
func (m *Model) openQueue(ref string) tea.Cmd {
	if d, ok := m.dlqByName(ref); ok {
		return m.enter(target{name: d.Queue.Name, url: d.Queue.URL, arn: d.Queue.ARN})
	}
	t := target{name: inventory.QueueName(ref)}
	if strings.Contains(ref, "://") {
		t.url = ref
	}
	return m.enter(t)
}

// enter shows a queue's messages: its kept browse, else a browse made
// now.
func (m *Model) enter(t target) tea.Cmd {
	m.showQueue(t)
	// A queue browsed before in this session is shown as it was then:
	// browsing again costs every message a receive, so that only the
	// operator asks for it (b).
	if m.showKept() {
		return nil
	}
	return m.browse()
}

// showQueue makes t the queue shown, empty until a browse fills it.
func (m *Model) showQueue(t target) {
	if t.name != m.cur.name {
		m.msgs.SetRows(nil)
		m.msgs.ClearMarks()
		m.msgs.SetFilter("")
		m.msgs.SetCursor(0)
		m.res = bdlq.BrowseResult{}
		m.byID = map[string]bdlq.Message{}
		m.previews = map[string]string{}
		m.browseErr = ""
	}
	m.back(false)
	m.level = levelBrowse
	m.cur = t
}

// showKept shows the current queue's kept browse, receiving nothing, and
// reports whether there was one.
func (m *Model) showKept() bool {
	s := m.session()
	if s == nil || m.cur.url == "" {
		return false
	}
	res, ok := bdlq.Kept(s, m.cur.url)
	if !ok {
		return false
	}
	m.browseErr = ""
	m.apply(res)
	return true
}

// browseAgain is the operator's ask to browse again: the list's queue
// under the cursor, or the queue shown.
func (m *Model) browseAgain() tea.Cmd {
	if m.level == levelList {
		r, ok := m.list.Selected()
		if !ok {
			return nil
		}
		d, ok := m.dlqByURL(r.ID)
		if !ok {
			return nil
		}
		m.showQueue(target{name: d.Queue.Name, url: d.Queue.URL, arn: d.Queue.ARN})
	}
	return m.browse()
}

// browse reads the current queue's first page of messages and releases
// them at once. It is the only receive of the tab: opening a queue not
// browsed yet, or the operator's b.
func (m *Model) browse() tea.Cmd {
	stamp := m.browses.Next(m.env())
	s := m.session()
	if s == nil {
		return nil
	}
	m.browseLoading = true
	t := m.cur
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		if t.url == "" {
			url, err := inventory.QueueURL(ctx, s, t.name)
			if err != nil {
				return browseMsg{Stamp: stamp, Queue: t, Err: fmt.Errorf("browse %s: %w", t.name, err)}
			}
			t.url = url
		}
		res, err := bdlq.Browse(ctx, s, t.url, bdlq.BrowseOptions{Max: bdlq.DefaultBrowse})
		if t.arn == "" {
			t.arn = res.Queue.ARN
		}
		return browseMsg{Stamp: stamp, Queue: t, Result: res, Err: err}
	}
}

func (m *Model) onBrowse(msg browseMsg) tea.Cmd {
	if !m.browses.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	m.browseLoading = false
	m.cur = msg.Queue
	if msg.Err != nil && len(msg.Result.Messages) == 0 {
		m.browseErr = msg.Err.Error()
		return common.Fail(msg.Err, reloadCmd) // the error names the queue
	}
	m.browseErr = ""
	m.apply(msg.Result)
	// The browse makes the queue's deadline exact.
	deadlines := m.loadDeadlines()
	if msg.Err != nil {
		return tea.Batch(deadlines, common.Fail(msg.Err, reloadCmd)) // the error names the queue
	}
	if len(m.res.ReleaseFailures) > 0 {
		return tea.Batch(deadlines, common.Status(common.Warning, fmt.Sprintf("%d messages of %s could not be released and stay hidden until their visibility timeout ends",
			len(m.res.ReleaseFailures), m.cur.name)))
	}
	return deadlines
}

// openToHydrate answers the status bar's hydrate key: it opens the queue
// warned of and, when its browse is kept (the deadline was exact), asks
// to hydrate every Kinesis failure of it; otherwise the browse it starts
// makes the deadline exact, and H hydrates.
func (m *Model) openToHydrate(ref string) tea.Cmd {
	open := m.openQueue(ref)
	if open != nil {
		return open
	}
	return m.hydrateAll()
}

// apply shows a browse, made now or kept.
func (m *Model) apply(res bdlq.BrowseResult) {
	m.res = res
	m.byID = make(map[string]bdlq.Message, len(m.res.Messages))
	m.previews = map[string]string{}
	for _, x := range m.res.Messages {
		m.byID[x.ID] = x
		if x.Failure == nil {
			// Decoded once per browse, not on every layout: a body may be
			// a mebibyte.
			m.previews[x.ID] = preview(x.Body)
		}
	}
	m.layout()
	if m.split.Open() {
		if x, ok := m.byID[m.detailID]; ok {
			m.setDetail(x)
		} else {
			m.back(false)
		}
	}
}

// anyFailure reports whether the browse holds Kinesis failures.
func (m *Model) anyFailure() bool {
	for _, x := range m.res.Messages {
		if !x.IsPayload() {
			return true
		}
	}
	return false
}

// wideFrom is the table width from which a message's shard and sequence
// numbers have columns; longTimeFrom the width from which SENT shows the
// year and seconds.
const (
	wideFrom     = 123
	longTimeFrom = 128
)

// messageColumns lays out the messages for a width: Kinesis failures get
// their coordinates, payloads a preview.
func messageColumns(width int, failures, payloads bool) []table.Column {
	id := table.Column{Title: "ID", Width: 8}
	recv := table.Column{Title: "RECV", Width: 4, Right: true}
	sent := table.Column{Title: "SENT (UTC)", Width: 14}
	if width >= longTimeFrom {
		sent.Width = 19
	}
	if !failures {
		return []table.Column{id, recv, sent, {Title: "PREVIEW", Width: 10, Flex: 1}}
	}
	due := table.Column{Title: "DEADLINE", Width: 12, Right: true}
	cond := table.Column{Title: "CONDITION", Width: 12, Flex: 2}
	consumer := table.Column{Title: "CONSUMER", Width: 10, Flex: 2}
	if payloads {
		consumer.Title = "CONSUMER / PREVIEW"
	}
	batch := table.Column{Title: "BATCH", Width: 5, Right: true}
	if width < wideFrom {
		return []table.Column{id, recv, sent, due, cond, consumer, batch}
	}
	cond.Width = 22
	shard := table.Column{Title: "SHARD", Width: 12}
	seqs := table.Column{Title: "SEQUENCES", Width: 21, Flex: 1}
	return []table.Column{id, recv, sent, due, cond, consumer, shard, seqs, batch}
}

// refreshMessageRows lays the messages out for a table width.
func (m *Model) refreshMessageRows(width int) {
	failures := m.anyFailure()
	rows := make([]table.Row, 0, len(m.res.Messages))
	for _, x := range m.res.Messages {
		row := messageRow(x, m.previews[x.ID], failures, width >= wideFrom, width >= longTimeFrom)
		if failures {
			due, tone := m.messageDeadline(x.ID)
			// The DEADLINE column follows SENT.
			row.Cells = append(row.Cells[:3], append([]string{due}, row.Cells[3:]...)...)
			row.Sort = append(row.Sort, m.messageDeadlineKey(x.ID))
			if tone > row.Tone {
				row.Tone = tone
			}
		}
		rows = append(rows, row)
	}
	m.msgs.SetRows(rows)
}

func messageRow(x bdlq.Message, preview string, failures, wide, longTime bool) table.Row {
	sent := "-"
	if !x.SentAt.IsZero() {
		if longTime {
			sent = x.SentAt.UTC().Format("2006-01-02 15:04:05")
		} else {
			sent = x.SentAt.UTC().Format("01-02 15:04:05")
		}
	}
	cells := []string{shortID(x.ID), strconv.Itoa(x.ReceiveCount), sent}
	// The sent time sorts by the time: its text has no year on a narrow
	// screen.
	row := table.Row{ID: x.ID, Sort: []table.Key{{}, {}, table.Time(x.SentAt)}}
	switch {
	case !failures:
		cells = append(cells, preview)
	case x.Failure == nil:
		cond := "payload"
		if x.ParseError != "" {
			cond, row.Tone = "unreadable failure", table.Bad
		}
		cells = append(cells, cond, preview)
		if wide {
			cells = append(cells, "", "")
		}
		cells = append(cells, "")
	default:
		f := x.Failure
		cells = append(cells, f.Condition, f.Consumer)
		if wide {
			cells = append(cells, shortShard(f.Batch.ShardID), SeqRange(f.Batch.StartSequenceNumber, f.Batch.EndSequenceNumber))
		}
		cells = append(cells, strconv.Itoa(f.Batch.BatchSize))
	}
	row.Cells = cells
	return row
}

func preview(body string) string {
	return decode.Decode([]byte(body)).Preview(200)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// shortShard drops the "shardId-" prefix: "000000000001".
func shortShard(id string) string { return strings.TrimPrefix(id, "shardId-") }

// SeqRange shortens a sequence number range to its ends: "4959…8898–4959…5618",
// or one number when both ends are the same.
func SeqRange(start, end string) string {
	short := func(s string) string {
		if len(s) <= 10 {
			return s
		}
		return s[:4] + "…" + s[len(s)-4:]
	}
	if end == "" || end == start {
		return short(start)
	}
	return short(start) + "–" + short(end)
}

// selected is the message under the cursor (or in the detail).
func (m *Model) selected() (bdlq.Message, bool) {
	if m.split.Open() {
		x, ok := m.byID[m.detailID]
		return x, ok
	}
	if m.level != levelBrowse {
		return bdlq.Message{}, false
	}
	r, ok := m.msgs.Selected()
	if !ok {
		return bdlq.Message{}, false
	}
	x, ok := m.byID[r.ID]
	return x, ok
}

func (m *Model) openDetail() {
	x, ok := m.selected()
	if !ok {
		return
	}
	m.setDetail(x)
	m.split.Show()
	m.layout()
}

func (m *Model) setDetail(x bdlq.Message) {
	m.detailID = x.ID
	m.detail.SetContent("message "+x.ID, decode.Decode([]byte(x.Body)), messageFields(x))
}

// messageFields are the detail's header: the parsed failure first, then
// what SQS says about the message.
func messageFields(x bdlq.Message) []jsonview.Field {
	var out []jsonview.Field
	add := func(label, value string) {
		if value != "" {
			out = append(out, jsonview.Field{Label: label, Value: value})
		}
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05.000Z")
	}
	if f := x.Failure; f != nil {
		add("condition", f.Condition)
		add(f.Source, f.Consumer)
		add("consumer arn", f.ConsumerARN)
		add("failed at", ts(f.Timestamp))
		add("stream", f.Batch.Stream())
		add("shard", f.Batch.ShardID)
		add("start seq", f.Batch.StartSequenceNumber)
		add("end seq", f.Batch.EndSequenceNumber)
		add("batch", strconv.Itoa(f.Batch.BatchSize))
		add("first arrival", ts(f.Batch.FirstArrival))
		add("last arrival", ts(f.Batch.LastArrival))
		add("request id", f.RequestID)
		if f.StatusCode != 0 {
			add("status", strconv.Itoa(f.StatusCode))
		}
		add("function error", f.FunctionError)
	} else if x.ParseError != "" {
		add("unreadable failure", x.ParseError)
	}
	add("receive count", strconv.Itoa(x.ReceiveCount))
	add("sent", ts(x.SentAt))
	add("first received", ts(x.FirstReceivedAt))
	add("source queue", x.SourceQueueARN())
	names := make([]string, 0, len(x.MessageAttributes))
	for k := range x.MessageAttributes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add("attr "+k, x.MessageAttributes[k])
	}
	return out
}
