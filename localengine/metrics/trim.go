package metrics

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxTrimPerTx bounds the deletions of one trim transaction, so that
// trimming a large backlog never holds the store's writers up for long.
const maxTrimPerTx = 10000

// trim deletes datapoints past their tier's retention, and series with no
// data left that have been inactive for the whole rollup retention, in
// bounded transactions until done or the store closes.
func (s *Store) trim(now int64) error {
	for {
		select {
		case <-s.stop:
			return nil
		default:
		}
		next, err := s.trimStep(now, s.trimFrom)
		if err != nil {
			return err
		}
		s.trimFrom = next
		if next == nil {
			return nil
		}
	}
}

// trimStep runs one bounded trim transaction from series key from (the
// first when nil) and returns the key to resume at, nil when the pass is
// complete.
func (s *Store) trimStep(now int64, from []byte) ([]byte, error) {
	var next []byte
	err := s.st.Update(func(tx *bolt.Tx) error {
		next = nil
		bk, err := open(tx)
		if err != nil {
			return err
		}
		highFloor := now - int64(HighResWindow/time.Second)
		minuteFloor := now - int64(MinuteRetention/time.Second)
		budget := maxTrimPerTx
		var dead [][]byte
		c := bk.series.Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for ; k != nil; k, v = c.Next() {
			sv, ok := decodeSeriesValue(v)
			if !ok {
				continue
			}
			n, err := deleteBefore(bk.high, sv.id, highFloor, budget)
			if err != nil {
				return err
			}
			budget -= n
			if budget > 0 {
				if n, err = deleteBefore(bk.minute, sv.id, minuteFloor, budget); err != nil {
					return err
				}
				budget -= n
			}
			if budget <= 0 {
				next = bytes.Clone(k)
				break
			}
			if sv.lastActive < minuteFloor && !hasPoints(bk.high, sv.id) && !hasPoints(bk.minute, sv.id) {
				dead = append(dead, bytes.Clone(k))
			}
		}
		for _, k := range dead {
			if err := bk.series.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("trim metrics: %w", err)
	}
	return next, nil
}

// deleteBefore deletes up to limit datapoints of series id older than
// floor and returns how many it deleted.
func deleteBefore(b *bolt.Bucket, id uint64, floor int64, limit int) (int, error) {
	if floor <= 0 {
		return 0, nil
	}
	hi := pointKeyOf(id, floor, 0)
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], id)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix[:]); k != nil && len(keys) < limit && bytes.Compare(k, hi) < 0; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	// Deleting under a moving cursor skips keys in bbolt; delete after.
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func hasPoints(b *bolt.Bucket, id uint64) bool {
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], id)
	k, _ := b.Cursor().Seek(prefix[:])
	return k != nil && bytes.HasPrefix(k, prefix[:])
}
