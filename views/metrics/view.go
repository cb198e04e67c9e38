package metrics

import (
	"sort"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend/inert"
	bm "github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/views/chart"
)

// View draws the header, the list and the charts: side by side from 120
// columns, the charts under the list below that; exactly the tab's size.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	header := m.header()
	if m.height == 1 {
		return header
	}
	lw, lh := m.listSize()
	body := m.height - 1
	var out string
	if m.wide() {
		cw := m.width - lw - 1
		sep := strings.TrimSuffix(strings.Repeat(m.c.Styles.Subtle.Render("│")+"\n", body), "\n")
		out = hjoin([]string{fitBlock(m.list.View(), lw, body), sep, m.charts(cw, body)})
	} else {
		lh = min(lh, body)
		out = fitBlock(m.list.View(), m.width, lh)
		if ch := body - lh; ch > 0 {
			out += "\n" + m.charts(m.width, ch)
		}
	}
	return header + "\n" + out
}

// header names the resource, the range and its period, and the refresh.
func (m *Model) header() string {
	st := m.c.Styles
	r := m.Range()
	info := " · last " + r.Label + " · " + chart.Duration(time.Duration(bm.Period(r.Dur))*time.Second) + " points"
	if m.auto {
		info += " · auto-refresh " + chart.Duration(Interval(r))
	} else {
		info += " · auto-refresh off"
	}
	if id := m.selectedID(); id != "" {
		kind, name := splitID(id)
		info = " · " + kind + " " + inert.Line(name) + info
		if d := m.data[id]; d != nil && !d.fetchedAt.IsZero() {
			info += " · at " + d.fetchedAt.In(m.loc).Format("15:04:05")
		}
		if d := m.data[id]; d != nil && d.loading {
			info += " · loading…"
		}
	}
	if len(m.failed) > 0 {
		info += " · could not list " + inert.Line(m.firstFailure())
	}
	title := "Metrics"
	if inert.Width(title+info) > m.width {
		return st.Title.Render(inert.Fit(title+info, m.width))
	}
	return st.Title.Render(title) + st.Muted.Render(inert.Fit(info, m.width-inert.Width(title)))
}

// charts draws the selected resource's charts in a grid of w × h.
func (m *Model) charts(w, h int) string {
	st := m.c.Styles
	id := m.selectedID()
	note := func(style func(...string) string, text string) string {
		lines := []string{style(inert.Fit(" "+text, w))}
		for len(lines) < h {
			lines = append(lines, strings.Repeat(" ", w))
		}
		return strings.Join(lines[:h], "\n")
	}
	if id == "" {
		if len(m.failed) > 0 && m.allLoaded() && m.list.Len() == 0 {
			return note(st.Err.Render, "could not list resources: "+inert.Line(m.firstFailure()))
		}
		return note(st.Muted.Render, "select a stream, DLQ or pipe")
	}
	d := m.data[id]
	switch {
	case d == nil || (d.loading && d.series == nil && d.err == ""):
		return note(st.Muted.Render, "loading metrics…")
	case d.err != "":
		return note(st.Err.Render, "could not read metrics: "+inert.Line(d.err))
	}
	kind, _ := splitID(id)
	list := m.chartsOf(kind, d)
	if len(list) == 0 {
		return note(st.Muted.Render, "no metrics")
	}
	cols := 1
	if w >= 2*36+1 && len(list) > 1 {
		cols = 2
	}
	rows := (len(list) + cols - 1) / cols
	widths := []int{w}
	if cols == 2 {
		widths = []int{(w - 1) / 2, w - 1 - (w-1)/2}
	}
	var blocks []string
	for r := range rows {
		ch := h / rows
		if r < h%rows {
			ch++
		}
		if ch <= 0 {
			continue
		}
		var cells []string
		for c := range cols {
			if c > 0 {
				cells = append(cells, strings.TrimSuffix(strings.Repeat(" \n", ch), "\n"))
			}
			i := r*cols + c
			if i >= len(list) {
				cells = append(cells, blank(widths[c], ch))
				continue
			}
			cells = append(cells, chart.Line(list[i], widths[c], ch, st))
		}
		blocks = append(blocks, hjoin(cells))
	}
	return strings.Join(blocks, "\n")
}

func (m *Model) firstFailure() string {
	keys := make([]string, 0, len(m.failed))
	for k := range m.failed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return m.failed[keys[0]]
}

// chartsOf picks and combines the series a kind of resource shows.
func (m *Model) chartsOf(kind string, d *data) []chart.Series {
	get := func(name string) bm.Series {
		for _, s := range d.series {
			if s.Name == name {
				return s
			}
		}
		return bm.Series{Name: name, Period: bm.Period(m.Range().Dur)}
	}
	mk := func(label, unit string, s bm.Series) chart.Series {
		period := time.Duration(s.Period) * time.Second
		if period <= 0 {
			period = time.Duration(bm.Period(m.Range().Dur)) * time.Second
		}
		pts := make([]chart.Point, len(s.Points))
		for i, p := range s.Points {
			pts[i] = chart.Point{Time: p.Time.In(m.loc), Value: p.Value}
		}
		stat := strings.ToLower(s.Stat)
		if stat == "maximum" {
			stat = "max"
		} else if stat == "average" {
			stat = "avg"
		}
		if stat != "" {
			label += " (" + stat + " per " + chart.Duration(period) + ")"
		}
		return chart.Series{Label: label, Unit: unit, Points: pts, Step: period,
			Start: d.start.Truncate(period).In(m.loc), End: d.end.In(m.loc)}
	}
	switch kind {
	case KindStream:
		return []chart.Series{
			mk("Incoming records", "Count", get("IncomingRecords")),
			mk("Incoming bytes", "Bytes", get("IncomingBytes")),
			mk("Iterator age", "Milliseconds", get("GetRecords.IteratorAgeMilliseconds")),
			mk("Throttled (read + write)", "Count", sum(get("ReadProvisionedThroughputExceeded"), get("WriteProvisionedThroughputExceeded"))),
		}
	case KindQueue:
		return []chart.Series{
			mk("Depth (visible messages)", "Count", get("ApproximateNumberOfMessagesVisible")),
			mk("Age of oldest message", "Seconds", get("ApproximateAgeOfOldestMessage")),
		}
	case KindPipe:
		return []chart.Series{
			mk("Invocations", "Count", get("Invocations")),
			mk("Failures (execution + target)", "Count", sum(get("ExecutionFailed"), get("TargetStageFailed"))),
			mk("Target duration", "Milliseconds", get("TargetStageDuration")),
		}
	}
	return nil
}

// sum adds two series point by point (by time); a time only one has
// keeps its value.
func sum(a, b bm.Series) bm.Series {
	out := bm.Series{Name: a.Name + "+" + b.Name, Stat: a.Stat, Unit: a.Unit, Period: max(a.Period, b.Period)}
	byTime := map[int64]float64{}
	for _, s := range []bm.Series{a, b} {
		for _, p := range s.Points {
			byTime[p.Time.UnixNano()] += p.Value
		}
	}
	for t, v := range byTime {
		out.Points = append(out.Points, bm.Point{Time: time.Unix(0, t).UTC(), Value: v})
	}
	sort.Slice(out.Points, func(i, j int) bool { return out.Points[i].Time.Before(out.Points[j].Time) })
	return out
}

// hjoin puts blocks of equal height side by side.
func hjoin(blocks []string) string {
	split := make([][]string, len(blocks))
	n := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		n = max(n, len(split[i]))
	}
	lines := make([]string, n)
	for i := range n {
		var sb strings.Builder
		for _, b := range split {
			if i < len(b) {
				sb.WriteString(b[i])
			}
		}
		lines[i] = sb.String()
	}
	return strings.Join(lines, "\n")
}

// fitBlock keeps the first h lines of s, padding with blank lines of w.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func blank(w, h int) string {
	return strings.TrimSuffix(strings.Repeat(strings.Repeat(" ", w)+"\n", h), "\n")
}
