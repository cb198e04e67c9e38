package metrics

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
)

// Options configure a Store.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// FlushInterval is how often aggregated observations are written;
	// 1 s when zero.
	FlushInterval time.Duration
	// TrimInterval is how often expired datapoints are deleted; 1 min
	// when zero.
	TrimInterval time.Duration
}

// maxPending bounds the aggregates waiting for a flush. Observations
// beyond it are dropped (and counted) rather than letting memory grow when
// the store cannot keep up or has failed.
const maxPending = 1 << 18

// Store is the engine's datapoint store, and the Recorder services report
// to. Observations are aggregated per series, second and unit in memory
// and written every second in one transaction, so that recording costs a
// map update under a mutex. Memory holds only those pending aggregates:
// series and datapoints live in the store.
type Store struct {
	st   *store.Store
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	pending batch
	npoints int
	dropped int64

	// flushMu serializes flushes, so that a flush forced by a reader and
	// the periodic one never write the same aggregates twice.
	flushMu sync.Mutex
	keyBufs sync.Pool

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// trimFrom is where an interrupted trim pass resumes; used only by the
	// background loop.
	trimFrom []byte
}

// Open opens the metrics store in st and starts its background flush and
// trim loop.
func Open(st *store.Store, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = time.Second
	}
	if opts.TrimInterval <= 0 {
		opts.TrimInterval = time.Minute
	}
	if err := st.Update(createBuckets); err != nil {
		return nil, fmt.Errorf("metrics: create buckets: %w", err)
	}
	s := &Store{
		st: st, opts: opts, log: opts.Logger,
		pending: batch{},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.keyBufs.New = func() any { b := make([]byte, 0, 128); return &b }
	go s.loop()
	return s, nil
}

// Add records one observation (Recorder). It never blocks on I/O.
func (s *Store) Add(region, namespace, name string, dims []Dimension, unit string, value float64, at time.Time) {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return
	}
	at0 := pointAt{sec: at.Unix(), unit: unitOf(unit)}
	bp := s.keyBufs.Get().(*[]byte)
	key := appendSeriesKey((*bp)[:0], region, namespace, name, SortDims(dims))

	s.mu.Lock()
	// Indexing with string(key) does not allocate; only a new series'
	// key is copied into the map.
	pts := s.pending[string(key)]
	if pts == nil {
		if s.npoints >= maxPending {
			s.dropped++
			s.mu.Unlock()
			*bp = key
			s.keyBufs.Put(bp)
			return
		}
		pts = make(map[pointAt]Agg, 2)
		s.pending[string(key)] = pts
	}
	a, ok := pts[at0]
	if !ok {
		if s.npoints >= maxPending {
			s.dropped++
			s.mu.Unlock()
			*bp = key
			s.keyBufs.Put(bp)
			return
		}
		s.npoints++
	}
	a.Observe(value)
	pts[at0] = a
	s.mu.Unlock()

	*bp = key
	s.keyBufs.Put(bp)
}

// Point is one aggregate written by Put.
type Point struct {
	Series Series
	Unit   Unit
	// At is the datapoint's time; it is kept to the second.
	At  time.Time
	Agg Agg
}

// Put writes points durably before it returns (PutMetricData).
func (s *Store) Put(points []Point) error {
	b := batch{}
	for _, p := range points {
		if p.Agg.Count == 0 {
			continue
		}
		u := p.Unit
		if u == 0 {
			u = UnitNone
		}
		b.add(string(p.Series.Key()), pointAt{sec: p.At.Unix(), unit: u}, p.Agg)
	}
	if len(b) == 0 {
		return nil
	}
	now := s.opts.Now().Unix()
	if err := s.st.Update(func(tx *bolt.Tx) error { return writeBatch(tx, b, now) }); err != nil {
		return fmt.Errorf("put metric data: %w", err)
	}
	return nil
}

// Flush writes the pending aggregates. Readers call it first, so that they
// see every observation recorded before they started.
func (s *Store) Flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	p, n, dropped := s.pending, s.npoints, s.dropped
	if len(p) == 0 {
		s.mu.Unlock()
		return nil
	}
	s.pending, s.npoints, s.dropped = batch{}, 0, 0
	s.mu.Unlock()
	if dropped > 0 {
		s.log.Warn("metrics: observations dropped while the store lagged", "count", dropped)
	}
	now := s.opts.Now().Unix()
	err := s.st.Update(func(tx *bolt.Tx) error { return writeBatch(tx, p, now) })
	if err != nil {
		s.restore(p, n)
		return fmt.Errorf("flush metrics: %w", err)
	}
	return nil
}

// restore puts back aggregates a failed flush could not write, ahead of
// what was recorded meanwhile, within the pending bound.
func (s *Store) restore(p batch, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.npoints+n > maxPending {
		s.dropped += int64(n)
		return
	}
	for key, pts := range p {
		for at, a := range pts {
			cur := s.pending[key]
			if cur == nil {
				cur = make(map[pointAt]Agg, len(pts))
				s.pending[key] = cur
			}
			old, ok := cur[at]
			if !ok {
				s.npoints++
			}
			old.Merge(a)
			cur[at] = old
		}
	}
}

// View flushes pending observations and runs fn on a consistent snapshot.
func (s *Store) View(fn func(r *Reader) error) error {
	if err := s.Flush(); err != nil {
		return err
	}
	now := s.opts.Now().Unix()
	return s.st.View(func(tx *bolt.Tx) error {
		bk, err := open(tx)
		if err != nil {
			return err
		}
		return fn(&Reader{b: bk, now: now})
	})
}

// Close stops the background loop and writes what is pending. It is safe
// to call more than once.
func (s *Store) Close() {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		if err := s.Flush(); err != nil {
			s.log.Error("metrics: final flush", "err", err)
		}
	})
}

func (s *Store) loop() {
	defer close(s.done)
	flush := time.NewTicker(s.opts.FlushInterval)
	defer flush.Stop()
	// The first trim comes soon after opening, for data that expired while
	// the engine was down.
	trim := time.NewTimer(min(s.opts.TrimInterval, 5*time.Second))
	defer trim.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-flush.C:
			if err := s.Flush(); err != nil {
				s.log.Error("metrics: flush", "err", err)
			}
		case <-trim.C:
			if err := s.trim(s.opts.Now().Unix()); err != nil {
				s.log.Error("metrics: trim", "err", err)
			}
			trim.Reset(s.opts.TrimInterval)
		}
	}
}
