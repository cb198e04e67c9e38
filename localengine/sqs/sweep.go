package sqs

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	sweepInterval = time.Second
	// maxExpirePerCall bounds the work one call does under the lock; the
	// sweeper takes the rest on its next rounds.
	maxExpirePerCall = 10000
	dedupSweepEvery  = 10 // sweeps
)

// expireLocked removes the messages past their queue's retention period
// from the index. With submit, it also queues their deletion (nobody waits
// for it: expiry needs no acknowledgement); otherwise it returns their
// sequences for the caller's own write.
func (s *Service) expireLocked(q *queue, now int64, submit bool) []uint64 {
	retention := q.rec.Config.MessageRetentionPeriod * 1000
	var seqs []uint64
	for len(seqs) < maxExpirePerCall {
		e := q.idx.oldest()
		if e == nil || e.enqAt+retention > now {
			break
		}
		q.idx.remove(e, now)
		seqs = append(seqs, e.seq)
	}
	if !submit || len(seqs) == 0 {
		return seqs
	}
	w := &messageWrites{qid: q.rec.ID, deletes: seqs}
	s.submitLocked(w.apply)
	return nil
}

// sweepDedupLocked forgets FIFO deduplication ids whose window has passed.
func (s *Service) sweepDedupLocked(q *queue, now int64) {
	var keys []string
	for k, d := range q.dedup {
		if d.Expires <= now {
			keys = append(keys, k)
			delete(q.dedup, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	qid := q.rec.ID
	s.submitLocked(func(tx *bolt.Tx) error {
		_, _, db, ok := queueBuckets(tx, qid)
		if !ok {
			return nil
		}
		for _, k := range keys {
			if err := db.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

// sweepLoop deletes expired messages and deduplication ids in the
// background, so that they vanish from idle queues too.
func (s *Service) sweepLoop() {
	defer s.workers.Done()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for round := 1; ; round++ {
		select {
		case <-s.stopping:
			return
		case <-t.C:
		}
		if s.lock() != nil {
			continue
		}
		now := s.now()
		for _, q := range s.byID {
			s.expireLocked(q, now, true)
			if q.fifo() && round%dedupSweepEvery == 0 {
				s.sweepDedupLocked(q, now)
			}
		}
		var gauges []queueGauge
		if round%gaugeEvery == 0 {
			gauges = s.gaugesLocked(now)
		}
		s.mu.Unlock()
		s.emitGauges(gauges)
	}
}
