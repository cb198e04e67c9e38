package tail

import (
	"fmt"
	"slices"
)

// ShardState is where a shard's reader is.
type ShardState int

const (
	// Pending: waiting for its parents to be read to their end.
	Pending ShardState = iota
	// Reading: its reader is running.
	Reading
	// Finished: a closed shard read to its end; its children carry on.
	Finished
	// CaughtUp: read up to the newest record, and the tail was asked to
	// stop there (Options.UntilCaughtUp).
	CaughtUp
	// Stopped: the tail was closed, or failed, while it was reading.
	Stopped
)

func (s ShardState) String() string {
	switch s {
	case Pending:
		return "pending"
	case Reading:
		return "reading"
	case Finished:
		return "finished"
	case CaughtUp:
		return "caught-up"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("ShardState(%d)", int(s))
}

// ShardStats is one shard's part of Stats.
type ShardStats struct {
	ID      string
	Parents []string
	State   ShardState
	// MillisBehindLatest is what the last read said; 0 is caught up.
	MillisBehindLatest int64
	// Records counts the Kinesis records read from the shard (before
	// de-aggregation and filtering).
	Records int64
	// LastSequence is the sequence number of the last record read: a tail
	// from after:LastSequence resumes where this one is.
	LastSequence string
	Reads        int64
	Throttles    int64
	// Waiting is set while the shard's reader is blocked handing a batch to
	// a caller that is not reading.
	Waiting bool
}

// Stats is what a tail has done so far.
type Stats struct {
	// Delivered counts the records handed to the caller (after
	// de-aggregation and filtering).
	Delivered int64
	// Records counts the Kinesis records read.
	Records int64
	// Bytes counts the data bytes of the Kinesis records read.
	Bytes int64
	// Reads counts GetRecords calls, throttled ones included.
	Reads int64
	// Throttles counts ProvisionedThroughputExceeded answers, each followed
	// by a backoff.
	Throttles int64
	// Renewals counts expired iterators replaced.
	Renewals int64
	// Filtered counts the records the filter did not match.
	Filtered int64
	// FilterErrors counts the records the filter failed on (skipped).
	FilterErrors int64
	// DeaggregationErrors counts KPL aggregates that could not be expanded
	// and were delivered as they are.
	DeaggregationErrors int64
	Paused              bool
	// Shards are in order of shard id.
	Shards []ShardStats
}

// Active lists the shards being read.
func (s Stats) Active() []string { return s.inState(Reading) }

// Finished lists the closed shards read to their end.
func (s Stats) Finished() []string { return s.inState(Finished) }

func (s Stats) inState(state ShardState) []string {
	var ids []string
	for _, sh := range s.Shards {
		if sh.State == state {
			ids = append(ids, sh.ID)
		}
	}
	return ids
}

// MaxMillisBehindLatest is how far the most lagging active shard is.
func (s Stats) MaxMillisBehindLatest() int64 {
	var m int64
	for _, sh := range s.Shards {
		if sh.State == Reading {
			m = max(m, sh.MillisBehindLatest)
		}
	}
	return m
}

// Stats returns a snapshot of what the tail has done.
func (t *Tail) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.totals
	st.Paused = t.gate.isPaused()
	st.Shards = make([]ShardStats, 0, len(t.shards))
	for _, sh := range t.shards {
		s := sh.stats
		s.Parents = slices.Clone(s.Parents)
		st.Shards = append(st.Shards, s)
	}
	slices.SortFunc(st.Shards, func(a, b ShardStats) int { return compareShardIDs(a.ID, b.ID) })
	return st
}

// compareShardIDs orders "shardId-000000000002" before
// "shardId-000000000010" (ids are zero-padded, but not always to the same
// width).
func compareShardIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
