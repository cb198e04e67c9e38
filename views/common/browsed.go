package common

import (
	"fmt"
	"time"
)

// BrowsedAgo says how old a kept DLQ browse is ("browsed 2m ago"): what
// it shows is the queue as it was then, and browsing again costs every
// message a receive.
func BrowsedAgo(now, at time.Time) string {
	if at.IsZero() {
		return "browsed"
	}
	d := max(now.Sub(at), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("browsed %ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("browsed %dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("browsed %dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("browsed %dd ago", int(d.Hours()/24))
}
