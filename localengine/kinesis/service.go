// Package kinesis is the engine's Kinesis Data Streams service (JSON 1.1).
//
// Streams and their shards are small metadata records; the records of a
// shard live on disk in one bbolt bucket per shard, keyed by a per-shard
// counter, so memory stays flat however much a stream holds.
package kinesis

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now           func() time.Time
	EnforceLimits bool
	Logger        *slog.Logger
	// Metrics receives the AWS/Kinesis datapoints; nil discards them.
	Metrics metrics.Recorder
	// ShardQuota bounds the open shards of all streams of the account in
	// a region, as AWS's per-account shard quota does; 0 means
	// DefaultShardQuota.
	ShardQuota int
	// StateDelay is how long a new stream stays CREATING, and a resharded
	// one UPDATING, before it is ACTIVE; 0 makes every change at once.
	StateDelay time.Duration
}

// DefaultShardQuota is AWS's default shard quota of an account in most
// regions.
const DefaultShardQuota = 500

// MaxShardQuota bounds the quota that can be configured: the most shards
// a CreateStream may ask for, which also bounds a stream's metadata.
const MaxShardQuota = 100000

// Service answers Kinesis actions from the store.
type Service struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger
	// macKey signs iterators and page tokens; it is kept in the store so
	// that tokens survive a restart.
	macKey []byte
	limits *limiter // nil unless EnforceLimits

	mu sync.Mutex
	// cache holds decoded stream metadata by stream key. An entry is used
	// only when its bytes equal what the reading transaction sees, so a
	// stale entry costs a decode, never a wrong answer.
	cache map[string]*streamMeta

	stop      context.CancelFunc
	done      chan struct{}
	kick      chan struct{}
	closeOnce sync.Once
}

type handler func(s *Service, ctx context.Context, body []byte) (any, error)

var handlers = map[string]handler{
	"CreateStream":                  (*Service).createStream,
	"DeleteStream":                  (*Service).deleteStream,
	"ListStreams":                   (*Service).listStreams,
	"DescribeStream":                (*Service).describeStream,
	"DescribeStreamSummary":         (*Service).describeStreamSummary,
	"ListShards":                    (*Service).listShards,
	"PutRecord":                     (*Service).putRecord,
	"PutRecords":                    (*Service).putRecords,
	"GetShardIterator":              (*Service).getShardIterator,
	"GetRecords":                    (*Service).getRecords,
	"IncreaseStreamRetentionPeriod": (*Service).increaseRetention,
	"DecreaseStreamRetentionPeriod": (*Service).decreaseRetention,
	"AddTagsToStream":               (*Service).addTags,
	"RemoveTagsFromStream":          (*Service).removeTags,
	"ListTagsForStream":             (*Service).listTags,
	"UpdateShardCount":              (*Service).updateShardCount,
	"SplitShard":                    (*Service).splitShard,
	"MergeShards":                   (*Service).mergeShards,
}

// New opens the service on st, creating its buckets on first use, and
// starts the background trimmer.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ShardQuota <= 0 {
		cfg.ShardQuota = DefaultShardQuota
	}
	if cfg.StateDelay < 0 {
		cfg.StateDelay = 0
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{store: st, cfg: cfg, log: cfg.Logger, cache: map[string]*streamMeta{}, kick: make(chan struct{}, 1)}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("kinesis: iterator key: %w", err)
	}
	var key []byte
	err := st.Update(func(tx *bolt.Tx) error {
		r, err := tx.CreateBucketIfNotExists(bucketRoot)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketStreams, bucketShards, bucketState, bucketDead, bucketMeta} {
			if _, err := r.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		m := r.Bucket(bucketMeta)
		if k := m.Get(keyIterKey); len(k) == 32 {
			key = bytes.Clone(k)
			return nil
		}
		key = fresh
		return m.Put(keyIterKey, fresh)
	})
	if err != nil {
		return nil, fmt.Errorf("kinesis: open store: %w", err)
	}
	s.macKey = key
	if cfg.EnforceLimits {
		s.limits = newLimiter()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go s.trimLoop(ctx)
	return s, nil
}

// HandleJSON answers one action.
func (s *Service) HandleJSON(ctx context.Context, action string, body []byte) (any, error) {
	h, ok := handlers[action]
	if !ok {
		return nil, awserr.UnknownOperation(action)
	}
	return h(s, ctx, body)
}

// Close stops background work. It is safe to call more than once.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
	})
}

func (s *Service) nowMs() int64 { return s.cfg.Now().UnixMilli() }

// loadStream reads a stream's metadata in tx, nil when it does not exist.
// Only read-only transactions may fill the cache (remember), because an
// update's view of the store may yet be rolled back.
func (s *Service) loadStream(tx *bolt.Tx, region, name string, remember bool) (*streamMeta, error) {
	key := streamKey(region, name)
	raw := sub(tx, bucketStreams).Get(key)
	if raw == nil {
		return nil, nil
	}
	s.mu.Lock()
	m := s.cache[string(key)]
	s.mu.Unlock()
	if m != nil && bytes.Equal(m.raw, raw) {
		return m, nil
	}
	m, err := decodeMeta(raw)
	if err != nil {
		return nil, err
	}
	if remember {
		s.remember(m)
	}
	return m, nil
}

// remember caches committed metadata.
func (s *Service) remember(m *streamMeta) {
	s.mu.Lock()
	s.cache[string(streamKey(m.Region, m.Name))] = m
	s.mu.Unlock()
}

func (s *Service) forget(region, name string) {
	s.mu.Lock()
	delete(s.cache, string(streamKey(region, name)))
	s.mu.Unlock()
}

// viewStream loads a stream in its own read-only transaction.
func (s *Service) viewStream(ref streamRef) (*streamMeta, error) {
	var m *streamMeta
	err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		m, err = s.loadStream(tx, ref.region, ref.name, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load stream %s: %w", ref.name, err)
	}
	if m == nil {
		return nil, streamNotFound(ref.name)
	}
	return m, nil
}

// updateStream runs change on a private copy of the stream's metadata in
// a write transaction and stores the result; change may refuse with an
// error. The committed metadata is returned and cached.
func (s *Service) updateStream(ref streamRef, change func(tx *bolt.Tx, m *streamMeta) error) (*streamMeta, error) {
	var out *streamMeta
	err := s.store.Update(func(tx *bolt.Tx) error {
		cur, err := s.loadStream(tx, ref.region, ref.name, false)
		if err != nil {
			return err
		}
		if cur == nil {
			return streamNotFound(ref.name)
		}
		m, err := cur.clone()
		if err != nil {
			return err
		}
		if err := change(tx, m); err != nil {
			return err
		}
		out = m
		return m.put(tx)
	})
	if err != nil {
		return nil, err
	}
	s.remember(out)
	return out, nil
}

// openShardsIn counts the open shards of every stream in a region, in tx.
func (s *Service) openShardsIn(tx *bolt.Tx, region string) (int, error) {
	prefix := []byte(region + "/")
	n := 0
	c := sub(tx, bucketStreams).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		m, err := s.loadStream(tx, region, string(k[len(prefix):]), false)
		if err != nil {
			return 0, err
		}
		if m != nil {
			n += m.openCount()
		}
	}
	return n, nil
}

// checkQuota refuses, in the write transaction tx, a change that would
// add more open shards in region than the account's quota leaves.
func (s *Service) checkQuota(tx *bolt.Tx, region string, additional int) error {
	open, err := s.openShardsIn(tx, region)
	if err != nil {
		return err
	}
	if open+additional > s.cfg.ShardQuota {
		return shardQuotaExceeded(region, open, s.cfg.ShardQuota, additional)
	}
	return nil
}

// markUpdating makes a resharded stream UPDATING for the state delay.
func (s *Service) markUpdating(m *streamMeta, nowMs int64) {
	if s.cfg.StateDelay > 0 {
		m.Pending, m.PendingUntil = statusUpdating, nowMs+s.cfg.StateDelay.Milliseconds()
	}
}
