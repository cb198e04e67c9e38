package kinesis

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// pending is a record on its way into a shard.
type pending struct {
	hash    u128
	value   []byte // encoded record; its arrival is filled in at commit
	size    int    // data + partition key, as limits count it
	shard   *shardMeta
	counter uint64
	failed  bool // refused by the throughput limits
}

// write appends records to their shards in one store transaction and
// fills in their shard and counter. Records marked failed are skipped.
// Routing was done against m; if the stream changed meanwhile (a reshard),
// the transaction routes again against what it sees.
func (s *Service) write(ref streamRef, m *streamMeta, recs []pending) (*streamMeta, error) {
	type touched struct {
		sh     *shardMeta
		key    []byte
		bucket *bolt.Bucket
		state  shardState
		at     int64
	}
	var used *streamMeta
	err := s.store.Update(func(tx *bolt.Tx) error {
		cur, err := s.loadStream(tx, ref.region, ref.name, false)
		if err != nil {
			return err
		}
		if cur == nil || cur.UID != m.UID {
			return streamNotFound(ref.name)
		}
		if cur != m && !bytes.Equal(cur.raw, m.raw) {
			for i := range recs {
				recs[i].shard = cur.route(recs[i].hash)
			}
		}
		used = cur
		now := s.nowMs()
		shards, states := sub(tx, bucketShards), sub(tx, bucketState)
		var ts []touched
		var ck [8]byte
		for i := range recs {
			r := &recs[i]
			if r.failed {
				continue
			}
			if r.shard == nil {
				return fmt.Errorf("stream %s has no open shard for hash key %s", ref.name, r.hash)
			}
			j := 0
			for j < len(ts) && ts[j].sh != r.shard {
				j++
			}
			if j == len(ts) {
				key := shardKey(cur.UID, r.shard.Index)
				b, err := shards.CreateBucketIfNotExists(key)
				if err != nil {
					return fmt.Errorf("shard bucket: %w", err)
				}
				// Records only ever append, so full pages are best.
				b.FillPercent = 1.0
				st := readState(states, key)
				ts = append(ts, touched{sh: r.shard, key: key, bucket: b, state: st, at: max(now, st.lastArrival)})
			}
			t := &ts[j]
			binary.BigEndian.PutUint64(r.value, uint64(t.at))
			r.counter = t.state.next
			if err := t.bucket.Put(counterKey(&ck, r.counter), r.value); err != nil {
				return fmt.Errorf("put record: %w", err)
			}
			t.state.next++
		}
		for _, t := range ts {
			t.state.lastArrival = t.at
			if err := states.Put(t.key, t.state.encode()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("write to stream %s: %w", ref.name, err)
	}
	return used, nil
}
