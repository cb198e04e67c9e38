package common

import (
	"strconv"
	"time"
)

// The cadences at which what a tab shows is read again on its own. A list
// is read again when its last read is RefreshEvery old; the root's
// ClockEvery tick is what asks, so that a tab shown after a while away
// catches up at once and "updated 12s ago" moves on screen.
const (
	// ClockEvery is how often the focused tab hears the time
	// (AutoRefreshMsg): it redraws its "updated … ago" and reads again
	// what is due.
	ClockEvery = time.Second
	// RefreshEvery is how old a list (streams, DLQs, archive consumers
	// and hours, the metrics tab's resources) may get before it is read
	// again: slow enough to stay far inside AWS's describe limits, and
	// CloudWatch keeps one point a minute anyway.
	RefreshEvery = 30 * time.Second
)

// Freshness is when a list was last read, and whether its latest read
// failed: what "updated 12s ago" and "refresh failed" say. A tab keeps one
// per list and asks it whether a read is due.
type Freshness struct {
	// Every is the cadence; RefreshEvery when zero.
	Every time.Duration

	read    time.Time // the last read that succeeded
	tried   time.Time // the last read started
	running bool
	err     string
	errAt   time.Time
}

// Start records that a read begins at now.
func (f *Freshness) Start(now time.Time) { f.tried, f.running = now, true }

// Succeeded records a read that answered at now.
func (f *Freshness) Succeeded(now time.Time) {
	f.read, f.running, f.err, f.errAt = now, false, "", time.Time{}
}

// Failed records a read that failed at now; what was read before stays
// what is shown.
func (f *Freshness) Failed(now time.Time, err error) {
	f.running, f.err, f.errAt = false, err.Error(), now
}

// Forget drops everything (another session).
func (f *Freshness) Forget() { *f = Freshness{Every: f.Every} }

// Read is when the list was last read whole, zero before.
func (f *Freshness) Read() time.Time { return f.read }

// Err is the latest read's failure, "" when it succeeded.
func (f *Freshness) Err() string { return f.err }

// FailedAt is when the latest read failed, zero when it succeeded.
func (f *Freshness) FailedAt() time.Time { return f.errAt }

// Running reports a read in flight.
func (f *Freshness) Running() bool { return f.running }

// Due reports whether a read should start at now: none has, or the last
// one started a cadence ago and none is in flight. A read in flight for
// longer than CallTimeout is given up on (its answer will be stale), so
// that one call that never answers cannot stop the refreshes.
func (f *Freshness) Due(now time.Time) bool {
	every := f.Every
	if every <= 0 {
		every = RefreshEvery
	}
	if f.tried.IsZero() {
		return true
	}
	age := now.Sub(f.tried)
	if f.running {
		return age >= CallTimeout+every
	}
	return age >= every
}

// Line says how fresh the list is: "updated 12s ago", or
// "refresh failed 5s ago, showing what was read 2m ago: …"; "" before
// any read has answered.
func (f *Freshness) Line(now time.Time) string {
	switch {
	case f.err != "" && f.read.IsZero():
		return "read failed " + Ago(now, f.errAt) + ": " + f.err
	case f.err != "":
		// When comes first: the error may be cut at the screen's edge.
		return "refresh failed " + Ago(now, f.errAt) + ", showing what was read " + Ago(now, f.read) + ": " + f.err
	case f.read.IsZero():
		return ""
	}
	return "updated " + Ago(now, f.read)
}

// Ago writes how long before now t was: "just now", "12s ago", "4m ago",
// "2h ago".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	default:
		return strconv.Itoa(int(d/time.Hour)) + "h ago"
	}
}
