package kinesis

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Store layout, all under the top-level "kinesis" bucket:
//
//	streams/<region>/<name>       stream metadata (JSON, small)
//	shards/<uid><shard>           one bucket per shard: <counter> -> record
//	state/<uid><shard>            next counter and last arrival of a shard
//	dead/<uid>                    deleted streams whose records await removal
//	meta/iterkey                  secret that signs iterators and page tokens
//
// uid is a stream's never-reused number (so a recreated stream's data and
// iterators never mix with the old one's); uid, shard and counter are
// big-endian uint64s so that keys sort numerically.
var (
	bucketRoot    = []byte("kinesis")
	bucketStreams = []byte("streams")
	bucketShards  = []byte("shards")
	bucketState   = []byte("state")
	bucketDead    = []byte("dead")
	bucketMeta    = []byte("meta")
	keyIterKey    = []byte("iterkey")
)

func sub(tx *bolt.Tx, name []byte) *bolt.Bucket { return tx.Bucket(bucketRoot).Bucket(name) }

func streamKey(region, name string) []byte { return []byte(region + "/" + name) }

func shardKey(uid, shard uint64) []byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:8], uid)
	binary.BigEndian.PutUint64(k[8:], shard)
	return k[:]
}

func counterKey(dst *[8]byte, c uint64) []byte {
	binary.BigEndian.PutUint64(dst[:], c)
	return dst[:]
}

// shardState is a shard's write position, kept in the store so that
// counters continue after a restart and after old records are trimmed.
type shardState struct {
	next        uint64 // counter of the next record
	lastArrival int64  // ms; arrivals never go backwards within a shard
}

// readState reads a shard's state. Counters start at 1: counter 0 is the
// shard's StartingSequenceNumber, which comes before every record, so
// that AFTER_SEQUENCE_NUMBER of it reads from the first record.
func readState(b *bolt.Bucket, key []byte) shardState {
	v := b.Get(key)
	if len(v) != 16 {
		return shardState{next: 1}
	}
	return shardState{next: binary.BigEndian.Uint64(v[:8]), lastArrival: int64(binary.BigEndian.Uint64(v[8:]))}
}

func (st shardState) encode() []byte {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v[:8], st.next)
	binary.BigEndian.PutUint64(v[8:], uint64(st.lastArrival))
	return v
}

// streamMeta is a stream as stored. A decoded value is shared read-only
// between requests; changes are made to a fresh decode.
type streamMeta struct {
	Name         string            `json:"name"`
	Region       string            `json:"region"`
	UID          uint64            `json:"uid"`
	CreatedMs    int64             `json:"created"`
	Mode         string            `json:"mode"`
	Retention    int               `json:"retentionHours"`
	MaxRecordKiB int               `json:"maxRecordKiB"`
	Tags         map[string]string `json:"tags,omitempty"`
	NextShard    uint64            `json:"nextShard"`
	// FloorMs keeps records that had expired when the retention period
	// was increased invisible: a longer retention does not bring back
	// what a shorter one already let go.
	FloorMs int64        `json:"floor,omitempty"`
	Shards  []*shardMeta `json:"shards"`
	// Pending is CREATING or UPDATING until PendingUntil (ms), when the
	// engine runs with a state delay; the stream is ACTIVE after that.
	Pending      string `json:"pending,omitempty"`
	PendingUntil int64  `json:"pendingUntil,omitempty"`

	raw  []byte       // the stored bytes this value was decoded from
	open []*shardMeta // open shards by starting hash key, for routing
}

type shardMeta struct {
	Index      uint64  `json:"i"`
	Parent     *uint64 `json:"p,omitempty"`
	Adjacent   *uint64 `json:"a,omitempty"`
	StartHash  string  `json:"s"`
	EndHash    string  `json:"e"`
	CreatedMs  int64   `json:"c"`
	ClosedMs   int64   `json:"x,omitempty"` // 0 while open
	EndCounter uint64  `json:"n,omitempty"` // the shard's next counter when it closed

	start, end u128
}

func (sh *shardMeta) closed() bool { return sh.ClosedMs != 0 }

const (
	statusActive   = "ACTIVE"
	statusCreating = "CREATING"
	statusUpdating = "UPDATING"
)

// status is the stream's StreamStatus at nowMs.
func (m *streamMeta) status(nowMs int64) string {
	if m.Pending != "" && nowMs < m.PendingUntil {
		return m.Pending
	}
	return statusActive
}

// creating reports whether the stream is still being created: it has no
// shards to read or write yet.
func (m *streamMeta) creating(nowMs int64) bool { return m.status(nowMs) == statusCreating }

func shardID(index uint64) string {
	return "shardId-" + fmt.Sprintf("%012d", index)
}

func appendShardID(dst []byte, index uint64) []byte {
	dst = append(dst, "shardId-"...)
	return appendPadded(dst, index, 12)
}

// maxShardIDNumber is the highest shard number AWS resolves from a shard
// id: a larger one names no shard.
const maxShardIDNumber = 2147483647

// parseShardID resolves a shard id as AWS does: the number after the first
// hyphen (or the whole id when there is none), so "shardId-000000000001",
// "shardId-1", "1" and "000001" all name shard 1. An id that does not
// resolve names no shard.
func parseShardID(s string) (uint64, bool) {
	d := s
	if _, after, found := strings.Cut(s, "-"); found && after != "" {
		d = after
	}
	if d == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(d[i]-'0')
		if v > maxShardIDNumber {
			return 0, false
		}
	}
	return v, true
}

func (m *streamMeta) arn() string { return streamARN(m.Region, m.Name) }

func streamARN(region, name string) string {
	return "arn:aws:kinesis:" + region + ":000000000000:stream/" + name
}

// shard finds a shard by index.
func (m *streamMeta) shard(index uint64) *shardMeta {
	i := sort.Search(len(m.Shards), func(i int) bool { return m.Shards[i].Index >= index })
	if i < len(m.Shards) && m.Shards[i].Index == index {
		return m.Shards[i]
	}
	return nil
}

// route finds the open shard whose hash range holds key.
func (m *streamMeta) route(key u128) *shardMeta {
	i := sort.Search(len(m.open), func(i int) bool { return m.open[i].start.cmp(key) > 0 })
	if i == 0 {
		return nil
	}
	sh := m.open[i-1]
	if key.cmp(sh.end) > 0 {
		return nil
	}
	return sh
}

func (m *streamMeta) children(index uint64) []*shardMeta {
	var out []*shardMeta
	for _, sh := range m.Shards {
		if (sh.Parent != nil && *sh.Parent == index) || (sh.Adjacent != nil && *sh.Adjacent == index) {
			out = append(out, sh)
		}
	}
	return out
}

func (m *streamMeta) openCount() int { return len(m.open) }

// retentionMs is how long records stay readable.
func (m *streamMeta) retentionMs() int64 { return int64(m.Retention) * 3_600_000 }

// cutoff is the arrival time before which records are gone.
func (m *streamMeta) cutoff(nowMs int64) int64 {
	return max(nowMs-m.retentionMs(), m.FloorMs)
}

// expired reports whether a closed shard has outlived the retention period:
// all its records are gone and AWS no longer lists it.
func (m *streamMeta) expired(sh *shardMeta, nowMs int64) bool {
	return sh.closed() && sh.ClosedMs < m.cutoff(nowMs)
}

func (m *streamMeta) maxRecordBytes() int {
	if m.MaxRecordKiB == 0 {
		return 1 << 20
	}
	return m.MaxRecordKiB << 10
}

// derive fills the unexported fields from the exported ones.
func (m *streamMeta) derive() error {
	sort.Slice(m.Shards, func(i, j int) bool { return m.Shards[i].Index < m.Shards[j].Index })
	m.open = m.open[:0]
	for _, sh := range m.Shards {
		var ok1, ok2 bool
		sh.start, ok1 = parseHashKey([]byte(sh.StartHash))
		sh.end, ok2 = parseHashKey([]byte(sh.EndHash))
		if !ok1 || !ok2 {
			return fmt.Errorf("stream %s: shard %d has a bad hash range", m.Name, sh.Index)
		}
		if !sh.closed() {
			m.open = append(m.open, sh)
		}
	}
	sort.Slice(m.open, func(i, j int) bool { return m.open[i].start.cmp(m.open[j].start) < 0 })
	return nil
}

func decodeMeta(raw []byte) (*streamMeta, error) {
	m := &streamMeta{}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("decode stream metadata: %w", err)
	}
	if err := m.derive(); err != nil {
		return nil, err
	}
	m.raw = bytes.Clone(raw)
	return m, nil
}

// clone returns a private copy to change.
func (m *streamMeta) clone() (*streamMeta, error) { return decodeMeta(m.raw) }

// put stores m under its key and refreshes its derived fields.
func (m *streamMeta) put(tx *bolt.Tx) error {
	if err := m.derive(); err != nil {
		return err
	}
	m.raw = nil
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode stream %s: %w", m.Name, err)
	}
	m.raw = raw
	return sub(tx, bucketStreams).Put(streamKey(m.Region, m.Name), raw)
}

func (m *streamMeta) addShard(start, end u128, nowMs int64, parent, adjacent *uint64) *shardMeta {
	sh := &shardMeta{
		Index: m.NextShard, Parent: parent, Adjacent: adjacent,
		StartHash: start.String(), EndHash: end.String(), CreatedMs: nowMs,
		start: start, end: end,
	}
	m.NextShard++
	m.Shards = append(m.Shards, sh)
	return sh
}

// closeShard closes sh, recording where its records end.
func (m *streamMeta) closeShard(tx *bolt.Tx, sh *shardMeta, nowMs int64) {
	st := readState(sub(tx, bucketState), shardKey(m.UID, sh.Index))
	sh.ClosedMs = nowMs
	sh.EndCounter = st.next
}

func u64p(v uint64) *uint64 { return &v }
