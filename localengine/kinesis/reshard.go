package kinesis

import (
	"context"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

func notEligible(shard, stream, what string) error {
	return invalidArgument("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for %s.",
		shard, stream, wire.Account, what)
}

// resolveShard resolves a shard id given to a resharding action, before
// the stream is looked up: an id that names no shard is refused at once.
func resolveShard(id, stream string) (uint64, error) {
	idx, ok := parseShardID(id)
	if !ok {
		return 0, couldNotFindShard(id, stream)
	}
	return idx, nil
}

// openShard finds an open, listed shard for a resharding action.
func openShard(m *streamMeta, idx uint64, nowMs int64, what string) (*shardMeta, error) {
	sh := m.shard(idx)
	if sh == nil || m.expired(sh, nowMs) {
		return nil, couldNotFindShard(shardID(idx), m.Name)
	}
	if sh.closed() {
		return nil, notEligible(shardID(sh.Index), m.Name, what)
	}
	return sh, nil
}

// checkShardNumbers refuses a change that would need more shard numbers
// than a stream may use.
func checkShardNumbers(m *streamMeta, newShards int) error {
	if m.NextShard+uint64(newShards) > maxShardIndex {
		return limitExceeded("Stream %s under account %s has used all of its shard ids.", m.Name, wire.Account)
	}
	return nil
}

// checkActive refuses a change to a stream that is not ACTIVE.
func (s *Service) checkActive(m *streamMeta) error {
	if st := m.status(s.nowMs()); st != statusActive {
		return notActive(m.Name, st)
	}
	return nil
}

func (s *Service) splitShard(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		ShardToSplit       *string
		NewStartingHashKey *string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.ShardToSplit != nil, "shardToSplit")
		v.lengthBetween(in.ShardToSplit, "shardToSplit", 1, 128)
		v.pattern(in.ShardToSplit, "shardToSplit", shardIDPattern, streamNameOK)
		v.required(in.NewStartingHashKey != nil, "newStartingHashKey")
		v.pattern(in.NewStartingHashKey, "newStartingHashKey", `0|([1-9]\d{0,38})`, hashKeyPatternOK)
	})
	if err != nil {
		return nil, err
	}
	idx, err := resolveShard(*in.ShardToSplit, ref.name)
	if err != nil {
		return nil, err
	}
	key, ok := parseHashKey([]byte(*in.NewStartingHashKey))
	if !ok {
		return nil, invalidArgument("NewStartingHashKey %s is not in the range [0, 2^128-1].", *in.NewStartingHashKey)
	}
	_, err = s.updateStream(ref, func(tx *bolt.Tx, m *streamMeta) error {
		if err := s.checkActive(m); err != nil {
			return err
		}
		now := s.nowMs()
		sh, err := openShard(m, idx, now, "splitting")
		if err != nil {
			return err
		}
		if key.cmp(sh.start) <= 0 || key.cmp(sh.start.add1()) <= 0 || key.cmp(sh.end) >= 0 {
			return invalidArgument("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				*in.NewStartingHashKey, shardID(sh.Index), m.Name, wire.Account, sh.StartHash, sh.EndHash)
		}
		if err := checkShardNumbers(m, 2); err != nil {
			return err
		}
		if err := s.checkQuota(tx, m.Region, 1); err != nil {
			return err
		}
		split(tx, m, sh, key, now)
		s.markUpdating(m, now)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("split shard of %s: %w", ref.name, err)
	}
	return struct{}{}, nil
}

// split closes sh and opens two children that divide its range at key.
func split(tx *bolt.Tx, m *streamMeta, sh *shardMeta, key u128, nowMs int64) (left, right *shardMeta) {
	m.closeShard(tx, sh, nowMs)
	left = m.addShard(sh.start, key.sub1(), nowMs, u64p(sh.Index), nil)
	right = m.addShard(key, sh.end, nowMs, u64p(sh.Index), nil)
	return left, right
}

// merge closes a and b (adjacent, a first in hash order unless swapped by
// the caller) and opens the shard covering both.
func merge(tx *bolt.Tx, m *streamMeta, parent, adjacent *shardMeta, nowMs int64) *shardMeta {
	m.closeShard(tx, parent, nowMs)
	m.closeShard(tx, adjacent, nowMs)
	lo, hi := parent, adjacent
	if adjacent.start.cmp(parent.start) < 0 {
		lo, hi = adjacent, parent
	}
	return m.addShard(lo.start, hi.end, nowMs, u64p(parent.Index), u64p(adjacent.Index))
}

// adjacentShards reports whether b's hash key range starts right after
// a's: AWS merges ShardToMerge with the shard that follows it, not the
// pair in either order.
func adjacentShards(a, b *shardMeta) bool {
	return a.Index != b.Index && a.end.cmp(maxHashKey) != 0 && a.end.add1().cmp(b.start) == 0
}

func (s *Service) mergeShards(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		ShardToMerge         *string
		AdjacentShardToMerge *string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.ShardToMerge != nil, "shardToMerge")
		v.lengthBetween(in.ShardToMerge, "shardToMerge", 1, 128)
		v.pattern(in.ShardToMerge, "shardToMerge", shardIDPattern, streamNameOK)
		v.required(in.AdjacentShardToMerge != nil, "adjacentShardToMerge")
		v.lengthBetween(in.AdjacentShardToMerge, "adjacentShardToMerge", 1, 128)
		v.pattern(in.AdjacentShardToMerge, "adjacentShardToMerge", shardIDPattern, streamNameOK)
	})
	if err != nil {
		return nil, err
	}
	ia, err := resolveShard(*in.ShardToMerge, ref.name)
	if err != nil {
		return nil, err
	}
	ib, err := resolveShard(*in.AdjacentShardToMerge, ref.name)
	if err != nil {
		return nil, err
	}
	_, err = s.updateStream(ref, func(tx *bolt.Tx, m *streamMeta) error {
		if err := s.checkActive(m); err != nil {
			return err
		}
		now := s.nowMs()
		a, err := openShard(m, ia, now, "merging")
		if err != nil {
			return err
		}
		b, err := openShard(m, ib, now, "merging")
		if err != nil {
			return err
		}
		if !adjacentShards(a, b) {
			return invalidArgument("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
				shardID(a.Index), shardID(b.Index), m.Name, wire.Account)
		}
		if err := checkShardNumbers(m, 1); err != nil {
			return err
		}
		merge(tx, m, a, b, now)
		s.markUpdating(m, now)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge shards of %s: %w", ref.name, err)
	}
	return struct{}{}, nil
}

func (s *Service) updateShardCount(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		TargetShardCount *int64
		ScalingType      *string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.TargetShardCount != nil, "targetShardCount")
		v.rangeBetween(in.TargetShardCount, "targetShardCount", 1, 100000)
		v.required(in.ScalingType != nil, "scalingType")
		v.enum(in.ScalingType, "scalingType", "UNIFORM_SCALING")
	})
	if err != nil {
		return nil, err
	}
	target := int(*in.TargetShardCount)
	var current int
	m, err := s.updateStream(ref, func(tx *bolt.Tx, m *streamMeta) error {
		if err := s.checkActive(m); err != nil {
			return err
		}
		if m.Mode == modeOnDemand {
			return invalidArgument("UpdateShardCount is not supported for stream %s under account %s because it is in %s capacity mode.", m.Name, wire.Account, modeOnDemand)
		}
		current = m.openCount()
		switch {
		case target > 2*current:
			return limitExceeded("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d, Target shard count: %d", current, target)
		case 2*target < current:
			return limitExceeded("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d, Target shard count: %d", current, target)
		}
		if target > current {
			if err := s.checkQuota(tx, m.Region, target-current); err != nil {
				return err
			}
		}
		now := s.nowMs()
		if err := reshard(tx, m, target, now); err != nil {
			return err
		}
		s.markUpdating(m, now)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update shard count of %s: %w", ref.name, err)
	}
	return struct {
		StreamName        string `json:"StreamName"`
		StreamARN         string `json:"StreamARN"`
		CurrentShardCount int    `json:"CurrentShardCount"`
		TargetShardCount  int    `json:"TargetShardCount"`
	}{m.Name, m.arn(), current, target}, nil
}

// reshard makes the open shards exactly the target count of uniform
// ranges. Like AWS, it gets there by splits and merges, so every new shard
// has at most two parents and a consumer that finishes parents before
// children still reads every hash key in order; the intermediate shards
// open and close in the same instant and hold no records.
func reshard(tx *bolt.Tx, m *streamMeta, target int, nowMs int64) error {
	ranges := uniformRanges(target)
	open := append([]*shardMeta(nil), m.open...)
	// Every new shard comes from a split or a merge; bound the shard
	// numbers that can take before starting.
	if err := checkShardNumbers(m, 2*(len(open)+target)); err != nil {
		return err
	}

	// Split open shards at every target boundary strictly inside them.
	for _, r := range ranges[1:] {
		b := r[0]
		i := sort.Search(len(open), func(i int) bool { return open[i].start.cmp(b) > 0 }) - 1
		sh := open[i]
		if sh.start.cmp(b) == 0 {
			continue
		}
		left, right := split(tx, m, sh, b, nowMs)
		open = append(open[:i], append([]*shardMeta{left, right}, open[i+1:]...)...)
	}

	// Merge the shards inside each target range into one.
	i := 0
	for _, r := range ranges {
		cur := open[i]
		i++
		for i < len(open) && open[i].end.cmp(r[1]) <= 0 {
			cur = merge(tx, m, cur, open[i], nowMs)
			i++
		}
	}
	return nil
}
