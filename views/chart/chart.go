// Package chart draws small charts as plain text: sparklines for list
// rows and bar charts with axes for the Metrics tab. They are drawn by
// hand with unicode blocks (ntcharts supports only Bubble Tea v1), fit
// exactly the size they are given, and never invent a point: a period
// with no data is a gap.
package chart

import (
	"math"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/theme"
)

// blocks are the eight heights of a cell, lowest first.
var blocks = []rune("▁▂▃▄▅▆▇█")

// Missing marks a value with no data in the slices this package takes and
// gives (NaN).
var Missing = math.NaN()

// IsMissing reports a value with no data.
func IsMissing(v float64) bool { return math.IsNaN(v) }

// Point is one value at a time: the start of the period it covers.
type Point struct {
	Time  time.Time
	Value float64
}

// Series is what a chart draws: points over [Start, End), each covering
// Step from its time.
type Series struct {
	// Label names the series; it is drawn inert.
	Label string
	// Unit formats the values: "Count", "Bytes", "Milliseconds",
	// "Seconds", or anything else for plain numbers.
	Unit   string
	Points []Point
	// Start and End bound the x axis; zero takes them from the points.
	Start, End time.Time
	// Step is the period each point covers; zero makes a point an
	// instant.
	Step time.Duration
	// Err, when set, is drawn in place of the plot (inert).
	Err string
}

// bounds is the x range of s.
func (s Series) bounds() (time.Time, time.Time) {
	start, end := s.Start, s.End
	if len(s.Points) > 0 {
		if start.IsZero() {
			start = s.Points[0].Time
		}
		if end.IsZero() {
			end = s.Points[len(s.Points)-1].Time.Add(max(s.Step, time.Second))
		}
	}
	return start, end
}

// Sparkline draws values in width cells, scaled to their largest: a
// Missing value is a blank cell, every other one a block (zero the
// lowest). More values than cells are merged, keeping each cell's
// largest; fewer are right-aligned, so that the newest value is always in
// the last cell.
func Sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	cells := fold(values, width)
	top := 0.0
	for _, v := range cells {
		if !IsMissing(v) && v > top {
			top = v
		}
	}
	var b strings.Builder
	b.Grow(width * 3)
	for _, v := range cells {
		b.WriteRune(level(v, top))
	}
	return b.String()
}

// level is the block for v on a scale up to top, blank when missing.
func level(v, top float64) rune {
	if IsMissing(v) {
		return ' '
	}
	if top <= 0 || v <= 0 {
		return blocks[0]
	}
	i := int(math.Round(v / top * float64(len(blocks)-1)))
	return blocks[min(max(i, 0), len(blocks)-1)]
}

// fold fits values into exactly n cells: merged by maximum when there are
// more, padded on the left with Missing when there are fewer.
func fold(values []float64, n int) []float64 {
	out := make([]float64, n)
	if len(values) <= n {
		pad := n - len(values)
		for i := range pad {
			out[i] = Missing
		}
		copy(out[pad:], values)
		return out
	}
	for c := range n {
		lo, hi := c*len(values)/n, (c+1)*len(values)/n
		out[c] = maxOf(values[lo:hi])
	}
	return out
}

func maxOf(vs []float64) float64 {
	m := Missing
	for _, v := range vs {
		if IsMissing(v) {
			continue
		}
		if IsMissing(m) || v > m {
			m = v
		}
	}
	return m
}

// Resample lays points over [start, end) into n columns: each column
// holds the largest value of the points whose period (from their time,
// step long) overlaps it, or Missing when none does.
func Resample(points []Point, start, end time.Time, step time.Duration, n int) []float64 {
	if n <= 0 {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = Missing
	}
	span := end.Sub(start)
	if span <= 0 {
		return out
	}
	col := float64(span) / float64(n)
	for _, p := range points {
		from := float64(p.Time.Sub(start))
		to := from + float64(max(step, 1))
		if to <= 0 || from >= float64(span) {
			continue
		}
		c0 := max(int(math.Floor(from/col)), 0)
		c1 := min(int(math.Ceil(to/col))-1, n-1)
		for c := c0; c <= c1; c++ {
			if IsMissing(out[c]) || p.Value > out[c] {
				out[c] = p.Value
			}
		}
	}
	return out
}

// Line draws s as a bar chart of exactly width × height cells: a title
// line (the label, and the newest value on the right), the plot with the
// largest value labelled at the top of the y axis and the smallest at its
// foot, the x axis, and the start and end times under it. Below four lines
// it shrinks to the title and a sparkline.
func Line(s Series, width, height int, st *theme.Styles) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := make([]string, 0, height)
	lines = append(lines, titleLine(s, width, st))
	if height == 1 {
		return lines[0]
	}
	start, end := s.bounds()
	if s.Err != "" || height < 4 || width < 12 {
		var body string
		switch {
		case s.Err != "":
			body = st.Err.Render(inert.Pad(inert.LineCut(s.Err, width), width))
		default:
			vals := Resample(s.Points, start, end, s.Step, width)
			body = st.Accent.Render(Sparkline(vals, width))
		}
		lines = append(lines, body)
		for len(lines) < height {
			lines = append(lines, strings.Repeat(" ", width))
		}
		return strings.Join(lines, "\n")
	}
	rows := height - 3 // title, x axis, times
	var vals []float64
	top, bottom := 0.0, 0.0
	plotW := 0
	yw := 0
	// The y labels' width depends on the values, the values' columns on
	// the plot's width: settle it in two passes.
	for range 2 {
		plotW = max(width-yw-1, 1)
		vals = Resample(s.Points, start, end, s.Step, plotW)
		top, bottom = scale(vals)
		yw = max(inert.Width(Format(top, s.Unit)), inert.Width(Format(bottom, s.Unit)))
		yw = min(yw, width/3)
	}
	topLabel := padLeft(inert.Truncate(Format(top, s.Unit), yw), yw)
	bottomLabel := padLeft(inert.Truncate(Format(bottom, s.Unit), yw), yw)
	for r := range rows {
		label := strings.Repeat(" ", yw)
		tick := "│"
		switch {
		case r == 0:
			label, tick = topLabel, "┤"
		case r == rows-1:
			label, tick = bottomLabel, "┤"
		}
		// Row r counts from the top; its floor is (rows-1-r) eighths×8.
		floor := float64(rows-1-r) * 8
		var b strings.Builder
		for _, v := range vals {
			b.WriteRune(barCell(v, top, bottom, floor, rows, r == rows-1))
		}
		lines = append(lines, st.Muted.Render(label+tick)+st.Accent.Render(b.String()))
	}
	lines = append(lines, st.Muted.Render(strings.Repeat(" ", yw)+"└"+strings.Repeat("─", plotW)))
	lines = append(lines, st.Muted.Render(timeAxis(start, end, yw+1, plotW)))
	return strings.Join(lines, "\n")
}

// scale is the y range of a chart: from zero (or the smallest value, if
// negative) to the largest value; 1 when everything is zero or missing.
func scale(vals []float64) (top, bottom float64) {
	for _, v := range vals {
		if IsMissing(v) {
			continue
		}
		top = max(top, v)
		bottom = min(bottom, v)
	}
	if top == bottom {
		top = bottom + 1
	}
	return top, bottom
}

// barCell is one cell of a bar: full below the bar's top, a partial block
// at it, blank above. A present value never draws nothing: it shows at
// least the lowest block on the bottom row, so that zero differs from a
// gap.
func barCell(v, top, bottom, floor float64, rows int, bottomRow bool) rune {
	if IsMissing(v) {
		return ' '
	}
	eighths := math.Round((v - bottom) / (top - bottom) * float64(rows*8))
	if bottomRow && eighths < 1 {
		return blocks[0]
	}
	fill := eighths - floor
	switch {
	case fill >= 8:
		return blocks[7]
	case fill <= 0:
		return ' '
	}
	return blocks[int(fill)-1]
}

// titleLine is the label on the left and the newest value on the right.
func titleLine(s Series, width int, st *theme.Styles) string {
	right := ""
	if n := len(s.Points); n > 0 && s.Err == "" {
		right = "now " + Format(s.Points[n-1].Value, s.Unit)
	}
	if inert.Width(right)+4 > width {
		right = ""
	}
	room := width - inert.Width(right)
	if right != "" {
		room--
	}
	left := inert.Pad(inert.LineCut(s.Label, room), room)
	if right == "" {
		return st.Title.Render(left)
	}
	return st.Title.Render(left) + " " + st.Muted.Render(right)
}

// timeAxis puts the start time under the plot's first column and the end
// time under its last, after indent blank cells.
func timeAxis(start, end time.Time, indent, width int) string {
	if start.IsZero() || end.IsZero() {
		return strings.Repeat(" ", indent+width)
	}
	layout := "15:04"
	if end.Sub(start) > 24*time.Hour || start.YearDay() != end.YearDay() {
		layout = "Jan 2 15:04"
	}
	a, b := start.Format(layout), end.Format(layout)
	if inert.Width(a)+inert.Width(b)+1 > width {
		a, b = start.Format("15:04"), end.Format("15:04")
	}
	if inert.Width(a)+inert.Width(b)+1 > width {
		return strings.Repeat(" ", indent+width)
	}
	gap := width - inert.Width(a) - inert.Width(b)
	return strings.Repeat(" ", indent) + a + strings.Repeat(" ", gap) + b
}

func padLeft(s string, w int) string {
	if gap := w - inert.Width(s); gap > 0 {
		return strings.Repeat(" ", gap) + s
	}
	return s
}
