// Package store is the engine's durable state: one bbolt file in the data
// directory, with concurrent writers coalesced into shared commits so that
// throughput does not hinge on one fsync per request.
package store

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrLocked means another process holds the database file open.
var ErrLocked = errors.New("store is locked by another process")

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("store is closed")

// maxBatch bounds how many writers share one commit, so that one commit's
// latency stays bounded under load.
const maxBatch = 512

// Store is an open database.
type Store struct {
	db      *bolt.DB
	queue   chan *call
	stopped chan struct{}
	// refusal, when set, is what every Update returns at once.
	refusal atomic.Pointer[error]
}

// RefuseWrites makes every later Update fail at once with err, without
// touching the file: the engine serves reads from a disk that has no room
// for writes.
func (s *Store) RefuseWrites(err error) { s.refusal.Store(&err) }

// WriteRefusal is the error Update answers with, or nil while writes are
// accepted.
func (s *Store) WriteRefusal() error {
	if e := s.refusal.Load(); e != nil {
		return *e
	}
	return nil
}

type call struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// Open opens (creating if needed) the database at path. It fails at once
// with ErrLocked when another process has it open.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      200 * time.Millisecond,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, queue: make(chan *call, maxBatch), stopped: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// Update runs fn in a read-write transaction that may be shared with other
// writers, and returns once the transaction is durably committed. fn may be
// run more than once (when a writer sharing its transaction fails, the rest
// are run again), so it must have no effect outside tx: change in-memory
// state only after Update returns nil.
func (s *Store) Update(fn func(*bolt.Tx) error) (err error) {
	if err := s.WriteRefusal(); err != nil {
		return err
	}
	c := &call{fn: fn, done: make(chan error, 1)}
	defer func() {
		// A send on the closed queue means the store closed meanwhile.
		if recover() != nil {
			err = ErrClosed
		}
	}()
	s.queue <- c
	return <-c.done
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*bolt.Tx) error) error { return s.db.View(fn) }

// Close waits for queued writes to commit and closes the file. No Update
// may be running or started once Close is called.
func (s *Store) Close() error {
	close(s.queue)
	<-s.stopped
	return s.db.Close()
}

// Size is the database file's size in bytes.
func (s *Store) Size() int64 {
	var n int64
	_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

func (s *Store) commitLoop() {
	defer close(s.stopped)
	batch := make([]*call, 0, maxBatch)
	for c := range s.queue {
		batch = s.drain(append(batch[:0], c))
		// Yielding once lets writers that are a moment from their Update
		// (on two cores, often most of them) join this commit: hydrating
		// at 16 messages at once, it halves the commits, each with its
		// fsync.
		runtime.Gosched()
		s.commit(s.drain(batch))
	}
}

// drain adds to batch the calls already queued, up to maxBatch.
func (s *Store) drain(batch []*call) []*call {
	for len(batch) < maxBatch {
		select {
		case c, ok := <-s.queue:
			if !ok {
				return batch
			}
			batch = append(batch, c)
		default:
			return batch
		}
	}
	return batch
}

// commit runs the calls in one transaction. When one fails, its error is
// its answer and the transaction is run again without it.
func (s *Store) commit(calls []*call) {
	for len(calls) > 0 {
		failed := -1
		var failure error
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := runSafely(c.fn, tx); err != nil {
					failed, failure = i, err
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		calls[failed].done <- failure
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

func runSafely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn(tx)
}
