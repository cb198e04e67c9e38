// Package progress draws a one-line bar for long work (a hydration, a
// redrive, a bulk replay): how much is done of how much, how fast, and how
// much failed, fitted to the width it is given.
package progress

import (
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/views/theme"
)

// Model is the state of one piece of long work.
type Model struct {
	// Done counts the items handled so far, failures included.
	Done int
	// Total is the number of items, or −1 while it is not known.
	Total int
	// Failed counts the items that did not succeed.
	Failed int
	// Rate is items per second; 0 hides it.
	Rate float64
	// Label says what the work is; it may come from data and is made
	// inert when drawn.
	Label string
	// Styles colours the bar and the failures; nil draws plain text.
	Styles *theme.Styles
}

// minBar is the narrowest bar worth drawing.
const minBar = 5

// maxBar is the widest bar; what is left of a wide line stays blank.
const maxBar = 50

// Fraction is how much of the work is done, in [0, 1]; 0 while the total
// is unknown.
func (m Model) Fraction() float64 {
	if m.Total <= 0 {
		if m.Total == 0 {
			return 1
		}
		return 0
	}
	f := float64(m.Done) / float64(m.Total)
	return min(max(f, 0), 1)
}

// View draws `label [██████░░░░] 42/100 · 12/s · 3 failed` in exactly
// width cells: the bar shrinks first, then the label is cut, then the
// rate, the label and the bar are dropped; the counts stay.
func (m Model) View(width int) string {
	if width <= 0 {
		return ""
	}
	counts := strconv.Itoa(m.Done) + "/"
	if m.Total < 0 {
		counts += "?"
	} else {
		counts += strconv.Itoa(m.Total)
	}
	rate := ""
	if m.Rate > 0 {
		rate = FormatRate(m.Rate)
	}
	failed := ""
	if m.Failed > 0 {
		failed = strconv.Itoa(m.Failed) + " failed"
	}
	label := inert.Line(m.Label)

	// Try layouts from the richest to the barest until one fits.
	type layout struct {
		label, rate, failed bool
	}
	for _, l := range []layout{{true, true, true}, {false, true, true}, {false, false, true}, {false, false, false}} {
		tail := counts
		if l.rate && rate != "" {
			tail += " · " + rate
		}
		if l.failed && failed != "" {
			tail += " · " + failed
		}
		lab := ""
		if l.label && label != "" {
			lab = label
		}
		// label + " " + "[" + bar + "] " + tail
		fixed := inert.Width(tail) + 3
		if lab != "" {
			// The label gets what the smallest bar leaves, and at least a
			// few cells or not at all.
			room := width - fixed - minBar - 1
			if room < 4 {
				continue
			}
			// A long label leaves the bar at least three fifths of the line.
			lab = inert.Truncate(lab, min(room, max(width*2/5, 8)))
			fixed += inert.Width(lab) + 1
		}
		bar := width - fixed
		if bar < minBar {
			continue
		}
		bar = min(bar, maxBar)
		return m.render(lab, bar, tail, failed != "" && l.failed, width)
	}
	// Nothing but the counts fits.
	return inert.Pad(inert.Truncate(counts, width), width)
}

func (m Model) render(label string, bar int, tail string, hasFailed bool, width int) string {
	filled := int(m.Fraction()*float64(bar) + 0.5)
	if m.Total < 0 {
		filled = 0
	}
	full := strings.Repeat("█", filled)
	empty := strings.Repeat("░", bar-filled)
	var b strings.Builder
	if label != "" {
		b.WriteString(m.paint(label, "label") + " ")
	}
	b.WriteString("[" + m.paint(full, "fill") + m.paint(empty, "empty") + "] ")
	if hasFailed {
		i := strings.LastIndex(tail, " · ")
		b.WriteString(tail[:i+len(" · ")] + m.paint(tail[i+len(" · "):], "failed"))
	} else {
		b.WriteString(tail)
	}
	used := inert.Width(label) + bar + 3 + inert.Width(tail)
	if label != "" {
		used++
	}
	if used < width {
		b.WriteString(strings.Repeat(" ", width-used))
	}
	return b.String()
}

func (m Model) paint(s, part string) string {
	if m.Styles == nil || s == "" {
		return s
	}
	switch part {
	case "label":
		return m.Styles.Title.Render(s)
	case "fill":
		return m.Styles.Accent.Render(s)
	case "empty":
		return m.Styles.Subtle.Render(s)
	case "failed":
		return m.Styles.Err.Render(s)
	}
	return s
}

// FormatRate writes a rate as "12/s", "1.5/s" or "0.25/s".
func FormatRate(r float64) string {
	switch {
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 0, 64) + "/s"
	case r >= 1:
		return strconv.FormatFloat(r, 'f', 1, 64) + "/s"
	default:
		return strconv.FormatFloat(r, 'f', 2, 64) + "/s"
	}
}
