package tail

import (
	"fmt"
	"strings"
	"time"
)

// PositionKind is where in a shard a tail starts.
type PositionKind int

const (
	// TrimHorizon starts at the oldest record still retained.
	TrimHorizon PositionKind = iota
	// Latest starts after the newest record: only new records are read.
	Latest
	// AtTimestamp starts at the first record that arrived at or after Time.
	AtTimestamp
	// AtSequence starts at the record with sequence number Sequence.
	AtSequence
	// AfterSequence starts right after the record with sequence number
	// Sequence (to resume where a previous tail stopped).
	AfterSequence
)

func (k PositionKind) String() string {
	switch k {
	case TrimHorizon:
		return "trim-horizon"
	case Latest:
		return "latest"
	case AtTimestamp:
		return "at-timestamp"
	case AtSequence:
		return "at-sequence"
	case AfterSequence:
		return "after-sequence"
	}
	return fmt.Sprintf("PositionKind(%d)", int(k))
}

// Position is where a tail starts. The zero value is TrimHorizon.
type Position struct {
	Kind PositionKind
	// Time is the timestamp of AtTimestamp.
	Time time.Time
	// Ago, for AtTimestamp with a zero Time, is how long before the tail
	// starts (by Options.Now) the timestamp is: "-15m" is parsed this way,
	// so that it means 15 minutes before Start, not before parsing.
	Ago time.Duration
	// Sequence is the decimal sequence number of AtSequence and
	// AfterSequence.
	Sequence string
}

func (p Position) String() string {
	switch p.Kind {
	case AtTimestamp:
		if p.Time.IsZero() {
			return p.Ago.String() + " ago"
		}
		return p.Time.UTC().Format(time.RFC3339Nano)
	case AtSequence:
		return p.Sequence
	case AfterSequence:
		return "after:" + p.Sequence
	}
	return p.Kind.String()
}

// resolve fixes a relative timestamp against now.
func (p Position) resolve(now time.Time) Position {
	if p.Kind == AtTimestamp && p.Time.IsZero() {
		p.Time = now.Add(-p.Ago)
	}
	return p
}

func (p Position) validate() error {
	switch p.Kind {
	case TrimHorizon, Latest:
		return nil
	case AtTimestamp:
		if p.Time.IsZero() && p.Ago < 0 {
			return fmt.Errorf("position %s: a timestamp in the future", p)
		}
		return nil
	case AtSequence, AfterSequence:
		if !isDigits(p.Sequence) {
			return fmt.Errorf("position %s: a sequence number is decimal digits, got %q", p.Kind, p.Sequence)
		}
		return nil
	}
	return fmt.Errorf("position: unknown kind %d", int(p.Kind))
}

// ParsePosition reads the CLI's --from: "trim-horizon", "latest", a time
// (RFC 3339, or a duration such as "15m" or "-15m", both meaning 15 minutes
// ago), a sequence number (decimal digits: start at that record), or
// "after:" and a sequence number (start right after it).
func ParsePosition(s string) (Position, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "trim-horizon", "trim_horizon", "oldest":
		return Position{Kind: TrimHorizon}, nil
	case "latest", "now", "new":
		return Position{Kind: Latest}, nil
	case "":
		return Position{}, fmt.Errorf("--from is empty: want trim-horizon, latest, a time (RFC 3339 or a duration like 15m) or a sequence number")
	}
	if seq, ok := strings.CutPrefix(s, "after:"); ok {
		if !isDigits(seq) {
			return Position{}, fmt.Errorf("--from %q: after: needs a sequence number (decimal digits)", s)
		}
		return Position{Kind: AfterSequence, Sequence: seq}, nil
	}
	if seq, ok := strings.CutPrefix(s, "at:"); ok {
		s = seq
	}
	if isDigits(s) {
		return Position{Kind: AtSequence, Sequence: s}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Position{Kind: AtTimestamp, Time: t}, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "-")); err == nil {
		if d <= 0 {
			return Position{}, fmt.Errorf("--from %q: a duration back in time must be positive", s)
		}
		return Position{Kind: AtTimestamp, Ago: d}, nil
	}
	return Position{}, fmt.Errorf("--from %q: want trim-horizon, latest, a time (RFC 3339 such as 2024-05-01T12:00:00Z, or a duration such as 15m meaning 15 minutes ago) or a sequence number", s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
