package sqs

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

const (
	// commitQueue bounds the writes waiting for the pipeline; a full queue
	// holds new decisions back (backpressure).
	commitQueue = 4096
	// commitBatch bounds the writes sharing one store transaction.
	commitBatch = 1024
)

// errAfterFailure answers the writes queued behind a failed commit: they
// were decided on memory the failed write had already changed.
var errAfterFailure = errors.New("sqs: an earlier write failed; state is being reloaded")

// commit is one decision's store write, waiting for its turn. A barrier
// writes nothing; it marks the point from which decisions were made on
// memory rebuilt from the store.
type commit struct {
	fn      func(tx *bolt.Tx) error
	barrier bool
	done    chan error
}

// submitLocked queues fn behind every write submitted before it. s.mu must
// be held: the queue order is the order of the in-memory decisions. The
// returned channel yields the commit's result; wait on it without s.mu.
func (s *Service) submitLocked(fn func(tx *bolt.Tx) error) <-chan error {
	c := &commit{fn: fn, done: make(chan error, 1)}
	s.commits <- c
	return c.done
}

// commitLoop writes queued decisions in order, as many per store
// transaction as have queued up while the previous one was committing.
// After a failed commit it fails every write up to the next barrier, so
// that nothing decided on top of the lost write is acknowledged.
func (s *Service) commitLoop() {
	defer s.committer.Done()
	failing := false
	batch := make([]*commit, 0, commitBatch)
	for c := range s.commits {
		if failing {
			if c.barrier {
				failing = false
				c.done <- nil
				continue
			}
			c.done <- errAfterFailure
			continue
		}
		batch = append(batch[:0], c)
	drain:
		for len(batch) < commitBatch {
			select {
			case c, ok := <-s.commits:
				if !ok {
					break drain
				}
				batch = append(batch, c)
			default:
				break drain
			}
		}
		err := s.store.Update(func(tx *bolt.Tx) error {
			for _, c := range batch {
				if c.fn == nil {
					continue
				}
				if err := c.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			err = fmt.Errorf("sqs commit: %w", err)
			s.log.Error("commit failed; in-memory state will be rebuilt from the store", "err", err)
			s.stale.Store(true)
			failing = true
		}
		for _, c := range batch {
			c.done <- err
		}
	}
}

// syncLocked rebuilds memory from the store after a failed commit, once
// every write queued before has been answered. s.mu must be held.
func (s *Service) syncLocked() error {
	if !s.stale.Load() {
		return nil
	}
	// The barrier succeeds once every write before it has been answered; it
	// fails when it shared a failed commit, and then the next one succeeds.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		c := &commit{barrier: true, done: make(chan error, 1)}
		s.commits <- c
		if err = <-c.done; err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("sqs: store unavailable: %w", err)
	}
	if err := s.reloadLocked(); err != nil {
		return fmt.Errorf("reload sqs state: %w", err)
	}
	s.stale.Store(false)
	return nil
}
