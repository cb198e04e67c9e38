package deadline

import "time"

// Thresholds colour a deadline as it nears; Warn also raises the status
// bar's warning.
type Thresholds struct {
	Warn, Critical time.Duration
}

// DefaultThresholds are used when the config sets none: a working day's
// notice, and an hour.
var DefaultThresholds = Thresholds{Warn: 6 * time.Hour, Critical: time.Hour}

// Level is how near a deadline is.
type Level int

const (
	Far Level = iota
	Near
	Critical
	// Gone: the deadline passed; the records (or the message) are lost.
	Gone
)

// Level says how near a deadline left away is.
func (t Thresholds) Level(left time.Duration) Level {
	switch {
	case left <= 0:
		return Gone
	case left < t.Critical:
		return Critical
	case left < t.Warn:
		return Near
	}
	return Far
}

// Or fills the thresholds left unset with the defaults.
func (t Thresholds) Or(def Thresholds) Thresholds {
	if t.Warn <= 0 {
		t.Warn = def.Warn
	}
	if t.Critical <= 0 {
		t.Critical = def.Critical
	}
	return t
}
