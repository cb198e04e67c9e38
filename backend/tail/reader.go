package tail

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/time/rate"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/decode"
)

// read is one shard's reader: it pages through the shard with GetRecords,
// paced, until the shard ends (then its children start), it is caught up
// and the tail stops there, or the tail stops.
func (t *Tail) read(id string, from Position) {
	defer t.wg.Done()
	ctx := t.ctx
	state, children, err := t.readShard(ctx, id, from)
	if err != nil && ctx.Err() == nil {
		t.fail(err)
	}
	if err != nil || ctx.Err() != nil {
		state = Stopped
	}
	if state == Finished && len(children) == 0 {
		children, err = t.childrenFromListing(ctx, id)
		if err != nil && ctx.Err() == nil {
			t.fail(fmt.Errorf("find the children of %s: %w", id, t.session.Explain(err)))
		}
	}
	// The child of a merge has a second parent, which the tail may not have
	// met yet when it is itself the child of a shard still being read: the
	// listing tells, so that the merged child waits for it too.
	var listing []types.Shard
	if state == Finished && t.hasUnmetParent(children) {
		// Without the listing a merged child could start before its other
		// parent is read, and per-key order would be lost: stop instead.
		if listing, err = listShards(ctx, t.kinesis, t.stream, nil); err != nil {
			if ctx.Err() == nil {
				t.fail(fmt.Errorf("list the shards to order the children of %s: %w", id, t.session.Explain(err)))
			}
			state = Stopped
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.shards[id].stats.State = state
	t.shards[id].stats.Waiting = false
	if state != Finished {
		return
	}
	for _, ch := range children {
		cid := aws.ToString(ch.ShardId)
		if cid == "" || t.shards[cid] != nil {
			continue
		}
		t.shards[cid] = &shard{stats: ShardStats{ID: cid, Parents: ch.ParentShards}, from: t.childPosition()}
	}
	t.registerUnmetParents(children, listing)
	if ctx.Err() == nil {
		t.startReady()
	}
}

// hasUnmetParent reports whether a child has a parent the tail does not
// know.
func (t *Tail) hasUnmetParent(children []types.ChildShard) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ch := range children {
		for _, p := range ch.ParentShards {
			if t.shards[p] == nil {
				return true
			}
		}
	}
	return false
}

// registerUnmetParents adds, as pending, each unknown parent of children
// that descends from a shard the tail is still reading: the tail will
// read it once its own parents end, and its child must wait for that.
// Called with t.mu held.
func (t *Tail) registerUnmetParents(children []types.ChildShard, listing []types.Shard) {
	if len(listing) == 0 {
		return
	}
	parentsOf := map[string][]string{}
	closed := map[string]bool{}
	for _, sh := range listing {
		id := aws.ToString(sh.ShardId)
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if aws.ToString(p) != "" {
				parentsOf[id] = append(parentsOf[id], *p)
			}
		}
		closed[id] = sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
	}
	for _, ch := range children {
		for _, p := range ch.ParentShards {
			if t.shards[p] == nil && t.descendsFromUnfinished(p, parentsOf) {
				t.shards[p] = &shard{stats: ShardStats{ID: p, Parents: parentsOf[p]}, from: t.childPosition(), closed: closed[p]}
			}
		}
	}
}

// descendsFromUnfinished walks id's ancestors for one the tail reads and
// has not finished.
func (t *Tail) descendsFromUnfinished(id string, parentsOf map[string][]string) bool {
	seen := map[string]bool{}
	queue := append([]string(nil), parentsOf[id]...)
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		if seen[a] {
			continue
		}
		seen[a] = true
		if sh := t.shards[a]; sh != nil {
			if sh.stats.State != Finished {
				return true
			}
			continue
		}
		queue = append(queue, parentsOf[a]...)
	}
	return false
}

// latestClockMargin is how far before the start of a LATEST tail its
// renewal reads from.
const latestClockMargin = 5 * time.Second

// readShard reads until the shard ends (Finished, with its children),
// is caught up under UntilCaughtUp (CaughtUp), or an error or the end of
// ctx stops it.
func (t *Tail) readShard(ctx context.Context, id string, from Position) (ShardState, []types.ChildShard, error) {
	var pace *rate.Limiter
	if !t.o.Unpaced {
		pace = rate.NewLimiter(rate.Limit(t.o.ReadsPerSecond), 1)
	}
	closed := t.isClosed(id)
	lastSeq := ""
	started := t.o.Now()
	iterator, err := t.iterator(ctx, id, from)
	if err != nil {
		return Stopped, nil, err
	}
	if from.Kind == Latest {
		// An iterator that expires before any record was read is renewed
		// from here: from the time LATEST meant, not from a new LATEST that
		// would skip what arrived meanwhile (a pause on a quiet stream). The
		// margin covers a clock a little ahead of the stream's.
		from = Position{Kind: AtTimestamp, Time: started.Add(-latestClockMargin)}
	}
	var throttled backoff
	for {
		if err := t.gate.wait(ctx); err != nil {
			return Stopped, nil, nil
		}
		if pace != nil {
			if err := pace.Wait(ctx); err != nil {
				return Stopped, nil, nil
			}
		}
		out, err := t.kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: aws.String(iterator), Limit: aws.Int32(t.o.Limit), StreamARN: t.stream.arnParam(),
		}, backend.WithoutThrottleRetries)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return Stopped, nil, nil
		case backend.IsKinesisThrottle(err):
			t.count(id, func(sh *ShardStats, st *Stats) { sh.Reads++; st.Reads++; sh.Throttles++; st.Throttles++ })
			if err := backend.Sleep(ctx, throttled.next()); err != nil {
				return Stopped, nil, nil
			}
			continue
		case isExpired(err):
			// Renew after the last record read, so that nothing is read
			// twice or skipped; before any, from where the shard started.
			renewAt := from
			if lastSeq != "" {
				renewAt = Position{Kind: AfterSequence, Sequence: lastSeq}
			}
			if iterator, err = t.iterator(ctx, id, renewAt); err != nil {
				return Stopped, nil, err
			}
			t.count(id, func(sh *ShardStats, st *Stats) { sh.Reads++; st.Reads++; st.Renewals++ })
			continue
		default:
			return Stopped, nil, fmt.Errorf("read %s: %w", id, t.session.Explain(err))
		}
		throttled.reset()
		behind := aws.ToInt64(out.MillisBehindLatest)
		read := len(out.Records)
		batch, counts := t.convert(ctx, id, out.Records, behind)
		if read > 0 {
			lastSeq = aws.ToString(out.Records[read-1].SequenceNumber)
		}
		// out is not used past this point, so that its records are garbage
		// while the reader is blocked handing the batch over.
		next, children := out.NextShardIterator, out.ChildShards
		t.count(id, func(sh *ShardStats, st *Stats) {
			sh.Reads++
			st.Reads++
			sh.MillisBehindLatest = behind
			sh.Records += int64(read)
			if lastSeq != "" {
				sh.LastSequence = lastSeq
			}
			counts.addTo(st)
		})
		if len(batch.Records) > 0 {
			if err := t.deliver(ctx, id, batch); err != nil {
				return Stopped, nil, nil
			}
		}
		if next == nil {
			return Finished, children, nil
		}
		iterator = *next
		if read == 0 && behind == 0 {
			if t.o.UntilCaughtUp && !closed {
				return CaughtUp, nil, nil
			}
			if pace == nil {
				if err := backend.Sleep(ctx, sleepBeforeEmptyPoll); err != nil {
					return Stopped, nil, nil
				}
			}
		}
	}
}

// iterator gets a shard iterator at p, backing off while throttled.
func (t *Tail) iterator(ctx context.Context, id string, p Position) (string, error) {
	var it string
	err := retryThrottled(ctx, func() error {
		out, err := t.kinesis.GetShardIterator(ctx, iteratorInput(t.stream, id, p), backend.WithoutThrottleRetries)
		if err == nil {
			it = aws.ToString(out.ShardIterator)
		} else if backend.IsKinesisThrottle(err) {
			t.count(id, func(sh *ShardStats, st *Stats) { sh.Throttles++; st.Throttles++ })
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("iterator on %s at %s: %w", id, p, t.session.Explain(err))
	}
	return it, nil
}

// deliver hands a batch to the caller, blocking while the channel is full:
// a caller that does not read slows the readers down rather than let
// batches pile up.
func (t *Tail) deliver(ctx context.Context, id string, b Batch) error {
	select {
	case t.out <- b:
	default:
		t.setWaiting(id, true)
		select {
		case t.out <- b:
			t.setWaiting(id, false)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.ring.add(b.Records)
	t.count(id, func(_ *ShardStats, st *Stats) { st.Delivered += int64(len(b.Records)) })
	return nil
}

func (t *Tail) setWaiting(id string, waiting bool) {
	t.count(id, func(sh *ShardStats, _ *Stats) { sh.Waiting = waiting })
}

func (t *Tail) count(id string, f func(*ShardStats, *Stats)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.shards[id].stats, &t.totals)
}

func (t *Tail) isClosed(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.shards[id].closed
}

// childrenFromListing finds a finished shard's children when GetRecords
// did not name them.
func (t *Tail) childrenFromListing(ctx context.Context, id string) ([]types.ChildShard, error) {
	shards, err := listShards(ctx, t.kinesis, t.stream, nil)
	if err != nil {
		return nil, err
	}
	var children []types.ChildShard
	for _, sh := range shards {
		if aws.ToString(sh.ParentShardId) != id && aws.ToString(sh.AdjacentParentShardId) != id {
			continue
		}
		parents := []string{aws.ToString(sh.ParentShardId)}
		if p := aws.ToString(sh.AdjacentParentShardId); p != "" {
			parents = append(parents, p)
		}
		children = append(children, types.ChildShard{ShardId: sh.ShardId, ParentShards: parents})
	}
	return children, nil
}

// batchCounts are what converting one read counted.
type batchCounts struct {
	records, bytes, filtered, filterErrors, deaggregationErrors int64
}

func (c batchCounts) addTo(st *Stats) {
	st.Records += c.records
	st.Bytes += c.bytes
	st.Filtered += c.filtered
	st.FilterErrors += c.filterErrors
	st.DeaggregationErrors += c.deaggregationErrors
}

// convert turns one read's Kinesis records into the caller's batch:
// aggregates expanded, the filter applied. Payloads are decoded only for
// the filter.
func (t *Tail) convert(ctx context.Context, id string, in []types.Record, behind int64) (Batch, batchCounts) {
	var c batchCounts
	b := Batch{Shard: id, MillisBehindLatest: behind}
	if len(in) == 0 {
		return b, c
	}
	b.Records = make([]Record, 0, len(in))
	keep := func(r Record) {
		if t.o.Filter != nil {
			p, err := t.o.Filter.Project(ctx, r.Payload(), r.Meta())
			switch {
			case err != nil:
				c.filterErrors++
				return
			case p.Hidden():
				c.filtered++
				return
			case !p.Whole:
				r.Projection = p.Values
			}
		}
		b.Records = append(b.Records, r)
	}
	for i := range in {
		kr := &in[i]
		c.records++
		c.bytes += int64(len(kr.Data))
		r := Record{
			StreamARN: t.stream.arn, ShardID: id, SequenceNumber: aws.ToString(kr.SequenceNumber), SubSequence: -1,
			PartitionKey: aws.ToString(kr.PartitionKey), Arrival: aws.ToTime(kr.ApproximateArrivalTimestamp),
			Data: kr.Data, Size: len(kr.Data),
		}
		if !t.o.Deaggregate || !decode.IsAggregated(kr.Data) {
			keep(r)
			continue
		}
		users, err := decode.Deaggregate(kr.Data)
		if err != nil {
			// Shown as it is, as the KCL does: never dropped.
			c.deaggregationErrors++
			keep(r)
			continue
		}
		for _, u := range users {
			ur := r
			ur.SubSequence, ur.PartitionKey, ur.ExplicitHashKey = u.SubSequence, u.PartitionKey, u.ExplicitHashKey
			ur.Data, ur.Size, ur.Aggregated = u.Data, len(u.Data), true
			keep(ur)
		}
	}
	return b, c
}
