package metrics

import (
	"encoding/binary"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The store's layout, under the top-level bucket "cloudwatch":
//
//	series/<series key>                   -> id (8) | last active, unix s (8)
//	s1/<id (8)><unix s (8)><unit (1)>      -> Agg: 1-second datapoints
//	m1/<id (8)><minute start (8)><unit (1)> -> Agg: 1-minute rollups
//
// Datapoints are keyed by series id first, so that a query reads one
// contiguous range per series; the unit is part of the key because
// CloudWatch keeps datapoints of different units apart (a query can ask
// for one unit).
var (
	bucketRoot   = []byte("cloudwatch")
	bucketSeries = []byte("series")
	bucketHigh   = []byte("s1")
	bucketMinute = []byte("m1")
)

// Retention of each resolution, as on AWS.
const (
	// HighResWindow is how long 1-second datapoints are kept.
	HighResWindow = 3 * time.Hour
	// MinuteRetention is how long 1-minute rollups are kept.
	MinuteRetention = 15 * 24 * time.Hour
	// listWindow: ListMetrics omits metrics without data for two weeks.
	listWindow = 14 * 24 * time.Hour
	// activeGranularity bounds how often a series' last-active time is
	// rewritten: at most once a minute, not on every flush.
	activeGranularity = 60
)

var errNoBuckets = errors.New("metrics: store buckets are missing")

const (
	seriesValueLen = 16
	pointKeyLen    = 17
)

func createBuckets(tx *bolt.Tx) error {
	root, err := tx.CreateBucketIfNotExists(bucketRoot)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketSeries, bucketHigh, bucketMinute} {
		if _, err := root.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

type buckets struct {
	series, high, minute *bolt.Bucket
}

func open(tx *bolt.Tx) (buckets, error) {
	root := tx.Bucket(bucketRoot)
	if root == nil {
		return buckets{}, errNoBuckets
	}
	b := buckets{series: root.Bucket(bucketSeries), high: root.Bucket(bucketHigh), minute: root.Bucket(bucketMinute)}
	if b.series == nil || b.high == nil || b.minute == nil {
		return buckets{}, errNoBuckets
	}
	return b, nil
}

func pointKeyOf(id uint64, sec int64, unit Unit) []byte {
	k := make([]byte, pointKeyLen)
	binary.BigEndian.PutUint64(k, id)
	binary.BigEndian.PutUint64(k[8:], uint64(sec))
	k[16] = byte(unit)
	return k
}

// parsePointKey splits a datapoint key; ok is false for a key of another
// series or a damaged one.
func parsePointKey(k []byte, id uint64) (sec int64, unit Unit, ok bool) {
	if len(k) != pointKeyLen || binary.BigEndian.Uint64(k) != id {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(k[8:])), Unit(k[16]), true
}

type seriesValue struct {
	id         uint64
	lastActive int64
}

func decodeSeriesValue(v []byte) (seriesValue, bool) {
	if len(v) != seriesValueLen {
		return seriesValue{}, false
	}
	return seriesValue{id: binary.BigEndian.Uint64(v), lastActive: int64(binary.BigEndian.Uint64(v[8:]))}, true
}

func (sv seriesValue) encode() []byte {
	b := make([]byte, seriesValueLen)
	binary.BigEndian.PutUint64(b, sv.id)
	binary.BigEndian.PutUint64(b[8:], uint64(sv.lastActive))
	return b
}
