package events

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Store layout, under the top-level bucket "events":
//
//	buses   region\x00name                 → busRecord (custom buses, and the
//	                                         default bus once it was updated)
//	rules   region\x00bus\x00name          → ruleRecord, targets included
//	conns   region\x00name                 → connectionRecord (secrets included)
//	dests   region\x00name                 → apiDestinationRecord
//	tags    ARN                            → map of tags
//	evts    seq(8)                         → eventRecord: an accepted event that
//	                                         still has deliveries pending
//	tasks   seq(8) index(2)                → taskRecord: one delivery of that
//	                                         event to one target
//	due     dueUnixNano(8) seq(8) index(2) → nothing: the tasks in the order
//	                                         they are due, for the deliverer
//	meta    "seq"                          → last event sequence number
//
// Configuration is small and kept in memory too; events and tasks stay on
// disk, so a backlog of undelivered events costs no memory.
var (
	bucketRoot  = []byte("events")
	bucketBuses = []byte("buses")
	bucketRules = []byte("rules")
	bucketConns = []byte("conns")
	bucketDests = []byte("dests")
	bucketTags  = []byte("tags")
	bucketEvts  = []byte("evts")
	bucketTasks = []byte("tasks")
	bucketDue   = []byte("due")
	bucketMeta  = []byte("meta")
	keySeq      = []byte("seq")
)

var allBuckets = [][]byte{bucketBuses, bucketRules, bucketConns, bucketDests, bucketTags, bucketEvts, bucketTasks, bucketDue, bucketMeta}

func createBuckets(tx *bolt.Tx) error {
	root, err := tx.CreateBucketIfNotExists(bucketRoot)
	if err != nil {
		return err
	}
	for _, name := range allBuckets {
		if _, err := root.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// bucket returns a nested bucket; createBuckets made them all.
func bucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	return tx.Bucket(bucketRoot).Bucket(name)
}

func regionKey(region, name string) []byte {
	return []byte(region + "\x00" + name)
}

func ruleKey(region, bus, name string) []byte {
	return []byte(region + "\x00" + bus + "\x00" + name)
}

// putJSON stores v under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, raw)
}

// getJSON loads key into v and reports whether it was there.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

// taskID names one delivery: the event's sequence number and the
// delivery's index among that event's.
type taskID struct {
	seq   uint64
	index uint16
}

func (id taskID) key() []byte {
	var b [10]byte
	binary.BigEndian.PutUint64(b[:], id.seq)
	binary.BigEndian.PutUint16(b[8:], id.index)
	return b[:]
}

func seqKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return b[:]
}

func parseTaskKey(k []byte) (taskID, bool) {
	if len(k) != 10 {
		return taskID{}, false
	}
	return taskID{seq: binary.BigEndian.Uint64(k), index: binary.BigEndian.Uint16(k[8:])}, true
}

func dueKey(due int64, id taskID) []byte {
	var b [18]byte
	binary.BigEndian.PutUint64(b[:], uint64(due))
	copy(b[8:], id.key())
	return b[:]
}

func parseDueKey(k []byte) (int64, taskID, bool) {
	if len(k) != 18 {
		return 0, taskID{}, false
	}
	id, ok := parseTaskKey(k[8:])
	return int64(binary.BigEndian.Uint64(k)), id, ok
}
