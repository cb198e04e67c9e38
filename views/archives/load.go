package archives

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
	"github.com/sluicehq/sluice/views/table"
)

// --- consumers ---

type consumersMsg struct {
	common.Stamp
	// Found is what could be read; its Failures say what could not
	// (pipes, a queue, an archive).
	Found inventory.ArchiveConsumers
	Err   error
}

func (m *Model) loadConsumers() tea.Cmd {
	stamp := m.req.consumers.Next(m.env())
	s := m.session()
	if s == nil {
		m.consLoading = false
		return nil
	}
	m.consLoading = true
	m.consFresh.Start(m.o.now())
	env := m.env()
	// Shared with the other tabs' reads, but only those that start from
	// this request on: a tab opened or refreshed after a change (a pipe
	// created) never lists the account as it was before.
	asked := env.InventoryNow()
	declared, flag := env.Config.Pipelines, env.ArchiveFlag
	opts := append(slices.Clip(m.o.inventory), env.SharedSince(asked))
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		found, err := inventory.NewLocator(s, declared, flag, opts...).ArchiveConsumers(ctx, backend.ArchiveLocation{})
		if err != nil {
			return consumersMsg{Stamp: stamp, Err: err}
		}
		return consumersMsg{Stamp: stamp, Found: found}
	}
}

func (m *Model) onConsumers(msg consumersMsg) tea.Cmd {
	if !m.req.consumers.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	m.consLoading = false
	if msg.Err != nil {
		// The consumers read before stay; the banner says the refresh
		// failed and why, not the status bar.
		m.consFresh.Failed(m.o.now(), fmt.Errorf("list pipelines: %w", msg.Err))
		m.layout()
		return nil
	}
	found := msg.Found
	if m.consLoaded {
		// A consumer that a failure kept from being read again stays,
		// marked, until a read says it is gone.
		found = inventory.KeepUnread(m.cons, found)
	}
	m.consFresh.Succeeded(m.o.now())
	m.consLoaded = true
	m.cons, m.notes = found.Consumers, nil
	var partial []string
	for _, f := range found.Failures {
		if f.Kind == backend.FailNotServed {
			m.notes = append(m.notes, f.Service+": not served here, none listed")
			continue
		}
		partial = append(partial, f.Error())
	}
	if len(partial) > 0 {
		// Failures first: the list is partial, never "none found".
		m.notes = append([]string{"could not read: " + strings.Join(partial, "; ")}, m.notes...)
		m.consumers.SetEmpty("no archive could be read: " + partial[0])
	} else {
		m.consumers.SetEmpty(noConsumers)
	}
	m.notes = append(m.notes, found.Notes...)
	m.consumers.SetRows(m.consumerRows())
	for i, c := range m.cons {
		if c.Name == m.cur.Name {
			m.cur = m.cons[i] // the target may have changed
		}
	}
	m.layout()
	var done tea.Cmd
	if len(partial) == 0 {
		done = common.Succeeded
	}
	if p := m.pending; p != "" {
		m.pending = ""
		return tea.Batch(done, m.open(p))
	}
	return done
}

func consumerColumns() []table.Column {
	return []table.Column{
		{Title: "CONSUMER", Width: 14, Flex: 2},
		{Title: "KIND", Width: 7},
		{Title: "STREAM", Width: 8, Flex: 1},
		{Title: "ARCHIVE", Width: 14, Flex: 2},
		{Title: "REPLAY TARGET", Width: 14, Flex: 3},
	}
}

func (m *Model) consumerRows() []table.Row {
	rows := make([]table.Row, 0, len(m.cons))
	for _, c := range m.cons {
		target := c.Target.String()
		tone := table.Plain
		if target == "" {
			target, tone = "- (none: set replay_target)", table.Dim
		}
		stream := c.Stream
		if stream == "" {
			stream = "-"
		}
		name := c.Name
		if c.Unread != nil {
			// Shown as last read; the banner says why, the header what
			// failed in full.
			name, tone = c.Name+" (not re-read)", table.Warn
		}
		rows = append(rows, table.Row{ID: c.Name, Tone: tone, Cells: []string{name, c.Kind, stream, c.Archive.String(), target}})
	}
	return rows
}

// --- days and hours ---

type hoursMsg struct {
	common.Stamp
	Consumer string
	Hours    []hour
	// Exact is set when the hours were found by listing their events, so
	// that their counts are known.
	Exact bool
	Err   error
}

// since is the start of the time range; zero for all.
func (m *Model) since() time.Time {
	if d := Ranges[m.rangeIdx].Dur; d > 0 {
		return m.o.now().Add(-d)
	}
	return time.Time{}
}

// loadHours finds the consumer's hours in the range. Waiting events
// without a partition-key filter are found by folder alone (a few calls
// whatever their number); replayed copies and a partition key need the
// events listed, which also counts them.
func (m *Model) loadHours() tea.Cmd {
	stamp := m.req.hours.Next(m.env())
	s := m.session()
	if s == nil || m.cur.Name == "" {
		return nil
	}
	m.hoursLoading = true
	m.hoursFresh.Start(m.o.now())
	c := m.cur
	q := archive.Query{Consumer: c.Name, Since: m.since(), PartitionKey: m.pk, Replayed: m.replayed}
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		if !q.Replayed && q.PartitionKey == "" {
			starts, err := archive.Hours(ctx, s, c.Archive, c.Name)
			var hs []hour
			for _, h := range starts {
				if q.Since.IsZero() || !h.Add(time.Hour).Before(q.Since) {
					hs = append(hs, hour{Start: h, Count: -1})
				}
			}
			return hoursMsg{Stamp: stamp, Consumer: c.Name, Hours: hs, Err: err}
		}
		objs, err := archive.List(s, c.Archive, q).All(ctx)
		var hs []hour
		for _, o := range objs {
			start := o.Arrival.UTC().Truncate(time.Hour)
			if n := len(hs); n > 0 && hs[n-1].Start.Equal(start) {
				hs[n-1].Count++
			} else {
				hs = append(hs, hour{Start: start, Count: 1})
			}
		}
		return hoursMsg{Stamp: stamp, Consumer: c.Name, Hours: hs, Exact: true, Err: err}
	}
}

func (m *Model) onHours(msg hoursMsg) tea.Cmd {
	if !m.req.hours.Fresh(msg.Stamp, m.env()) || msg.Consumer != m.cur.Name {
		return nil
	}
	m.hoursLoading = false
	if msg.Err != nil {
		// The days and hours read before stay (their rows keep the
		// cursor); the banner says why they are not newer.
		m.hoursFresh.Failed(m.o.now(), msg.Err)
		m.layout()
		return nil
	}
	m.hoursFresh.Succeeded(m.o.now())
	m.hourList, m.hoursExact = msg.Hours, msg.Exact
	m.countsAfterHours()
	m.days.SetRows(m.dayRows()) // SetRows keeps the cursor on its row's ID
	m.refreshHourRows()
	m.layout()
	return common.Succeeded
}

func dayColumns() []table.Column {
	return []table.Column{{Title: "DAY (UTC)", Width: 16, Flex: 1}, {Title: "HOURS", Width: 6, Right: true}, {Title: "EVENTS", Width: 8, Right: true}, {Title: "", Width: 0, Flex: 2}}
}

func hourColumns() []table.Column {
	return []table.Column{{Title: "HOUR (UTC)", Width: 16, Flex: 1}, {Title: "EVENTS", Width: 8, Right: true}, {Title: "", Width: 0, Flex: 2}}
}

func (m *Model) dayRows() []table.Row {
	var rows []table.Row
	for _, h := range m.hourList {
		day := h.Start.UTC().Format(time.DateOnly)
		if n := len(rows); n > 0 && rows[n-1].ID == day {
			r := &rows[n-1]
			r.Cells[1] = strconv.Itoa(atoi(r.Cells[1]) + 1)
			if h.Count >= 0 && r.Cells[2] != "-" {
				r.Cells[2] = strconv.Itoa(atoi(r.Cells[2]) + h.Count)
			}
			continue
		}
		count := "-"
		if h.Count >= 0 {
			count = strconv.Itoa(h.Count)
		}
		rows = append(rows, table.Row{ID: day, Cells: []string{day + " " + h.Start.UTC().Format("Mon"), "1", count, ""}})
	}
	if m.countsApply() {
		for i := range rows {
			if d, err := time.Parse(time.DateOnly, rows[i].ID); err == nil {
				rows[i].Cells[2] = m.countCell(d, 24*time.Hour)
			}
		}
	}
	return rows
}

func (m *Model) refreshHourRows() {
	var rows []table.Row
	for _, h := range m.hourList {
		if !sameDay(h.Start, m.day) {
			continue
		}
		count := "-"
		if h.Count >= 0 {
			count = strconv.Itoa(h.Count)
		}
		if m.countsApply() {
			count = m.countCell(h.Start, time.Hour)
		}
		s := h.Start.UTC()
		rows = append(rows, table.Row{ID: s.Format(time.RFC3339), Cells: []string{s.Format("15:04") + "–" + s.Add(time.Hour).Format("15:04"), count, ""}})
	}
	m.hours.SetRows(rows)
}

// countOf is the known event count of the day or hour starting at t, or
// −1.
func (m *Model) countOf(start time.Time, span time.Duration) int {
	if !m.hoursExact {
		return -1
	}
	n := 0
	for _, h := range m.hourList {
		if !h.Start.Before(start) && h.Start.Before(start.Add(span)) {
			n += h.Count
		}
	}
	return n
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// --- events ---

type eventsMsg struct {
	common.Stamp
	Objects []archive.Object
	Err     error
}

func (m *Model) hourQuery() archive.Query {
	q := archive.Query{Consumer: m.cur.Name, Since: m.hr, Until: m.hr.Add(time.Hour), PartitionKey: m.pk, Replayed: m.replayed}
	if s := m.since(); !s.IsZero() && s.After(q.Since) {
		q.Since = s
	}
	return q
}

func (m *Model) loadEvents() tea.Cmd {
	stamp := m.req.events.Next(m.env())
	s := m.session()
	if s == nil || m.level != levelEvents {
		return nil
	}
	m.eventsLoading = true
	m.eventsFresh.Start(m.o.now())
	loc, q, hr := m.cur.Archive, m.hourQuery(), m.hr
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		// One listing of the hour's folder (not a walk of the tree down
		// to it): what a refresh every RefreshEvery costs.
		objs, err := archive.ListHour(ctx, s, loc, q.Consumer, hr, q.Replayed)
		objs = slices.DeleteFunc(objs, func(o archive.Object) bool {
			return (q.PartitionKey != "" && o.PartitionKey != q.PartitionKey) ||
				o.Arrival.Before(q.Since) || !o.Arrival.Before(q.Until)
		})
		return eventsMsg{Stamp: stamp, Objects: objs, Err: err}
	}
}

func (m *Model) onEvents(msg eventsMsg) tea.Cmd {
	if !m.req.events.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	m.eventsLoading = false
	if msg.Err != nil {
		// The events read before stay; the banner says why.
		m.eventsFresh.Failed(m.o.now(), msg.Err)
		m.layout()
		return nil
	}
	m.eventsFresh.Succeeded(m.o.now())
	m.objects = msg.Objects
	// Bodies and matches of events no longer listed are dropped.
	keep := map[string]bool{}
	for _, o := range m.objects {
		keep[o.Key] = true
	}
	for k := range m.bodies {
		if !keep[k] {
			delete(m.bodies, k)
			delete(m.jqMatch, k)
		}
	}
	m.layout()
	if m.split.Open() && !keep[m.detailKey] {
		m.closeDetail()
	}
	// Bodies already read are not read again: a refresh reads only
	// those of new events (and only when a filter needs them).
	return tea.Batch(common.Succeeded, m.fetchBodies(), m.loadAttempts())
}

// needBodies reports whether the list shows what only the bodies hold: a
// jq filter's verdict, or a replay's result.
func (m *Model) needBodies() bool { return m.jq != nil || m.replayed }

// bodiesMsg carries a few fetched bodies.
type bodiesMsg struct {
	common.Stamp
	Bodies map[string]archive.Event
	Errs   map[string]string
}

// bodyBatch is how many bodies one command fetches; the next batch is
// asked for when it is in, so the list fills in as it goes.
const bodyBatch = 32

// fetchBodies fetches the next bodies the list needs, a bounded number at
// a time.
func (m *Model) fetchBodies() tea.Cmd {
	if !m.needBodies() || m.level != levelEvents {
		return nil
	}
	s := m.session()
	if s == nil {
		return nil
	}
	var keys []string
	for _, o := range m.objects {
		if _, ok := m.bodies[o.Key]; ok {
			continue
		}
		if _, bad := m.bodyErr[o.Key]; bad {
			continue
		}
		keys = append(keys, o.Key)
		if len(keys) == bodyBatch {
			break
		}
	}
	if len(keys) == 0 {
		return nil
	}
	stamp, bucket, conc := m.req.events.Current(m.env()), m.cur.Archive.Bucket, m.o.concurrency
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		bodies, errs := getBodies(ctx, s, bucket, keys, conc)
		return bodiesMsg{Stamp: stamp, Bodies: bodies, Errs: errs}
	}
}

// getBodies reads the events at keys, conc at a time, with each key's
// error as the view shows it.
func getBodies(ctx context.Context, s *backend.Session, bucket string, keys []string, conc int) (map[string]archive.Event, map[string]string) {
	bodies, errs := archive.GetMany(ctx, s, bucket, keys, archive.ManyOptions{Concurrency: conc})
	shown := make(map[string]string, len(errs))
	for k, err := range errs {
		shown[k] = err.Error()
	}
	return bodies, shown
}

func (m *Model) onBodies(msg bodiesMsg) tea.Cmd {
	if !m.req.events.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	for k, e := range msg.Bodies {
		m.bodies[k] = e
	}
	for k, e := range msg.Errs {
		m.bodyErr[k] = e
	}
	m.refreshEventRows()
	return tea.Batch(m.matchCmd(msg.Bodies), m.fetchBodies())
}

// setFilter makes f the jq filter (nil for none): what the last one
// matched is forgotten, and its matches still running are dropped.
func (m *Model) setFilter(f *decode.Filter) {
	m.jq = f
	m.req.matches.Drop()
	m.jqMatch = map[string]bool{}
}

// matchesMsg is what the jq filter stamped by req.matches made of events.
type matchesMsg struct {
	common.Stamp
	Matches map[string]bool
}

// matchCmd runs the jq filter over events off the UI goroutine: a filter
// can take up to jqTimeout an event.
func (m *Model) matchCmd(events map[string]archive.Event) tea.Cmd {
	if m.jq == nil || len(events) == 0 {
		return nil
	}
	f, stamp := m.jq, m.req.matches.Current(m.env())
	events = maps.Clone(events)
	return func() tea.Msg {
		matches := make(map[string]bool, len(events))
		for k, e := range events {
			matches[k] = matchEvent(f, e)
		}
		return matchesMsg{Stamp: stamp, Matches: matches}
	}
}

func (m *Model) onMatches(msg matchesMsg) {
	if !m.req.matches.Fresh(msg.Stamp, m.env()) {
		return
	}
	for k, ok := range msg.Matches {
		if _, listed := m.bodies[k]; listed {
			m.jqMatch[k] = ok
		}
	}
	m.refreshEventRows()
}

// jqTimeout bounds one filter run on one event.
const jqTimeout = 200 * time.Millisecond

func matchEvent(f *decode.Filter, e archive.Event) bool {
	data, err := e.Record.Bytes()
	if err != nil {
		return false
	}
	// A filter run is local work, not a call of the session: only its own
	// bound applies.
	ctx, cancel := context.WithTimeout(context.Background(), jqTimeout)
	defer cancel()
	ok, err := f.Match(ctx, decode.Decode(data), decode.Meta{PartitionKey: e.Record.PartitionKey, ShardID: e.Record.ShardID,
		SequenceNumber: e.Record.SequenceNumber, Arrival: e.Record.ArrivalTime})
	return err == nil && ok
}

// eventColumns lays out the events for a width.
func eventColumns(width int, replayed bool) []table.Column {
	arrival := table.Column{Title: "ARRIVAL (UTC)", Width: 13}
	if width >= 120 {
		arrival = table.Column{Title: "ARRIVAL (UTC)", Width: 23}
	}
	cols := []table.Column{
		arrival,
		{Title: "PARTITION KEY", Width: 12, Flex: 2},
		{Title: "ID", Width: 12},
		{Title: "SIZE", Width: 8, Right: true},
	}
	if replayed {
		return append(cols, table.Column{Title: "REPLAY RESULT · AT", Width: 18, Flex: 2})
	}
	// A waiting event's state, and what its last replay attempt met.
	return append(cols, table.Column{Title: "STATE", Width: 7}, table.Column{Title: "LAST ATTEMPT", Width: 19, Flex: 2})
}

func (m *Model) refreshEventRows() {
	long := m.eventsWidth() >= 120
	rows := make([]table.Row, 0, len(m.objects))
	for _, o := range m.objects {
		state, tone := "waiting", table.Plain
		if m.jq != nil {
			match, known := m.jqMatch[o.Key]
			switch {
			case known && !match:
				continue
			case !known && m.bodyErr[o.Key] != "":
				state, tone = "unreadable", table.Bad
			case !known:
				state, tone = "jq…", table.Dim
			}
		}
		if o.Replayed {
			state, tone = "replayed", table.Good
			if e, ok := m.bodies[o.Key]; ok && e.Replay != nil {
				state = e.Replay.Result + " · " + e.Replay.At.UTC().Format("01-02 15:04")
				if e.Replay.Result != "accepted" && e.Replay.Result != "marked by operator" {
					tone = table.Warn
				}
			}
		}
		at := o.Arrival.UTC().Format("15:04:05.000")
		if long {
			at = o.Arrival.UTC().Format("2006-01-02 15:04:05.000")
		}
		cells := []string{at, o.PartitionKey, shortID(o.ID), jsonview.Size(int(o.Size)), state}
		if !m.replayed {
			last, failed := m.lastAttempt(o.ID)
			if failed && tone == table.Plain {
				tone = table.Warn
			}
			cells = append(cells, last)
		}
		// The arrival has no date on a narrow screen and the size has
		// units: both sort by their values.
		keys := []table.Key{table.Time(o.Arrival), {}, {}, table.Num(float64(o.Size))}
		rows = append(rows, table.Row{ID: o.Key, Tone: tone, Cells: cells, Sort: keys})
	}
	m.events.SetRows(rows)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// object finds a listed event by key.
func (m *Model) object(key string) (archive.Object, bool) {
	for _, o := range m.objects {
		if o.Key == key {
			return o, true
		}
	}
	return archive.Object{}, false
}

// --- detail ---

type detailMsg struct {
	common.Stamp
	Key   string
	Event archive.Event
	Err   error
}

func (m *Model) openDetail(key string) tea.Cmd {
	stamp := m.req.detail.Next(m.env())
	m.detailKey = key
	m.split.Show()
	m.layout()
	if e, ok := m.bodies[key]; ok {
		m.setDetail(key, e)
		return nil
	}
	m.detail.Clear()
	s := m.session()
	if s == nil {
		return nil
	}
	bucket := m.cur.Archive.Bucket
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		e, err := archive.Get(ctx, s, bucket, key)
		return detailMsg{Stamp: stamp, Key: key, Event: e, Err: err}
	}
}

func (m *Model) onDetail(msg detailMsg) tea.Cmd {
	if !m.req.detail.Fresh(msg.Stamp, m.env()) || !m.split.Open() {
		return nil
	}
	if msg.Err != nil {
		// The failure belongs to the pane that asked for the event: it
		// stays open and says what could not be read and why (esc closes
		// it, enter on the event asks again), instead of vanishing into
		// the status bar.
		why := msg.Err.Error()
		if s := m.session(); s != nil {
			f := s.Failure("s3", "event "+msg.Key, msg.Err)
			why = string(f.Kind) + ": " + f.Answer
		}
		m.detail.SetContent("event not read", decode.Decode([]byte(msg.Err.Error())), []jsonview.Field{
			{Label: "key", Value: msg.Key},
			{Label: "read failed", Value: why + " (enter asks again)"},
		})
		return nil
	}
	m.bodies[msg.Key] = msg.Event
	m.setDetail(msg.Key, msg.Event)
	return nil
}

func (m *Model) closeDetail() {
	m.split.Hide()
	m.req.detail.Drop()
	m.detail.Clear()
	m.layout()
}

func (m *Model) setDetail(key string, e archive.Event) {
	data, err := e.Record.Bytes()
	p := decode.Decode(data)
	if err != nil {
		p = decode.Decode([]byte(err.Error()))
	}
	m.detail.SetContent("event "+e.ID, p, eventFields(key, e, m.attemptFields(e.ID)))
}

// eventFields are the detail's header: the record, its failure, its
// archiving, for a replayed copy the replay, and the history of the
// replay attempts recorded in the manifests.
func eventFields(key string, e archive.Event, attempts []jsonview.Field) []jsonview.Field {
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
	r, f := e.Record, e.Failure
	add("consumer", e.Consumer)
	add("partition key", r.PartitionKey)
	add("arrival", ts(r.ArrivalTime))
	add("stream", inventory.StreamName(r.StreamARN))
	add("shard", r.ShardID)
	add("sequence", r.SequenceNumber)
	add("condition", f.Condition)
	add("consumer arn", f.ConsumerARN)
	add("dlq", f.DLQ)
	add("message id", f.MessageID)
	add("failed at", ts(f.FailedAt))
	add("hydrated at", ts(e.HydratedAt))
	if rp := e.Replay; rp != nil {
		add("replayed at", ts(rp.At))
		add("replay target", rp.Target)
		add("replay result", strings.TrimSpace(rp.Result+" "+rp.Code))
	}
	out = append(out, attempts...)
	add("key", key)
	return out
}
