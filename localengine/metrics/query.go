package metrics

import (
	"bytes"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Reader reads datapoints and series in one read transaction.
type Reader struct {
	b   buckets
	now int64
}

// Bucket is the aggregate of one period of a query.
type Bucket struct {
	// Start is the period's start, unix seconds.
	Start int64
	Agg   Agg
	Units UnitSet
	// Parts are the stored datapoints that make up the period, kept only
	// when the query asks (for percentiles).
	Parts []Agg
}

// BucketQuery asks for a series' datapoints in periods.
type BucketQuery struct {
	Series Series
	// Unit keeps only datapoints of this unit; 0 keeps all.
	Unit Unit
	// Periods start at Start and every Period seconds after; datapoints
	// from Start (inclusive) to End (exclusive) are read.
	Start, End, Period int64
	// Desc reads from the newest period to the oldest.
	Desc bool
	// Parts keeps each period's datapoints (Bucket.Parts).
	Parts bool
}

// Buckets calls fn for each period of q that holds data, in order, until
// fn returns false. Periods without data are skipped, as CloudWatch does.
//
// Periods that are multiples of a minute read the 1-minute rollups, which
// go back furthest; shorter periods read the 1-second datapoints of the
// high-resolution window. A query that keeps Parts (percentiles) reads the
// 1-second datapoints wherever they still exist, since a percentile over
// per-minute aggregates would be little better than their average.
func (r *Reader) Buckets(q BucketQuery, fn func(b *Bucket) bool) {
	if q.Period <= 0 || q.End <= q.Start {
		return
	}
	v := r.b.series.Get(q.Series.Key())
	if v == nil {
		return
	}
	sv, ok := decodeSeriesValue(v)
	if !ok {
		return
	}
	// Data older than its tier's retention is gone even before the trimmer
	// has deleted it, so that answers never depend on the trimmer's pace.
	highFloor := r.now - int64(HighResWindow/time.Second)
	minuteFloor := r.now - int64(MinuteRetention/time.Second)
	sc := &scan{q: &q, id: sv.id, fn: fn}
	switch {
	case q.Period%60 != 0:
		sc.run(r.b.high, max(q.Start, highFloor), q.End)
	case q.Parts:
		// The first period wholly inside the high-resolution window.
		split := q.Start
		if highFloor > q.Start {
			split = q.Start + (highFloor-q.Start+q.Period-1)/q.Period*q.Period
		}
		split = min(split, q.End)
		if q.Desc {
			_ = sc.run(r.b.high, split, q.End) && sc.run(r.b.minute, max(q.Start, minuteFloor), split)
		} else {
			_ = sc.run(r.b.minute, max(q.Start, minuteFloor), split) && sc.run(r.b.high, split, q.End)
		}
	default:
		sc.run(r.b.minute, max(q.Start, minuteFloor), q.End)
	}
	sc.emit()
}

// scan groups the datapoints of one series into periods across one or
// more key ranges read in the query's order.
type scan struct {
	q    *BucketQuery
	id   uint64
	fn   func(b *Bucket) bool
	cur  *Bucket
	done bool
}

func (sc *scan) emit() bool {
	if sc.cur == nil || sc.done {
		return !sc.done
	}
	b := sc.cur
	sc.cur = nil
	if !sc.fn(b) {
		sc.done = true
	}
	return !sc.done
}

// run reads the datapoints from from (inclusive) to to (exclusive) of
// tier; it reports false once fn has asked to stop.
func (sc *scan) run(tier *bolt.Bucket, from, to int64) bool {
	if sc.done {
		return false
	}
	if from >= to {
		return true
	}
	q := sc.q
	lo := pointKeyOf(sc.id, from, 0)
	hi := pointKeyOf(sc.id, to, 0)
	visit := func(k, val []byte) bool {
		sec, unit, ok := parsePointKey(k, sc.id)
		if !ok || sec < from || sec >= to {
			return true
		}
		if q.Unit != 0 && unit != q.Unit {
			return true
		}
		a, ok := decodeAgg(val)
		if !ok || a.Count == 0 {
			return true
		}
		start := q.Start + (sec-q.Start)/q.Period*q.Period
		if sc.cur != nil && sc.cur.Start != start && !sc.emit() {
			return false
		}
		if sc.cur == nil {
			sc.cur = &Bucket{Start: start}
		}
		sc.cur.Agg.Merge(a)
		sc.cur.Units.add(unit)
		if q.Parts {
			sc.cur.Parts = append(sc.cur.Parts, a)
		}
		return true
	}
	c := tier.Cursor()
	if !q.Desc {
		for k, val := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, val = c.Next() {
			if !visit(k, val) {
				return false
			}
		}
		return true
	}
	k, val := c.Seek(hi)
	if k == nil {
		k, val = c.Last()
	} else {
		k, val = c.Prev()
	}
	for ; k != nil && bytes.Compare(k, lo) >= 0; k, val = c.Prev() {
		if !visit(k, val) {
			return false
		}
	}
	return true
}

// Now is the reader's clock, unix seconds.
func (r *Reader) Now() int64 { return r.now }
