package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// queue is a queue's in-memory state; s.mu guards it.
type queue struct {
	rec     queueRecord
	arn     string
	idx     index
	nextSeq uint64
	// dedup holds the FIFO deduplication ids inside their window.
	dedup map[string]dedupRecord
	// wake is closed (and cleared) when messages may have become
	// available, waking long polls.
	wake    chan struct{}
	deleted bool
}

func regionKey(region, name string) string { return region + "\x00" + name }

func newQueue(rec queueRecord) *queue {
	q := &queue{rec: rec, arn: queueArn(rec.Region, rec.Name), idx: newIndex(rec.Config.FifoQueue), nextSeq: 1}
	if rec.Config.FifoQueue {
		q.dedup = make(map[string]dedupRecord)
	}
	return q
}

func (q *queue) fifo() bool { return q.rec.Config.FifoQueue }

// waitChan returns the channel the next signal closes.
func (q *queue) waitChan() <-chan struct{} {
	if q.wake == nil {
		q.wake = make(chan struct{})
	}
	return q.wake
}

// signal wakes the long polls waiting on q.
func (q *queue) signal() {
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

// lookupURLLocked finds the queue a QueueUrl names in the caller's region.
func (s *Service) lookupURLLocked(ctx context.Context, rawURL string) (*queue, error) {
	if rawURL == "" {
		return nil, errMissing("QueueUrl")
	}
	name, ok := queueNameFromURL(rawURL)
	if !ok {
		return nil, errInvalidAddress(rawURL)
	}
	account, _, _ := strings.Cut(strings.Trim(urlPath(rawURL), "/"), "/")
	q := s.queues[regionKey(wire.Region(ctx), name)]
	if q == nil || account != wire.Account {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// urlPath is a queue URL's path, or the string itself when it is a path.
func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		return u.Path
	}
	return raw
}

// lookupArnLocked finds the queue an ARN names.
func (s *Service) lookupArnLocked(arn string) *queue {
	region, name, ok := parseQueueArn(arn)
	if !ok {
		return nil
	}
	return s.queues[regionKey(region, name)]
}

// lockQueue takes s.mu, brings memory up to date and finds the queue; on
// success the caller holds s.mu.
func (s *Service) lockQueue(ctx context.Context, rawURL string) (*queue, error) {
	s.mu.Lock()
	if err := s.syncLocked(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	q, err := s.lookupURLLocked(ctx, rawURL)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return q, nil
}

// lock takes s.mu and brings memory up to date.
func (s *Service) lock() error {
	s.mu.Lock()
	if err := s.syncLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	return nil
}

// load builds memory from the store: queues, their message indexes and
// deduplication windows, and the move tasks.
func (s *Service) load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	return s.store.View(func(tx *bolt.Tx) error {
		s.tasks = make(map[string]*moveTask)
		return root(tx).Bucket(bucketTasks).ForEach(func(k, v []byte) error {
			var t moveTask
			if err := json.Unmarshal(v, &t.rec); err != nil {
				s.log.Warn("skipping unreadable move task", "key", string(k), "err", err)
				return nil
			}
			s.tasks[t.rec.ID] = &t
			return nil
		})
	})
}

// reloadLocked rebuilds the queues from the store.
func (s *Service) reloadLocked() error {
	queues := make(map[string]*queue)
	byID := make(map[uint64]*queue)
	var nextID uint64
	now := s.now()
	err := s.store.View(func(tx *bolt.Tx) error {
		r := root(tx)
		nextID = r.Sequence() + 1
		return r.Bucket(bucketQueues).ForEach(func(k, v []byte) error {
			var rec queueRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("queue record %x: %w", k, err)
			}
			q := newQueue(rec)
			if err := q.loadMessages(tx, now); err != nil {
				return fmt.Errorf("queue %s: %w", rec.Name, err)
			}
			queues[regionKey(rec.Region, rec.Name)] = q
			byID[rec.ID] = q
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, q := range s.byID {
		q.deleted = true
		q.signal()
	}
	s.queues, s.byID, s.nextQueueID = queues, byID, nextID
	return nil
}

func (q *queue) loadMessages(tx *bolt.Tx, now int64) error {
	qb := root(tx).Bucket(bucketQ).Bucket(idKey(q.rec.ID))
	if qb == nil {
		return nil
	}
	q.nextSeq = qb.Sequence() + 1
	err := qb.Bucket(bucketStates).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return nil
		}
		st, err := decodeState(v)
		if err != nil {
			return fmt.Errorf("message state %x: %w", k, err)
		}
		seq := seqFromKey(k)
		if seq >= q.nextSeq {
			q.nextSeq = seq + 1
		}
		q.idx.add(q.newEntry(seq, &st), now)
		return nil
	})
	if err != nil || !q.fifo() {
		return err
	}
	return qb.Bucket(bucketDedup).ForEach(func(k, v []byte) error {
		d, err := decodeDedup(v)
		if err != nil {
			return fmt.Errorf("dedup record: %w", err)
		}
		if d.Expires > now {
			q.dedup[string(k)] = d
		}
		return nil
	})
}

// newEntry builds an index entry from a state record.
func (q *queue) newEntry(seq uint64, st *msgState) *entry {
	e := &entry{seq: seq, visibleAt: st.VisibleAt, rc: st.ReceiveCount, firstRecv: st.FirstReceive,
		sentAt: st.SentAt, enqAt: st.EnqueuedAt, srcArn: st.SourceArn, hidx: -1, aidx: -1}
	if q.fifo() {
		e.group = &group{id: st.GroupID, hidx: -1}
	}
	return e
}

func seqFromKey(k []byte) uint64 {
	var seq uint64
	for _, c := range k {
		seq = seq<<8 | uint64(c)
	}
	return seq
}
