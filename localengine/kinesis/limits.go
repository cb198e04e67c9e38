package kinesis

import (
	"sync"
	"time"
)

// AWS's per-shard throughput limits, applied only with EnforceLimits.
const (
	writeRecordsPerSec = 1000
	writeBytesPerSec   = 1 << 20
	readCallsPerSec    = 5
	readBytesPerSec    = 2 << 20
)

// limiter keeps a token bucket per shard and limit, in memory: limits are
// about the present, so a restart may forget them.
type limiter struct {
	mu     sync.Mutex
	shards map[shardRef]*shardLimits
}

type shardRef struct{ uid, shard uint64 }

type shardLimits struct {
	writeRecords, writeBytes, readCalls, readBytes tokenBucket
}

// tokenBucket holds up to one second's worth of tokens.
type tokenBucket struct {
	tokens float64
	last   time.Time
	primed bool
}

func (b *tokenBucket) refill(rate float64, now time.Time) {
	if !b.primed {
		b.tokens, b.last, b.primed = rate, now, true
		return
	}
	if now.After(b.last) {
		b.tokens = min(rate, b.tokens+rate*now.Sub(b.last).Seconds())
		b.last = now
	}
}

func newLimiter() *limiter { return &limiter{shards: map[shardRef]*shardLimits{}} }

func (l *limiter) get(uid, shard uint64) *shardLimits {
	k := shardRef{uid, shard}
	sl := l.shards[k]
	if sl == nil {
		sl = &shardLimits{}
		l.shards[k] = sl
	}
	return sl
}

// allowWrite takes one record of size bytes from the shard's write
// allowance, or reports that the shard is over its limits.
func (l *limiter) allowWrite(uid, shard uint64, size int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	sl := l.get(uid, shard)
	sl.writeRecords.refill(writeRecordsPerSec, now)
	sl.writeBytes.refill(writeBytesPerSec, now)
	if sl.writeRecords.tokens < 1 || sl.writeBytes.tokens < float64(size) {
		return false
	}
	sl.writeRecords.tokens--
	sl.writeBytes.tokens -= float64(size)
	return true
}

// allowRead takes one GetRecords call. Bytes read are charged afterwards
// (chargeRead) and may run the allowance into debt, as on AWS, where one
// large read makes the following calls fail until the shard catches up.
func (l *limiter) allowRead(uid, shard uint64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	sl := l.get(uid, shard)
	sl.readCalls.refill(readCallsPerSec, now)
	sl.readBytes.refill(readBytesPerSec, now)
	if sl.readCalls.tokens < 1 || sl.readBytes.tokens <= 0 {
		return false
	}
	sl.readCalls.tokens--
	return true
}

func (l *limiter) chargeRead(uid, shard uint64, bytes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.get(uid, shard).readBytes.tokens -= float64(bytes)
}

func (l *limiter) forgetStream(uid uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.shards {
		if k.uid == uid {
			delete(l.shards, k)
		}
	}
}
