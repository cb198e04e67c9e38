package metrics

import (
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func openTest(t *testing.T, dir string, c *clock) (*store.Store, *Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Long intervals: the tests flush and trim explicitly.
	ms, err := Open(st, Options{Now: c.Now, FlushInterval: time.Hour, TrimInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return st, ms
}

func closeTest(t *testing.T, st *store.Store, ms *Store) {
	t.Helper()
	ms.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func readBuckets(t *testing.T, ms *Store, q BucketQuery) []Bucket {
	t.Helper()
	var out []Bucket
	err := ms.View(func(r *Reader) error {
		r.Buckets(q, func(b *Bucket) bool {
			out = append(out, *b)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAddAggregatesPerSecondAndFlushes(t *testing.T) {
	c := &clock{t: t0.Add(10 * time.Second)}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	dims := []Dimension{{"StreamName", "orders"}}
	for i, v := range []float64{1, 5, 3} {
		ms.Add("us-east-1", "AWS/Kinesis", "IncomingRecords", dims, "Count", v, t0.Add(time.Duration(i)*300*time.Millisecond))
	}
	ms.Add("us-east-1", "AWS/Kinesis", "IncomingRecords", dims, "Count", 10, t0.Add(2*time.Second))
	ms.Add("us-east-1", "AWS/Kinesis", "IncomingRecords", dims, "Count", math.NaN(), t0) // ignored
	s := Series{Region: "us-east-1", Namespace: "AWS/Kinesis", Name: "IncomingRecords", Dims: dims}
	got := readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix(), End: t0.Unix() + 10, Period: 1})
	if len(got) != 2 {
		t.Fatalf("buckets = %+v, want 2", got)
	}
	if a := got[0].Agg; a != (Agg{Count: 3, Sum: 9, Min: 1, Max: 5}) || got[0].Start != t0.Unix() {
		t.Errorf("first second = %+v", got[0])
	}
	if a := got[1].Agg; a != (Agg{Count: 1, Sum: 10, Min: 10, Max: 10}) {
		t.Errorf("second bucket = %+v", got[1])
	}
	if u, ok := got[0].Units.Single(); !ok || u.String() != "Count" {
		t.Errorf("unit = %v %v", u, ok)
	}
	// The minute rollup holds both seconds.
	got = readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix(), End: t0.Unix() + 60, Period: 60})
	if len(got) != 1 || got[0].Agg != (Agg{Count: 4, Sum: 19, Min: 1, Max: 10}) {
		t.Errorf("minute = %+v", got)
	}
	// Descending, and stopping early.
	var starts []int64
	_ = ms.View(func(r *Reader) error {
		r.Buckets(BucketQuery{Series: s, Start: t0.Unix(), End: t0.Unix() + 10, Period: 1, Desc: true}, func(b *Bucket) bool {
			starts = append(starts, b.Start)
			return false
		})
		return nil
	})
	if len(starts) != 1 || starts[0] != t0.Unix()+2 {
		t.Errorf("descending first = %v", starts)
	}
}

func TestDimensionOrderDoesNotMatter(t *testing.T) {
	c := &clock{t: t0}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	ms.Add("r", "N", "M", []Dimension{{"b", "2"}, {"a", "1"}}, "None", 1, t0)
	ms.Add("r", "N", "M", []Dimension{{"a", "1"}, {"b", "2"}}, "None", 2, t0)
	got := readBuckets(t, ms, BucketQuery{Series: Series{Region: "r", Namespace: "N", Name: "M", Dims: []Dimension{{"a", "1"}, {"b", "2"}}},
		Start: t0.Unix(), End: t0.Unix() + 1, Period: 1})
	if len(got) != 1 || got[0].Agg.Count != 2 {
		t.Fatalf("got %+v", got)
	}
}

func TestUnitsAreKeptApart(t *testing.T) {
	c := &clock{t: t0}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	s := Series{Region: "r", Namespace: "N", Name: "M"}
	ms.Add("r", "N", "M", nil, "Bytes", 100, t0)
	ms.Add("r", "N", "M", nil, "Count", 1, t0)
	all := readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix(), End: t0.Unix() + 1, Period: 1})
	if len(all) != 1 || all[0].Agg.Count != 2 {
		t.Fatalf("all = %+v", all)
	}
	if _, ok := all[0].Units.Single(); ok {
		t.Error("mixed units reported as one")
	}
	bytesUnit, _ := ParseUnit("Bytes")
	only := readBuckets(t, ms, BucketQuery{Series: s, Unit: bytesUnit, Start: t0.Unix(), End: t0.Unix() + 1, Period: 1})
	if len(only) != 1 || only[0].Agg.Sum != 100 {
		t.Fatalf("bytes only = %+v", only)
	}
}

func TestPutIsDurableAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: t0}
	st, ms := openTest(t, dir, c)
	s := Series{Region: "eu-west-1", Namespace: "App", Name: "Latency", Dims: []Dimension{{"Host", "a"}}}
	pts := []Point{
		{Series: s, Unit: UnitNone, At: t0.Add(-time.Minute), Agg: Agg{Count: 2, Sum: 6, Min: 2, Max: 4}},
		{Series: s, Unit: UnitNone, At: t0.Add(-time.Minute), Agg: Agg{Count: 1, Sum: 9, Min: 9, Max: 9}},
	}
	if err := ms.Put(pts); err != nil {
		t.Fatal(err)
	}
	// Pending observations are flushed on Close.
	ms.Add("eu-west-1", "App", "Latency", []Dimension{{"Host", "a"}}, "None", 1, t0)
	closeTest(t, st, ms)

	st, ms = openTest(t, dir, c)
	defer closeTest(t, st, ms)
	got := readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix() - 60, End: t0.Unix() + 1, Period: 1})
	if len(got) != 2 || got[0].Agg != (Agg{Count: 3, Sum: 15, Min: 2, Max: 9}) || got[1].Agg.Count != 1 {
		t.Fatalf("after restart = %+v", got)
	}
}

func TestTiersAndRetention(t *testing.T) {
	c := &clock{t: t0}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	s := Series{Region: "r", Namespace: "N", Name: "M"}
	ms.Add("r", "N", "M", nil, "Count", 1, t0)
	ms.Add("r", "N", "M", nil, "Count", 2, t0.Add(30*time.Second))
	// An old point goes to the rollup only.
	if err := ms.Put([]Point{{Series: s, Unit: UnitNone, At: t0.Add(-5 * time.Hour), Agg: Agg{Count: 1, Sum: 7, Min: 7, Max: 7}}}); err != nil {
		t.Fatal(err)
	}
	if err := ms.Flush(); err != nil {
		t.Fatal(err)
	}
	high := func() int {
		return len(readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix() - 6*3600, End: t0.Unix() + 60, Period: 1}))
	}
	minute := func() []Bucket {
		return readBuckets(t, ms, BucketQuery{Series: s, Start: t0.Unix() - 6*3600, End: t0.Unix() + 60, Period: 60})
	}
	if n := high(); n != 2 {
		t.Errorf("1-second datapoints = %d, want 2", n)
	}
	if m := minute(); len(m) != 2 || m[1].Agg.Sum != 3 {
		t.Errorf("minutes = %+v", m)
	}

	// Four hours on: the seconds are past the high-resolution window even
	// before the trimmer runs; the rollups still answer.
	c.set(t0.Add(4 * time.Hour))
	if n := high(); n != 0 {
		t.Errorf("1-second datapoints after 4h = %d, want 0", n)
	}
	if m := minute(); len(m) != 2 {
		t.Errorf("minutes after 4h = %+v", m)
	}
	if err := ms.trim(c.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, st, bucketHigh); n != 0 {
		t.Errorf("1-second keys after trim = %d", n)
	}
	if n := countKeys(t, st, bucketMinute); n != 2 {
		t.Errorf("minute keys after trim = %d", n)
	}

	// Sixteen days on, everything is gone, the series too.
	c.set(t0.Add(16 * 24 * time.Hour))
	if m := minute(); len(m) != 0 {
		t.Errorf("minutes after 16d = %+v", m)
	}
	if err := ms.trim(c.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, st, bucketMinute); n != 0 {
		t.Errorf("minute keys after trim = %d", n)
	}
	if n := countKeys(t, st, bucketSeries); n != 0 {
		t.Errorf("series after trim = %d", n)
	}
}

func TestTrimIsBounded(t *testing.T) {
	c := &clock{t: t0}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	n := maxTrimPerTx + 500
	for i := range n {
		ms.Add("r", "N", "M", nil, "Count", 1, t0.Add(-time.Duration(i)*time.Second))
	}
	if err := ms.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := countKeys(t, st, bucketHigh); got != n {
		t.Fatalf("seconds stored = %d, want %d", got, n)
	}
	c.set(t0.Add(5 * time.Hour))
	next, err := ms.trimStep(c.Now().Unix(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if next == nil {
		t.Fatal("one step trimmed more than its bound")
	}
	if got := countKeys(t, st, bucketHigh); got != 500 {
		t.Errorf("after one step = %d, want 500", got)
	}
	if next, err = ms.trimStep(c.Now().Unix(), next); err != nil || next != nil {
		t.Fatalf("second step: %v %v", next, err)
	}
	if got := countKeys(t, st, bucketHigh); got != 0 {
		t.Errorf("after two steps = %d", got)
	}
}

func countKeys(t *testing.T, st *store.Store, name []byte) int {
	t.Helper()
	n := 0
	err := st.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRoot).Bucket(name).ForEach(func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestListFiltersAndPages(t *testing.T) {
	c := &clock{t: t0}
	st, ms := openTest(t, t.TempDir(), c)
	defer closeTest(t, st, ms)
	for i := range 7 {
		ms.Add("r", "App", "Requests", []Dimension{{"Host", string(rune('a' + i))}, {"Env", "prod"}}, "Count", 1, t0)
	}
	ms.Add("r", "App", "Errors", []Dimension{{"Host", "a"}}, "Count", 1, t0)
	ms.Add("r", "Other", "Requests", nil, "Count", 1, t0)
	ms.Add("elsewhere", "App", "Requests", nil, "Count", 1, t0)
	list := func(q ListQuery) (out []Series, next []byte) {
		_ = ms.View(func(r *Reader) error { out, next = r.List(q); return nil })
		return
	}
	if got, _ := list(ListQuery{Region: "r", Limit: 100}); len(got) != 9 {
		t.Errorf("all in region = %d", len(got))
	}
	if got, _ := list(ListQuery{Region: "r", Namespace: "App", Limit: 100}); len(got) != 8 {
		t.Errorf("namespace = %d", len(got))
	}
	if got, _ := list(ListQuery{Region: "r", Name: "Requests", Limit: 100}); len(got) != 8 {
		t.Errorf("name without namespace = %d", len(got))
	}
	a := "a"
	if got, _ := list(ListQuery{Region: "r", Dims: []DimFilter{{Name: "Host", Value: &a}}, Limit: 100}); len(got) != 2 {
		t.Errorf("Host=a = %d", len(got))
	}
	if got, _ := list(ListQuery{Region: "r", Dims: []DimFilter{{Name: "Env"}}, Limit: 100}); len(got) != 7 {
		t.Errorf("Env = %d", len(got))
	}
	// Pages of 3 over the 7 Requests series of App.
	var all []Series
	var after []byte
	for range 10 {
		got, next := list(ListQuery{Region: "r", Namespace: "App", Name: "Requests", Limit: 3, After: after})
		all = append(all, got...)
		if next == nil {
			break
		}
		after = next
	}
	if len(all) != 7 {
		t.Errorf("paged = %d, want 7", len(all))
	}
	seen := map[string]bool{}
	for _, s := range all {
		seen[s.Dims[1].Value] = true
	}
	if len(seen) != 7 {
		t.Errorf("distinct hosts = %d", len(seen))
	}
	// RecentlyActive: nothing was active in the last 3 hours, 4 hours on.
	c.set(t0.Add(4 * time.Hour))
	if got, _ := list(ListQuery{Region: "r", ActiveSince: c.Now().Add(-3 * time.Hour).Unix(), Limit: 100}); len(got) != 0 {
		t.Errorf("recently active = %d", len(got))
	}
	if got, _ := list(ListQuery{Region: "r", Limit: 100}); len(got) != 9 {
		t.Errorf("all later = %d", len(got))
	}
}

func TestSeriesKeyRoundTrip(t *testing.T) {
	s := Series{Region: "us-east-1", Namespace: "a\x00b", Name: "", Dims: []Dimension{{"x", "1"}, {"y", "\xff"}}}
	got, ok := parseSeriesKey(s.Key())
	if !ok || got.Region != s.Region || got.Namespace != s.Namespace || got.Name != s.Name || len(got.Dims) != 2 || got.Dims[1] != s.Dims[1] {
		t.Fatalf("round trip = %+v %v", got, ok)
	}
	for _, bad := range [][]byte{nil, {5, 'a'}, append(s.Key(), 0), {1, 'a', 1, 'b', 1, 'c', 100}} {
		if ValidSeriesKey(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	// A prefix of namespace N is not a prefix of namespace NN.
	if p := seriesPrefix("r", "N", ""); string((Series{Region: "r", Namespace: "NN"}).Key()[:len(p)]) == string(p) {
		t.Error("namespace prefix is ambiguous")
	}
}

func TestUnits(t *testing.T) {
	for _, name := range UnitNames() {
		u, ok := ParseUnit(name)
		if !ok || u.String() != name {
			t.Errorf("%s: %v %v", name, u, ok)
		}
	}
	if _, ok := ParseUnit("Furlongs"); ok {
		t.Error("unknown unit accepted")
	}
	if unitOf("Furlongs") != UnitNone {
		t.Error("unknown service unit is not None")
	}
	var s UnitSet
	s.add(UnitNone)
	if u, ok := s.Single(); !ok || u != UnitNone {
		t.Error("single")
	}
}

func TestAggMerge(t *testing.T) {
	var a Agg
	a.Merge(Agg{})
	if a.Count != 0 {
		t.Fatal("merging nothing counted")
	}
	a.ObserveN(2, 3)
	a.Merge(Agg{Count: 1, Sum: -1, Min: -1, Max: -1})
	if a != (Agg{Count: 4, Sum: 5, Min: -1, Max: 2}) || a.Average() != 1.25 {
		t.Fatalf("agg = %+v", a)
	}
	b, ok := decodeAgg(a.appendTo(nil))
	if !ok || b != a {
		t.Fatalf("decode = %+v %v", b, ok)
	}
}

func BenchmarkAdd(b *testing.B) {
	c := &clock{t: t0}
	st, err := store.Open(filepath.Join(b.TempDir(), "engine.db"))
	if err != nil {
		b.Fatal(err)
	}
	ms, err := Open(st, Options{Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { ms.Close(); _ = st.Close() }()
	dims := []Dimension{{"StreamName", "orders"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ms.Add("us-east-1", "AWS/Kinesis", "IncomingRecords", dims, "Count", 1, time.Now())
		}
	})
}
