package sqs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Store layout, under the top-level bucket "sqs":
//
//	queues/<id>        queue record (JSON)
//	q/<id>/            one bucket per queue; its sequence is the floor for
//	                   new message sequences, so that receipt handles of
//	                   deleted messages never match a new one
//	q/<id>/m/<seq>     message content (codec.go)
//	q/<id>/s/<seq>     message state (codec.go)
//	q/<id>/d/<key>     FIFO deduplication record
//	tasks/<task id>    message move task (JSON)
//
// The sqs bucket's own sequence is the last queue id handed out. Ids are
// never reused, so a queue deleted and created again is a new queue.
var (
	bucketRoot   = []byte("sqs")
	bucketQueues = []byte("queues")
	bucketQ      = []byte("q")
	bucketTasks  = []byte("tasks")
	bucketMsgs   = []byte("m")
	bucketStates = []byte("s")
	bucketDedup  = []byte("d")
)

// queueRecord is a queue's durable metadata.
type queueRecord struct {
	ID        uint64            `json:"id"`
	Region    string            `json:"region"`
	Name      string            `json:"name"`
	Config    queueConfig       `json:"config"`
	Tags      map[string]string `json:"tags,omitempty"`
	Created   int64             `json:"created"`
	Modified  int64             `json:"modified"`
	LastPurge int64             `json:"lastPurge,omitempty"`
}

func idKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

func createBuckets(tx *bolt.Tx) error {
	root, err := tx.CreateBucketIfNotExists(bucketRoot)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketQueues, bucketQ, bucketTasks} {
		if _, err := root.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func root(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketRoot) }

// queueBuckets returns a queue's message, state and dedup buckets; ok is
// false when the queue is gone from the store.
func queueBuckets(tx *bolt.Tx, id uint64) (m, st, d *bolt.Bucket, ok bool) {
	qb := root(tx).Bucket(bucketQ).Bucket(idKey(id))
	if qb == nil {
		return nil, nil, nil, false
	}
	return qb.Bucket(bucketMsgs), qb.Bucket(bucketStates), qb.Bucket(bucketDedup), true
}

func putQueueRecord(tx *bolt.Tx, rec *queueRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	r := root(tx)
	if r.Sequence() < rec.ID {
		if err := r.SetSequence(rec.ID); err != nil {
			return err
		}
	}
	if err := r.Bucket(bucketQueues).Put(idKey(rec.ID), b); err != nil {
		return fmt.Errorf("put queue %s: %w", rec.Name, err)
	}
	return nil
}

func createQueueBuckets(tx *bolt.Tx, id uint64) error {
	qb, err := root(tx).Bucket(bucketQ).CreateBucketIfNotExists(idKey(id))
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketMsgs, bucketStates, bucketDedup} {
		if _, err := qb.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func deleteQueueStore(tx *bolt.Tx, id uint64) error {
	r := root(tx)
	if err := r.Bucket(bucketQueues).Delete(idKey(id)); err != nil {
		return err
	}
	if r.Bucket(bucketQ).Bucket(idKey(id)) != nil {
		return r.Bucket(bucketQ).DeleteBucket(idKey(id))
	}
	return nil
}

// purgeQueueStore drops every message of a queue, keeping its sequence
// floor and deduplication history.
func purgeQueueStore(tx *bolt.Tx, id uint64) error {
	qb := root(tx).Bucket(bucketQ).Bucket(idKey(id))
	if qb == nil {
		return nil
	}
	for _, name := range [][]byte{bucketMsgs, bucketStates} {
		if err := qb.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := qb.CreateBucket(name); err != nil {
			return err
		}
	}
	return nil
}

// putMessage writes a message's content and state under seq.
func putMessage(tx *bolt.Tx, qid, seq uint64, content []byte, st *msgState) error {
	qb := root(tx).Bucket(bucketQ).Bucket(idKey(qid))
	if qb == nil {
		return nil
	}
	if qb.Sequence() < seq {
		if err := qb.SetSequence(seq); err != nil {
			return err
		}
	}
	k := seqKey(seq)
	if err := qb.Bucket(bucketMsgs).Put(k, content); err != nil {
		return fmt.Errorf("put message: %w", err)
	}
	if err := qb.Bucket(bucketStates).Put(k, encodeState(st)); err != nil {
		return fmt.Errorf("put message state: %w", err)
	}
	return nil
}

func putState(tx *bolt.Tx, qid, seq uint64, st *msgState) error {
	_, sb, _, ok := queueBuckets(tx, qid)
	if !ok {
		return nil
	}
	k := seqKey(seq)
	// A state write never brings back a message that is gone.
	if sb.Get(k) == nil {
		return nil
	}
	return sb.Put(k, encodeState(st))
}

func deleteMessage(tx *bolt.Tx, qid, seq uint64) error {
	mb, sb, _, ok := queueBuckets(tx, qid)
	if !ok {
		return nil
	}
	k := seqKey(seq)
	if err := mb.Delete(k); err != nil {
		return err
	}
	return sb.Delete(k)
}

// getMessage reads a message's content, or nil when it is gone.
func getMessage(tx *bolt.Tx, qid, seq uint64) (*message, error) {
	mb, _, _, ok := queueBuckets(tx, qid)
	if !ok {
		return nil, nil
	}
	v := mb.Get(seqKey(seq))
	if v == nil {
		return nil, nil
	}
	m, err := decodeMessage(v)
	if err != nil {
		return nil, fmt.Errorf("message %d of queue %d: %w", seq, qid, err)
	}
	return m, nil
}
