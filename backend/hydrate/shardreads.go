package hydrate

import (
	"math/big"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

const (
	// maxGetRecords is the most records one GetRecords returns.
	maxGetRecords = 10000
	// maxReadAheadBytes bounds the records a read asks for beyond its
	// range, and what a shard keeps of its last read, so that reading
	// ahead never costs a production consumer more than a few MiB of the
	// shard's 2 MiB/s of reads.
	maxReadAheadBytes = 4 << 20
	// maxDoublings bounds the read-ahead at 1,024 times a failure's
	// batch.
	maxDoublings = 10
)

// shardReads are one run's reads of the stream, shard by shard.
// Failures of one shard usually come in a row (a pipe failing on every
// batch), so one read can serve many messages: each shard keeps its last
// read's records and the iterator after them. A message whose records
// are among them reads nothing; one that starts after them goes on with
// that iterator instead of asking for a new one (AWS allows
// GetShardIterator 5 calls a second per shard, and GetRecords 5). While
// messages keep finding their records there, each read asks for twice as
// many records beyond its range as the last, up to 1,024 times the batch
// and a few MiB; a message whose records are far from the last read's
// sets it back to its own range.
type shardReads struct {
	mu     sync.Mutex
	shards map[string]*shardRead
}

func newShardReads() *shardReads { return &shardReads{shards: map[string]*shardRead{}} }

// shard is the read state of streamARN's shard; its mu is held for the
// whole of one message's read, so that messages of one shard read in
// turn and each finds the last one's read.
func (rs *shardReads) shard(streamARN, shardID string) *shardRead {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	k := streamARN + "/" + shardID
	sh := rs.shards[k]
	if sh == nil {
		sh = &shardRead{}
		rs.shards[k] = sh
	}
	return sh
}

// shardRead is what a shard's last read left.
type shardRead struct {
	mu sync.Mutex
	// records are the last read's records in order, seqs their sequence
	// numbers; nil when they were too large to keep.
	records []ktypes.Record
	seqs    []*big.Int
	// first and last are the sequence numbers records span; nil before
	// any read.
	first, last *big.Int
	// next is the iterator after last, nil when there is none.
	next *string
	// bytes are records' data bytes, for the read-ahead's bound.
	bytes int
	// doublings is how far the read-ahead has grown.
	doublings int
}

// take hands out what the last read holds of [start, end]: the records,
// the iterator to go on from, and whether they cover the whole range.
func (sh *shardRead) take(start, end *big.Int) (held []ktypes.Record, next *string, covered bool) {
	if sh.last == nil {
		return nil, nil, false
	}
	if start.Cmp(sh.last) > 0 {
		// After the last read: go on from where it stopped.
		sh.doublings = min(sh.doublings+1, maxDoublings)
		return nil, sh.next, false
	}
	if start.Cmp(sh.first) < 0 || sh.records == nil {
		return nil, nil, false
	}
	sh.doublings = min(sh.doublings+1, maxDoublings)
	// Each message takes its few records out of a window of up to
	// thousands: found by search, not by a scan.
	from := sort.Search(len(sh.seqs), func(i int) bool { return sh.seqs[i].Cmp(start) >= 0 })
	for i := from; i < len(sh.seqs) && sh.seqs[i].Cmp(end) <= 0; i++ {
		held = append(held, sh.records[i])
	}
	if end.Cmp(sh.last) <= 0 {
		return held, nil, true
	}
	return held, sh.next, false
}

// limit is how many records a read of a range of batch records asks for.
func (sh *shardRead) limit(batch int32) int32 {
	n := int64(batch) << sh.doublings
	if sh.bytes > 0 && len(sh.records) > 0 {
		perRecord := max(sh.bytes/len(sh.records), 1)
		n = min(n, int64(maxReadAheadBytes/perRecord))
	}
	return int32(max(min(n, maxGetRecords), int64(batch)))
}

// gap says a read had to skip far to reach its range: the failures are
// not in a row, so reading ahead would only cost.
func (sh *shardRead) gap() { sh.doublings = 0 }

// forget drops what the shard's last read left.
func (sh *shardRead) forget() {
	sh.records, sh.seqs, sh.first, sh.last, sh.next, sh.bytes = nil, nil, nil, nil, nil, 0
}

// keep remembers a read's last page and the iterator after it.
func (sh *shardRead) keep(page []ktypes.Record, next *string) {
	sh.next = next
	if len(page) == 0 {
		if next == nil {
			sh.forget()
		}
		return
	}
	seqs := make([]*big.Int, len(page))
	bytes := 0
	for i, rec := range page {
		seq, ok := new(big.Int).SetString(aws.ToString(rec.SequenceNumber), 10)
		if !ok || i > 0 && seq.Cmp(seqs[i-1]) <= 0 {
			sh.forget() // not in order: nothing to go on from
			return
		}
		seqs[i], bytes = seq, bytes+len(rec.Data)
	}
	sh.first, sh.last, sh.bytes = seqs[0], seqs[len(seqs)-1], bytes
	sh.records, sh.seqs = page, seqs
	if bytes > maxReadAheadBytes {
		sh.records, sh.seqs = nil, nil
	}
}
