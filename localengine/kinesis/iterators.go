package kinesis

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

var iteratorTypes = []string{"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}

func (s *Service) getShardIterator(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		ShardId                *string
		ShardIteratorType      *string
		StartingSequenceNumber *string
		Timestamp              *epochInput
		DryRun                 *bool
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.ShardId != nil, "shardId")
		v.lengthBetween(in.ShardId, "shardId", 1, 128)
		v.pattern(in.ShardId, "shardId", shardIDPattern, streamNameOK)
		v.required(in.ShardIteratorType != nil, "shardIteratorType")
		v.enum(in.ShardIteratorType, "shardIteratorType", iteratorTypes...)
		v.pattern(in.StartingSequenceNumber, "startingSequenceNumber", `0|([1-9]\d{0,128})`, seqPatternOK)
	})
	if err != nil {
		return nil, err
	}
	idx, ok := parseShardID(*in.ShardId)
	if !ok {
		return nil, couldNotFindShard(*in.ShardId, ref.name)
	}
	typ := *in.ShardIteratorType
	hasSeq := in.StartingSequenceNumber != nil
	bySeq := typ == "AT_SEQUENCE_NUMBER" || typ == "AFTER_SEQUENCE_NUMBER"
	if (bySeq && !hasSeq) || ((typ == "TRIM_HORIZON" || typ == "LATEST") && hasSeq) {
		which := "no StartingSequenceNumber"
		if hasSeq {
			which = "also a StartingSequenceNumber"
		}
		return nil, invalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and %s.", typ, which)
	}
	now := s.nowMs()
	var ts int64
	if typ == "AT_TIMESTAMP" {
		if in.Timestamp == nil || !in.Timestamp.set {
			return nil, invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		ts = in.Timestamp.ms
		if ts > now {
			return nil, invalidArgument("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ts, now)
		}
	}

	var it iterator
	err = s.store.View(func(tx *bolt.Tx) error {
		m, err := s.loadStream(tx, ref.region, ref.name, true)
		if err != nil {
			return err
		}
		if m == nil {
			// AWS names the shard, not the stream, here.
			return shardNotFound(shardID(idx), ref.name)
		}
		sh := m.shard(idx)
		if sh == nil || m.expired(sh, now) || m.creating(now) {
			return shardNotFound(shardID(idx), m.Name)
		}
		id := shardID(sh.Index)
		it = iterator{region: m.Region, name: m.Name, uid: m.UID, createdMs: m.CreatedMs, shard: sh.Index, issuedMs: now}
		key := shardKey(m.UID, sh.Index)
		switch typ {
		case "TRIM_HORIZON":
			it.pos = 0
		case "LATEST":
			it.pos = readState(sub(tx, bucketState), key).next
		case "AT_TIMESTAMP":
			it.pos = readState(sub(tx, bucketState), key).next
			if b := sub(tx, bucketShards).Bucket(key); b != nil {
				if c, found := firstArrivalAtOrAfter(b, 0, ts); found {
					it.pos = c
				}
			}
		default:
			seq := *in.StartingSequenceNumber
			n, err := parseSeq(seq)
			if err != nil {
				return invalidArgument("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", seq, id, m.Name, wire.Account)
			}
			if n.uid != m.UID {
				return invalidArgument("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", seq, id, m.Name, wire.Account)
			}
			if n.shard != sh.Index {
				return invalidArgument("Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardID(n.shard), id)
			}
			it.pos = n.counter
			if typ == "AFTER_SEQUENCE_NUMBER" && it.pos < ^uint64(0) {
				it.pos++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get shard iterator: %w", err)
	}
	return struct {
		ShardIterator string `json:"ShardIterator"`
	}{s.sealIterator(it)}, nil
}

// firstArrivalAtOrAfter finds the first record at or after counter from
// whose arrival is at or after t. Arrivals never decrease within a shard,
// so this is a binary search over the counters, never a scan.
func firstArrivalAtOrAfter(b *bolt.Bucket, from uint64, t int64) (uint64, bool) {
	c := b.Cursor()
	var kb [8]byte
	// atOrAfter(x) is whether the first record from counter x on arrived
	// at or after t; it is monotone in x.
	atOrAfter := func(x uint64) (uint64, bool, bool) {
		k, v := c.Seek(counterKey(&kb, x))
		if k == nil {
			return 0, false, false
		}
		return binary.BigEndian.Uint64(k), recordArrival(v) >= t, true
	}
	lo, ok, exists := atOrAfter(from)
	if !exists {
		return 0, false
	}
	if ok {
		return lo, true
	}
	k, v := c.Last()
	if k == nil || recordArrival(v) < t {
		return 0, false
	}
	hi := binary.BigEndian.Uint64(k)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if _, ok, _ := atOrAfter(mid); ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	first, _, _ := atOrAfter(hi)
	return first, true
}
