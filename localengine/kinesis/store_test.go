package kinesis

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
	"github.com/sluicehq/sluice/localengine/wire"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestService(t testing.TB) (*Service, *testClock) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.UnixMilli(1_700_000_000_000)}
	s, err := New(st, Config{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		_ = st.Close()
	})
	return s, clock
}

func call(t testing.TB, s *Service, action, body string) any {
	t.Helper()
	out, err := s.HandleJSON(context.Background(), action, []byte(body))
	if err != nil {
		t.Fatalf("%s %s: %v", action, body, err)
	}
	return out
}

func putBatch(t testing.TB, s *Service, stream string, n int, clock *testClock, step time.Duration) {
	t.Helper()
	for done := 0; done < n; {
		var b strings.Builder
		fmt.Fprintf(&b, `{"StreamName":%q,"Records":[`, stream)
		for i := 0; i < 500 && done < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"Data":"eHl6","PartitionKey":"k"}`)
			done++
		}
		b.WriteString("]}")
		call(t, s, "PutRecords", b.String())
		if step > 0 {
			clock.Advance(step)
		}
	}
}

// count counts the records of a shard and all shard buckets of a stream.
func count(t testing.TB, s *Service, uid, shard uint64) (records, buckets, states int) {
	t.Helper()
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uid)
	_ = s.store.View(func(tx *bolt.Tx) error {
		if b := sub(tx, bucketShards).Bucket(shardKey(uid, shard)); b != nil {
			records = b.Stats().KeyN
		}
		c := sub(tx, bucketShards).Cursor()
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			buckets++
		}
		c = sub(tx, bucketState).Cursor()
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			states++
		}
		return nil
	})
	return records, buckets, states
}

func streamUID(t testing.TB, s *Service, name string) uint64 {
	t.Helper()
	m, err := s.viewStream(streamRef{region: "us-east-1", name: name})
	if err != nil {
		t.Fatal(err)
	}
	return m.UID
}

func TestTrimmer(t *testing.T) {
	s, clock := newTestService(t)
	call(t, s, "CreateStream", `{"StreamName":"t","ShardCount":1}`)
	uid := streamUID(t, s, "t")
	// Ten batches of 500, a minute apart, at minutes 0 to 9.
	putBatch(t, s, "t", 5000, clock, time.Minute)
	clock.Advance(24*time.Hour - 5*time.Minute)
	putBatch(t, s, "t", 10, clock, 0)
	if n, _, _ := count(t, s, uid, 0); n != 5010 {
		t.Fatalf("%d records before trimming", n)
	}
	if err := s.trimOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	// At 24h05, the batches of minutes 0 to 4 are past retention; their
	// 2,500 records go in more than one bounded transaction.
	if n, _, _ := count(t, s, uid, 0); n != 2510 {
		t.Fatalf("%d records after trimming, want 2510", n)
	}
	out := call(t, s, "GetShardIterator", `{"StreamName":"t","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`)
	it, _ := json.Marshal(out)
	got := string(call(t, s, "GetRecords", `{"Limit":1,"ShardIterator":`+string(it[len(`{"ShardIterator":`):len(it)-1])+`}`).(wire.RawJSON))
	if want := `"SequenceNumber":"` + formatSeq(uid, 0, 2501) + `"`; !strings.Contains(got, want) {
		t.Fatalf("TRIM_HORIZON after trimming read %s, want %s", got, want)
	}

	// A split shard outlives retention, then goes with its records.
	call(t, s, "SplitShard", `{"StreamName":"t","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"}`)
	clock.Advance(25 * time.Hour)
	if err := s.trimOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	m, _ := s.viewStream(streamRef{region: "us-east-1", name: "t"})
	if len(m.Shards) != 2 || m.Shards[0].Index != 1 {
		t.Fatalf("shards after pruning: %d, first %d", len(m.Shards), m.Shards[0].Index)
	}
	if n, b, st := count(t, s, uid, 0); n != 0 || b != 0 || st != 0 {
		t.Fatalf("pruned shard left %d records, %d buckets, %d states", n, b, st)
	}

	// A deleted stream's records are purged in batches.
	call(t, s, "CreateStream", `{"StreamName":"d","ShardCount":2}`)
	duid := streamUID(t, s, "d")
	putBatch(t, s, "d", 6000, clock, 0)
	call(t, s, "DeleteStream", `{"StreamName":"d"}`)
	if err := s.trimOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, b, st := count(t, s, duid, 0); b != 0 || st != 0 {
		t.Fatalf("deleted stream left %d buckets, %d states", b, st)
	}
	_ = s.store.View(func(tx *bolt.Tx) error {
		if k, _ := sub(tx, bucketDead).Cursor().First(); k != nil {
			t.Error("the deleted stream is still marked dead")
		}
		return nil
	})
}

func TestFirstArrivalAtOrAfter(t *testing.T) {
	s, clock := newTestService(t)
	call(t, s, "CreateStream", `{"StreamName":"a","ShardCount":1}`)
	uid := streamUID(t, s, "a")
	start := clock.Now().UnixMilli()
	for range 300 {
		call(t, s, "PutRecord", `{"StreamName":"a","Data":"eA==","PartitionKey":"k"}`)
		clock.Advance(time.Millisecond)
	}
	_ = s.store.View(func(tx *bolt.Tx) error {
		b := sub(tx, bucketShards).Bucket(shardKey(uid, 0))
		for _, c := range []struct {
			from uint64
			t    int64
			want uint64
			ok   bool
		}{
			{0, start - 5, 1, true}, {0, start, 1, true}, {0, start + 1, 2, true}, {0, start + 150, 151, true},
			{200, start + 150, 200, true}, {0, start + 299, 300, true}, {0, start + 300, 0, false}, {301, start, 0, false},
		} {
			got, ok := firstArrivalAtOrAfter(b, c.from, c.t)
			if got != c.want || ok != c.ok {
				t.Errorf("from %d at %d: %d %v, want %d %v", c.from, c.t-start, got, ok, c.want, c.ok)
			}
		}
		return nil
	})
}

func TestConcurrentWrites(t *testing.T) {
	s, _ := newTestService(t)
	call(t, s, "CreateStream", `{"StreamName":"c","ShardCount":3}`)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				body := fmt.Sprintf(`{"StreamName":"c","Records":[{"Data":"eA==","PartitionKey":"w%d-%d"},{"Data":"eA==","PartitionKey":"same"}]}`, w, i)
				if _, err := s.HandleJSON(context.Background(), "PutRecords", []byte(body)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	// Reshard while writing.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.HandleJSON(context.Background(), "UpdateShardCount", []byte(`{"StreamName":"c","TargetShardCount":5,"ScalingType":"UNIFORM_SCALING"}`)); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	m, _ := s.viewStream(streamRef{region: "us-east-1", name: "c"})
	total := 0
	for _, sh := range m.Shards {
		n, _, _ := count(t, s, m.UID, sh.Index)
		if sh.closed() && n > 0 {
			st := uint64(0)
			_ = s.store.View(func(tx *bolt.Tx) error {
				st = readState(sub(tx, bucketState), shardKey(m.UID, sh.Index)).next
				return nil
			})
			if st != sh.EndCounter {
				t.Errorf("closed shard %d ends at %d but its counter is %d", sh.Index, sh.EndCounter, st)
			}
		}
		total += n
	}
	if total != 8*20*2 {
		t.Errorf("%d records stored, want %d", total, 8*20*2)
	}
}
