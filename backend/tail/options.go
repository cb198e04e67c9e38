package tail

import (
	"errors"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/backend/decode"
)

// Defaults and bounds of Options.
const (
	DefaultReadsPerSecond = 1
	// MaxReadsPerSecond is Kinesis's GetRecords limit per shard, shared by
	// every reader of the shard.
	MaxReadsPerSecond = 5
	// DefaultLimit lets a paced tail (one read a second a shard) catch up
	// on a backlog at 10,000 records a second a shard.
	DefaultLimit = 10000
	// UnpacedLimit is the default Limit of an unpaced tail, whose reads
	// are not rationed, so that a smaller answer costs it little speed and
	// halves what each shard's read holds in memory at once (the SDK
	// buffers and decodes a whole answer).
	UnpacedLimit  = 5000
	MaxLimit      = 10000
	DefaultBuffer = 10000
	// batchesInFlight is the capacity of the channel to the caller. One is
	// enough, since each shard reader holds one more batch ready to hand
	// over, and more costs memory: a batch may hold Limit records (up to
	// 10 MiB).
	batchesInFlight = 1
)

// Options say what to tail and how. Start them from NewOptions, which sets
// the defaults that are not zero values (Deaggregate).
type Options struct {
	// Stream is the stream's name or ARN.
	Stream string
	// Shards are the shard ids to read; empty for the whole stream. The
	// children of a named shard are followed when it is split or merged.
	Shards []string
	// From is where each shard starts. A sequence number belongs to one
	// shard: with AtSequence or AfterSequence, name that shard or none (the
	// tail then finds it).
	From Position
	// ReadsPerSecond paces GetRecords per shard: 1 when zero, at most 5.
	// Every reader of a shard shares Kinesis's 5 reads a second, so the
	// default leaves room for production consumers.
	ReadsPerSecond float64
	// Unpaced lifts the pacing: each shard is read again as soon as the
	// previous batch is handed over (throttling is still backed off). It is
	// for bulk export and benchmarks; on AWS it competes with production
	// consumers for the shard's read budget.
	Unpaced bool
	// Limit is GetRecords' Limit: when zero, DefaultLimit, or UnpacedLimit
	// for an unpaced tail.
	Limit int32
	// Buffer is how many records Recent keeps: 10000 when zero, none when
	// negative.
	Buffer int
	// Filter, when set, is a jq expression run on every record, read as jq
	// reads it (see decode.Projection): a record it yields nothing for is
	// dropped (counted in Stats.Filtered), one it yields itself for passes
	// as it is, and any other outputs ride on the record as its
	// Projection. Records it fails on are skipped and counted in
	// Stats.FilterErrors.
	Filter *decode.Filter
	// Deaggregate expands KPL aggregated records into their user records.
	// NewOptions sets it; the zero Options value shows aggregates as they
	// are.
	Deaggregate bool
	// UntilCaughtUp ends the tail once every shard is caught up (a read
	// that returned nothing with MillisBehindLatest 0) or read to its end,
	// instead of following the stream for ever.
	UntilCaughtUp bool
	// Now is the clock for relative positions ("15m ago") and for when a
	// LATEST tail began; time.Now when nil.
	Now func() time.Time
}

// NewOptions returns the defaults for tailing stream: the whole stream
// from LATEST, one read a second per shard, KPL aggregates expanded.
func NewOptions(stream string) Options {
	return Options{
		Stream:         stream,
		From:           Position{Kind: Latest},
		ReadsPerSecond: DefaultReadsPerSecond,
		Buffer:         DefaultBuffer,
		Deaggregate:    true,
	}
}

// withDefaults fills in the zero fields and checks the others.
func (o Options) withDefaults() (Options, error) {
	if o.Stream == "" {
		return o, errors.New("tail: no stream named")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch {
	case o.ReadsPerSecond == 0:
		o.ReadsPerSecond = DefaultReadsPerSecond
	case o.ReadsPerSecond < 0 || o.ReadsPerSecond > MaxReadsPerSecond:
		return o, fmt.Errorf("tail %s: %v reads a second per shard: want more than 0 and at most %d (Kinesis's limit per shard, shared with every other reader)", o.Stream, o.ReadsPerSecond, MaxReadsPerSecond)
	}
	switch {
	case o.Limit == 0 && o.Unpaced:
		o.Limit = UnpacedLimit
	case o.Limit == 0:
		o.Limit = DefaultLimit
	case o.Limit < 0 || o.Limit > MaxLimit:
		return o, fmt.Errorf("tail %s: limit %d: want 1 to %d records a read", o.Stream, o.Limit, MaxLimit)
	}
	switch {
	case o.Buffer == 0:
		o.Buffer = DefaultBuffer
	case o.Buffer < 0:
		o.Buffer = 0
	}
	if err := o.From.validate(); err != nil {
		return o, fmt.Errorf("tail %s: %w", o.Stream, err)
	}
	seen := map[string]bool{}
	for _, id := range o.Shards {
		if id == "" {
			return o, fmt.Errorf("tail %s: an empty shard id", o.Stream)
		}
		if seen[id] {
			return o, fmt.Errorf("tail %s: shard %s named twice", o.Stream, id)
		}
		seen[id] = true
	}
	if bySequence(o.From.Kind) && len(o.Shards) > 1 {
		return o, fmt.Errorf("tail %s: sequence number %s belongs to one shard; name that shard alone, or none", o.Stream, o.From.Sequence)
	}
	o.From = o.From.resolve(o.Now())
	return o, nil
}

func bySequence(k PositionKind) bool { return k == AtSequence || k == AfterSequence }
