package metrics

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// pointAt is one aggregate's place in a series: its second and unit.
type pointAt struct {
	sec  int64
	unit Unit
}

// batch holds aggregates by series key, then by second and unit.
type batch map[string]map[pointAt]Agg

func (b batch) add(key string, at pointAt, a Agg) {
	pts := b[key]
	if pts == nil {
		pts = make(map[pointAt]Agg)
		b[key] = pts
	}
	cur := pts[at]
	cur.Merge(a)
	pts[at] = cur
}

func cmpPoint(a, b pointAt) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.unit, b.unit)
}

// writeBatch merges b into the store at time now (unix seconds): every
// aggregate into its 1-minute rollup, and those still inside the
// high-resolution window into their 1-second datapoint too. It reads all
// it needs from tx, so that it can be run again on a retried commit.
func writeBatch(tx *bolt.Tx, b batch, now int64) error {
	bk, err := open(tx)
	if err != nil {
		return err
	}
	highFloor := now - int64(HighResWindow.Seconds())
	for _, sk := range slices.Sorted(maps.Keys(b)) {
		id, err := ensureSeries(bk.series, sk, now)
		if err != nil {
			return fmt.Errorf("series: %w", err)
		}
		pts := b[sk]
		minutes := make(map[pointAt]Agg, len(pts)/60+1)
		for _, at := range slices.SortedFunc(maps.Keys(pts), cmpPoint) {
			if at.sec < 0 {
				continue
			}
			a := pts[at]
			if at.sec >= highFloor {
				if err := mergePoint(bk.high, pointKeyOf(id, at.sec, at.unit), a); err != nil {
					return err
				}
			}
			m := pointAt{sec: at.sec - at.sec%60, unit: at.unit}
			cur := minutes[m]
			cur.Merge(a)
			minutes[m] = cur
		}
		for _, m := range slices.SortedFunc(maps.Keys(minutes), cmpPoint) {
			if err := mergePoint(bk.minute, pointKeyOf(id, m.sec, m.unit), minutes[m]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensureSeries returns the series' id, creating the series when it is new
// and refreshing its last-active time.
func ensureSeries(series *bolt.Bucket, key string, now int64) (uint64, error) {
	if v := series.Get([]byte(key)); v != nil {
		sv, ok := decodeSeriesValue(v)
		if !ok {
			return 0, fmt.Errorf("damaged series record %x", key)
		}
		if now-sv.lastActive >= activeGranularity {
			sv.lastActive = now
			if err := series.Put([]byte(key), sv.encode()); err != nil {
				return 0, err
			}
		}
		return sv.id, nil
	}
	id, err := series.NextSequence()
	if err != nil {
		return 0, err
	}
	return id, series.Put([]byte(key), seriesValue{id: id, lastActive: now}.encode())
}

func mergePoint(b *bolt.Bucket, key []byte, a Agg) error {
	if v := b.Get(key); v != nil {
		if old, ok := decodeAgg(v); ok {
			old.Merge(a)
			a = old
		}
	}
	return b.Put(key, a.appendTo(make([]byte, 0, aggLen)))
}
