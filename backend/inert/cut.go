package inert

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis marks text that was cut; it is one cell wide.
const Ellipsis = "…"

// unitBudget bounds how many runes a cut to width cells may look at. Wide
// and ordinary runes use up the cells long before this; the bound is for
// input made of zero-width runes (a wall of combining marks), which would
// otherwise be scanned to its end.
func unitBudget(width int) int {
	return 4*width + 16
}

// Truncate cuts s, which must already be inert, to at most width display
// cells, ending it with Ellipsis when something was cut. It looks at no more
// than O(width) bytes of s, however long s is, and returns s itself when it
// fits.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	used, fit := 0, 0 // fit: the end of the longest prefix that leaves a cell for the ellipsis
	budget := unitBudget(width)
	for i := 0; i < len(s); {
		if budget == 0 {
			return s[:fit] + Ellipsis
		}
		budget--
		r, size := utf8.DecodeRuneInString(s[i:])
		w := RuneWidth(r)
		if used+w > width {
			return s[:fit] + Ellipsis
		}
		used += w
		i += size
		if used < width {
			fit = i
		}
	}
	return s
}

// LineCut is Truncate(Line(s), width) without sanitising all of s: it stops
// after the units that fit in width cells, so its cost does not depend on
// len(s). An escape that does not fit whole is dropped rather than split.
func LineCut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	var out []byte // nil while the output is still a prefix of s
	used, fit := 0, 0
	budget := unitBudget(width)
	for i := 0; i < len(s); {
		if budget == 0 {
			return cutResult(s, out, fit) + Ellipsis
		}
		budget--
		u := nextUnit(s, i, lineMode)
		w := u.escapeWidth()
		if used+w > width {
			return cutResult(s, out, fit) + Ellipsis
		}
		if u.form != plain && out == nil {
			out = make([]byte, 0, i+4*(width-used)+8)
			out = append(out, s[:i]...)
		}
		if out != nil {
			out = appendUnit(out, u)
		}
		used += w
		i += u.size
		if used < width {
			fit = i
			if out != nil {
				fit = len(out)
			}
		}
	}
	if out == nil {
		return s
	}
	return string(out)
}

// cutResult is the output prefix of length fit: bytes of s while nothing was
// escaped, bytes of out after.
func cutResult(s string, out []byte, fit int) string {
	if out == nil {
		return s[:fit]
	}
	return string(out[:fit])
}

// TruncateLeft keeps the end of s, which must already be inert, in at most
// width display cells, starting it with Ellipsis when something was cut:
// what an input line shows of a long value, whose end is where the cursor
// is. It looks at no more than O(width) runes from the end of s.
func TruncateLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	used, start := 0, len(s)
	for budget := unitBudget(width); start > 0 && budget > 0; budget-- {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if used+RuneWidth(r) > width {
			break
		}
		used += RuneWidth(r)
		start -= size
	}
	if start == 0 {
		return s
	}
	// Give up runes from the front until the ellipsis fits too.
	for used > width-1 && start < len(s) {
		r, size := utf8.DecodeRuneInString(s[start:])
		used -= RuneWidth(r)
		start += size
	}
	// A combining mark whose base was cut off would sit on the ellipsis.
	for start < len(s) {
		r, size := utf8.DecodeRuneInString(s[start:])
		if RuneWidth(r) != 0 {
			break
		}
		start += size
	}
	return Ellipsis + s[start:]
}

// Pad fills s, which must already be inert, with spaces to width display
// cells; an s as wide or wider is returned as it is.
func Pad(s string, width int) string {
	if gap := width - Width(s); gap > 0 {
		return s + strings.Repeat(" ", gap)
	}
	return s
}

// Fit makes s, which must already be inert, exactly width display cells:
// cut with Ellipsis (Truncate) when wider, padded with spaces when
// narrower.
func Fit(s string, width int) string {
	return Pad(Truncate(s, width), width)
}
