package kinesis

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxGetRecordsLimit = 10000
	maxGetRecordsBytes = 10 << 20
)

func (s *Service) getRecords(ctx context.Context, body []byte) (any, error) {
	began := time.Now()
	var in struct {
		ShardIterator *string
		Limit         *int64
		StreamARN     *string
		StreamId      *string
		DryRun        *bool
	}
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	v.required(in.ShardIterator != nil, "shardIterator")
	v.lengthBetween(in.ShardIterator, "shardIterator", 1, 512)
	v.rangeBetween(in.Limit, "limit", 1, maxGetRecordsLimit)
	v.lengthBetween(in.StreamARN, "streamARN", 1, 2048)
	v.pattern(in.StreamARN, "streamARN", streamARNPattern, streamARNOK)
	if err := v.err(); err != nil {
		return nil, err
	}
	it, ok := s.openIterator(*in.ShardIterator)
	if !ok || it.region != wire.Region(ctx) {
		return nil, invalidIterator()
	}
	now := s.cfg.Now()
	nowMs := now.UnixMilli()
	if nowMs-it.issuedMs > iteratorTTL.Milliseconds() {
		return nil, expiredIterator(time.UnixMilli(it.issuedMs), now)
	}
	if in.StreamARN != nil {
		ref, err := (&streamIDInput{StreamARN: in.StreamARN}).resolve(ctx)
		if err != nil {
			return nil, err
		}
		if ref.name != it.name {
			return nil, invalidArgument("The StreamARN %s does not match the stream of the ShardIterator.", *in.StreamARN)
		}
	}
	if s.limits != nil && !s.limits.allowRead(it.uid, it.shard, now) {
		s.recordReadThrottled(it.region, it.name)
		return nil, throughputExceeded(shardID(it.shard), it.name)
	}
	limit := maxGetRecordsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var out []byte
	var read, count int
	var lastArrival int64
	err := s.store.View(func(tx *bolt.Tx) error {
		m, err := s.loadStream(tx, it.region, it.name, true)
		if err != nil {
			return err
		}
		if m == nil || m.UID != it.uid || m.CreatedMs != it.createdMs {
			return shardNotFound(shardID(it.shard), it.name)
		}
		sh := m.shard(it.shard)
		if sh == nil {
			return shardNotFound(shardID(it.shard), it.name)
		}
		out, read, count, lastArrival = s.readShard(tx, m, sh, it, limit, nowMs)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get records: %w", err)
	}
	if s.limits != nil {
		s.limits.chargeRead(it.uid, it.shard, read)
	}
	age := int64(0)
	if count > 0 {
		age = nowMs - lastArrival
	}
	s.recordGet(it.region, it.name, it.shard, count, read, age, time.Since(began))
	return wire.RawJSON(out), nil
}

// readShard reads up to limit records from the iterator's position and
// encodes the whole answer. It returns the answer, the bytes of data it
// holds, its record count and the last record's arrival (epoch ms).
func (s *Service) readShard(tx *bolt.Tx, m *streamMeta, sh *shardMeta, it iterator, limit int, nowMs int64) ([]byte, int, int, int64) {
	key := shardKey(m.UID, sh.Index)
	end := readState(sub(tx, bucketState), key).next
	if sh.closed() {
		end = sh.EndCounter
	}
	cutoff := m.cutoff(nowMs)

	var buf []byte
	pos := it.pos
	count, size := 0, 0
	var lastArrival int64
	if b := sub(tx, bucketShards).Bucket(key); b != nil {
		c := b.Cursor()
		var kb [8]byte
		k, v := c.Seek(counterKey(&kb, pos))
		if k != nil && recordArrival(v) < cutoff {
			// Records past retention are invisible even before the
			// trimmer removes them.
			if first, ok := firstArrivalAtOrAfter(b, pos, cutoff); ok {
				k, v = c.Seek(counterKey(&kb, first))
			} else {
				k = nil
			}
		}
		if k != nil {
			// Size the answer from its first record and the records
			// left, so that a large answer is not copied as it grows.
			left := uint64(limit)
			if c := binary.BigEndian.Uint64(k); end > c {
				left = min(left, end-c)
			}
			buf = make([]byte, 0, min(int(left)*(recordJSONOverhead+len(v)*4/3), maxAnswerEstimate)+1024)
		}
		buf = append(buf, `{"Records":[`...)
		for ; k != nil && count < limit; k, v = c.Next() {
			arrival, pk, data, ok := decodeRecord(v)
			if !ok {
				s.log.Error("kinesis: corrupt record skipped", "stream", m.Name, "shard", sh.Index)
				continue
			}
			if count > 0 && size+len(data)+len(pk) > maxGetRecordsBytes {
				break
			}
			counter := binary.BigEndian.Uint64(k)
			if count > 0 {
				buf = append(buf, ',')
			}
			buf = appendRecordJSON(buf, m.UID, sh.Index, counter, arrival, pk, data)
			count++
			size += len(data) + len(pk)
			lastArrival = arrival
			pos = counter + 1
		}
		if k == nil {
			pos = max(pos, end)
		}
	} else {
		buf = append(buf, `{"Records":[`...)
		pos = max(pos, end)
	}
	buf = append(buf, ']')

	atTip := pos >= end
	behind := int64(0)
	if !atTip && count > 0 {
		behind = max(0, nowMs-lastArrival)
	}
	buf = append(buf, `,"MillisBehindLatest":`...)
	buf = strconv.AppendInt(buf, behind, 10)
	if sh.closed() && atTip {
		// The end of a closed shard: no next iterator; the children
		// carry on.
		buf = append(buf, `,"ChildShards":[`...)
		for i, ch := range m.children(sh.Index) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"ShardId":"`...)
			buf = appendShardID(buf, ch.Index)
			buf = append(buf, `","ParentShards":[`...)
			buf = append(buf, '"')
			buf = appendShardID(buf, *ch.Parent)
			buf = append(buf, '"')
			if ch.Adjacent != nil {
				buf = append(buf, `,"`...)
				buf = appendShardID(buf, *ch.Adjacent)
				buf = append(buf, '"')
			}
			buf = append(buf, `],"HashKeyRange":{"StartingHashKey":"`...)
			buf = append(buf, ch.StartHash...)
			buf = append(buf, `","EndingHashKey":"`...)
			buf = append(buf, ch.EndHash...)
			buf = append(buf, `"}}`...)
		}
		buf = append(buf, "]}"...)
		return buf, size, count, lastArrival
	}
	next := it
	next.pos, next.issuedMs = pos, nowMs
	buf = append(buf, `,"NextShardIterator":"`...)
	buf = append(buf, s.sealIterator(next)...)
	return append(buf, `"}`...), size, count, lastArrival
}

const (
	// recordJSONOverhead is a record's encoding less its data and key.
	recordJSONOverhead = 160
	maxAnswerEstimate  = 16 << 20
)

// grow makes room for n more bytes, doubling so that building a large
// answer copies it only a few times.
func grow(buf []byte, n int) []byte {
	if cap(buf)-len(buf) >= n {
		return buf
	}
	nb := make([]byte, len(buf), max(2*cap(buf), len(buf)+n))
	copy(nb, buf)
	return nb
}

// appendRecordJSON encodes one record of a GetRecords answer, with the
// data's base64 written straight into the buffer.
func appendRecordJSON(buf []byte, uid, shard, counter uint64, arrival int64, pk, data []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(data))
	buf = grow(buf, recordJSONOverhead+6*len(pk)+n)
	buf = append(buf, `{"SequenceNumber":"`...)
	buf = appendSeq(buf, uid, shard, counter)
	buf = append(buf, `","ApproximateArrivalTimestamp":`...)
	buf = appendEpoch(buf, arrival)
	buf = append(buf, `,"Data":"`...)
	l := len(buf)
	buf = buf[:l+n]
	base64.StdEncoding.Encode(buf[l:], data)
	buf = append(buf, `","PartitionKey":`...)
	buf = wire.AppendJSONString(buf, pk)
	return append(buf, '}')
}
