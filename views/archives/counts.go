package archives

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/views/common"
)

// The event counts of the days and hours on screen, read lazily: only
// for the rows drawn, one listing page at a time, cached for the
// consumer, and shown as a lower bound ("≥ 1,234…") until complete. A
// count stops when its rows leave the screen (another level, another
// consumer, the tab hidden) and resumes from its page when they return.

// hourCountMsg is one more page of an hour's count.
type hourCountMsg struct {
	common.Stamp
	consumer string
	count    archive.HourCount
	err      error
}

// counts is the tab's cache of hour counts and the page in flight.
type counts struct {
	consumer string
	byHour   map[time.Time]archive.HourCount
	// inFlight is the hour whose page is being read; zero when none.
	inFlight time.Time
	cancel   context.CancelFunc
	// failed is the hours whose count failed: not retried until the
	// hours are read again.
	failed map[time.Time]bool
}

// forget drops the cache (another consumer, range or session) and stops
// the page in flight.
func (m *Model) forgetCounts() {
	m.stopCount()
	m.counts.byHour, m.counts.failed = map[time.Time]archive.HourCount{}, map[time.Time]bool{}
	m.counts.consumer = m.cur.Name
}

// stopCount cancels the page in flight; its answer is dropped.
func (m *Model) stopCount() {
	if m.counts.cancel != nil {
		m.counts.cancel()
	}
	m.counts.cancel, m.counts.inFlight = nil, time.Time{}
	m.req.counts.Drop()
}

// countsApply reports whether hours are counted lazily: when they were
// found by folder, not by listing their events (which counts them).
func (m *Model) countsApply() bool {
	return !m.hoursExact && !m.replayed && m.pk == ""
}

// wantedHours are the hours whose rows are drawn: each hour shown, or
// every hour of each day shown.
func (m *Model) wantedHours() []time.Time {
	if m.hidden || !m.countsApply() {
		return nil
	}
	var out []time.Time
	switch m.level {
	case levelDays:
		for _, r := range m.days.Shown() {
			for _, h := range m.hourList {
				if h.Start.UTC().Format(time.DateOnly) == r.ID {
					out = append(out, h.Start)
				}
			}
		}
	case levelHours:
		for _, r := range m.hours.Shown() {
			if t, err := time.Parse(time.RFC3339, r.ID); err == nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// wantCount starts the next page of the first hour on screen whose count
// is not complete, or stops the page in flight when its hour has left
// the screen. One page at a time: a count is a background nicety, not a
// reason to spend the account's S3 listing budget.
func (m *Model) wantCount() tea.Cmd {
	if m.counts.byHour == nil || m.counts.consumer != m.cur.Name {
		m.forgetCounts()
	}
	wanted := m.wantedHours()
	if !m.counts.inFlight.IsZero() {
		for _, h := range wanted {
			if h.Equal(m.counts.inFlight) {
				return nil // still on screen: let it answer
			}
		}
		m.stopCount()
	}
	s := m.session()
	if s == nil {
		return nil
	}
	for _, h := range wanted {
		c, ok := m.counts.byHour[h]
		if (ok && c.Complete) || m.counts.failed[h] {
			continue
		}
		if !ok {
			c = archive.NewHourCount(h)
			c.PageSize = m.o.countPage
		}
		stamp := m.req.counts.Next(m.env())
		ctx, cancel := m.env().CallContext(common.CallTimeout)
		m.counts.inFlight, m.counts.cancel = h, cancel
		loc, consumer := m.cur.Archive, m.cur.Name
		return func() tea.Msg {
			defer cancel()
			next, err := archive.CountPage(ctx, s, loc, consumer, c)
			return hourCountMsg{Stamp: stamp, consumer: consumer, count: next, err: err}
		}
	}
	return nil
}

// onHourCount keeps a page's count and redraws the rows it changes.
func (m *Model) onHourCount(msg hourCountMsg) {
	if !m.req.counts.Fresh(msg.Stamp, m.env()) || msg.consumer != m.cur.Name {
		return
	}
	m.counts.inFlight, m.counts.cancel = time.Time{}, nil
	if msg.err != nil {
		// Said as "-" in the row; the hours' next read tries again.
		m.counts.failed[msg.count.Hour] = true
		return
	}
	m.counts.byHour[msg.count.Hour] = msg.count
	m.days.SetRows(m.dayRows())
	m.refreshHourRows()
}

// countsAfterHours keeps the counts of closed hours still listed when
// the hours are read again: an hour still being written, or one gone,
// is counted again.
func (m *Model) countsAfterHours() {
	if m.counts.byHour == nil {
		return
	}
	listed := map[time.Time]bool{}
	for _, h := range m.hourList {
		listed[h.Start] = true
	}
	now := m.o.now()
	for h := range m.counts.byHour {
		if !listed[h] || !h.Add(time.Hour).Before(now) {
			delete(m.counts.byHour, h)
		}
	}
	m.counts.failed = map[time.Time]bool{}
}

// countCell is the count of the hours in [start, start+span): "1,234"
// when every hour is counted, "≥ 1,234…" while some are partial or not
// started, "-" when none is known.
func (m *Model) countCell(start time.Time, span time.Duration) string {
	n, known, complete := 0, false, true
	for _, h := range m.hourList {
		if h.Start.Before(start) || !h.Start.Before(start.Add(span)) {
			continue
		}
		c, ok := m.counts.byHour[h.Start]
		if !ok {
			complete = false
			continue
		}
		known = true
		n += c.N
		complete = complete && c.Complete
	}
	switch {
	case !known:
		return "-"
	case complete:
		return thousands(n)
	}
	return "≥ " + thousands(n) + "…"
}

// thousands writes n with commas: 1234567 is "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
