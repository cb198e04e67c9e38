package kinesis

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
)

const (
	// trimInterval is how often records past retention are removed. They
	// are invisible to reads at once; this only reclaims space.
	trimInterval = 30 * time.Second
	// trimBatch bounds the deletions of one transaction, so that trimming
	// never holds up writers sharing a commit for long.
	trimBatch = 2000
)

func (s *Service) trimLoop(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(trimInterval)
	defer t.Stop()
	for {
		if err := s.trimOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("kinesis: trim", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// kickTrimmer asks for a trim pass soon, e.g. after a stream is deleted.
func (s *Service) kickTrimmer() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// trimOnce removes deleted streams' records, records past retention, and
// closed shards whose records have all expired.
func (s *Service) trimOnce(ctx context.Context) error {
	var dead []uint64
	var live []streamRef
	err := s.store.View(func(tx *bolt.Tx) error {
		if err := sub(tx, bucketDead).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				dead = append(dead, binary.BigEndian.Uint64(k))
			}
			return nil
		}); err != nil {
			return err
		}
		return sub(tx, bucketStreams).ForEach(func(k, _ []byte) error {
			region, name, ok := bytes.Cut(k, []byte("/"))
			if ok {
				live = append(live, streamRef{region: string(region), name: string(name)})
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("trim: list streams: %w", err)
	}
	for _, uid := range dead {
		if err := s.purgeStream(ctx, uid); err != nil {
			return err
		}
	}
	for _, ref := range live {
		if err := s.trimStream(ctx, ref); err != nil {
			return err
		}
	}
	return nil
}

// purgeStream removes everything a deleted stream left behind.
func (s *Service) purgeStream(ctx context.Context, uid uint64) error {
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uid)
	for ctx.Err() == nil {
		done := false
		err := s.store.Update(func(tx *bolt.Tx) error {
			shards, states := sub(tx, bucketShards), sub(tx, bucketState)
			if k, _ := shards.Cursor().Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]) {
				return deleteShardBatch(shards, states, bytes.Clone(k))
			}
			var keys [][]byte
			c := states.Cursor()
			for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				if err := states.Delete(k); err != nil {
					return err
				}
			}
			done = true
			return sub(tx, bucketDead).Delete(prefix[:])
		})
		if err != nil {
			return fmt.Errorf("purge stream %d: %w", uid, err)
		}
		if done {
			return nil
		}
	}
	return ctx.Err()
}

// deleteShardBatch deletes a batch of a shard's records, and the shard's
// bucket and state once it is empty.
func deleteShardBatch(shards, states *bolt.Bucket, key []byte) error {
	b := shards.Bucket(key)
	if b == nil {
		return states.Delete(key)
	}
	n, err := deleteOldest(b, math.MaxInt64, trimBatch)
	if err != nil {
		return err
	}
	if n < trimBatch {
		if err := shards.DeleteBucket(key); err != nil {
			return err
		}
		return states.Delete(key)
	}
	return nil
}

// deleteOldest deletes up to n records from the start of b that arrived
// before cutoff, and reports how many it deleted.
func deleteOldest(b *bolt.Bucket, cutoff int64, n int) (int, error) {
	var keys [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(keys) < n; k, v = c.Next() {
		if recordArrival(v) >= cutoff {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// trimStream removes a live stream's records past retention, and drops
// closed shards that have outlived it.
func (s *Service) trimStream(ctx context.Context, ref streamRef) error {
	m, err := s.viewStream(ref)
	if isNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	now := s.nowMs()
	cutoff := m.cutoff(now)
	pruned := false
	for _, sh := range m.Shards {
		key := shardKey(m.UID, sh.Index)
		if m.expired(sh, now) {
			pruned = true
			for ctx.Err() == nil {
				gone := false
				err := s.store.Update(func(tx *bolt.Tx) error {
					shards, states := sub(tx, bucketShards), sub(tx, bucketState)
					if shards.Bucket(key) == nil {
						gone = true
						return states.Delete(key)
					}
					return deleteShardBatch(shards, states, key)
				})
				if err != nil {
					return fmt.Errorf("trim stream %s: %w", ref.name, err)
				}
				if gone {
					break
				}
			}
			continue
		}
		for ctx.Err() == nil {
			if !s.hasExpired(key, cutoff) {
				break
			}
			var n int
			err := s.store.Update(func(tx *bolt.Tx) error {
				b := sub(tx, bucketShards).Bucket(key)
				if b == nil {
					n = 0
					return nil
				}
				var err error
				n, err = deleteOldest(b, cutoff, trimBatch)
				return err
			})
			if err != nil {
				return fmt.Errorf("trim stream %s: %w", ref.name, err)
			}
			if n < trimBatch {
				break
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if pruned {
		return s.pruneShards(ref, m.UID)
	}
	return nil
}

// hasExpired reports whether a shard's oldest record is past retention.
func (s *Service) hasExpired(key []byte, cutoff int64) bool {
	expired := false
	_ = s.store.View(func(tx *bolt.Tx) error {
		if b := sub(tx, bucketShards).Bucket(key); b != nil {
			if k, v := b.Cursor().First(); k != nil {
				expired = recordArrival(v) < cutoff
			}
		}
		return nil
	})
	return expired
}

// pruneShards forgets closed shards past retention whose records are gone,
// so that a stream resharded again and again keeps small metadata.
func (s *Service) pruneShards(ref streamRef, uid uint64) error {
	_, err := s.updateStream(ref, func(tx *bolt.Tx, m *streamMeta) error {
		if m.UID != uid {
			return errStreamChanged
		}
		now := s.nowMs()
		kept := m.Shards[:0]
		for _, sh := range m.Shards {
			if m.expired(sh, now) && sub(tx, bucketShards).Bucket(shardKey(m.UID, sh.Index)) == nil {
				continue
			}
			kept = append(kept, sh)
		}
		m.Shards = kept
		return nil
	})
	if err == nil || errors.Is(err, errStreamChanged) || isNotFound(err) {
		return nil
	}
	return fmt.Errorf("prune shards of %s: %w", ref.name, err)
}

var errStreamChanged = errors.New("stream was deleted and created again")

func isNotFound(err error) bool {
	var e *awserr.Error
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException"
}
