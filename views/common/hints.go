package common

import (
	"strings"

	"github.com/sluicehq/sluice/backend/inert"
)

// CutAtWord fits s, which must already be inert, in width cells: whole
// when it fits, else cut after the last whole word that leaves room for
// "…", so that a hint never ends mid-word ("esc canc"). A first word too
// long for the width is cut where the width ends.
func CutAtWord(s string, width int) string {
	if inert.Width(s) <= width {
		return s
	}
	if width <= 0 {
		return ""
	}
	cut := inert.Truncate(s, width) // ends with "…"
	head := strings.TrimSuffix(cut, inert.Ellipsis)
	// The cut fell between words when what follows it in s is a space.
	if rest := s[len(head):]; strings.HasPrefix(rest, " ") {
		return strings.TrimRight(head, " ·•") + inert.Ellipsis
	}
	i := strings.LastIndex(head, " ")
	if i <= 0 {
		return cut
	}
	return strings.TrimRight(head[:i], " ·•") + inert.Ellipsis
}

// Wrap breaks inert text into at most n lines of exactly w cells, at
// spaces where it can; the last line ends with an ellipsis when cut.
func Wrap(s string, w, n int) []string {
	if w <= 0 || n <= 0 {
		return nil
	}
	words := strings.Fields(s)
	var out []string
	cur := ""
	for i, word := range words {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if inert.Width(next) <= w {
			cur = next
			continue
		}
		if len(out) == n-1 {
			rest := cur + " " + strings.Join(words[i:], " ")
			if cur == "" {
				rest = strings.Join(words[i:], " ")
			}
			return append(out, inert.Fit(rest, w))
		}
		if cur != "" {
			out = append(out, inert.Fit(cur, w))
		}
		cur = word
		for inert.Width(cur) > w && len(out) < n-1 {
			out = append(out, inert.Fit(cur, w))
			cur = ""
		}
	}
	if cur != "" {
		out = append(out, inert.Fit(cur, w))
	}
	return out
}
