package kinesis

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

// maxPutRecordsBytes is AWS's limit on the records of one PutRecords call,
// data and partition keys together.
const maxPutRecordsBytes = 10 << 20

// entryField is the path AWS names in errors about a record: "" for
// PutRecord, "records.N.member." for entry N (from 1) of PutRecords.
func entryField(n int) string {
	if n == 0 {
		return ""
	}
	return "records." + strconv.Itoa(n) + ".member."
}

// checkEntry validates record n of a write (see entryField).
func checkEntry(v *validation, e *putEntry, n int) {
	if e.dataSet && e.pkSet && len(e.data) <= maxDataBytes && len(e.pk) >= 1 && len(e.pk) <= 256 && (!e.ehkSet || hashKeyPatternOK(string(e.ehk))) {
		return // the common case, without building field names
	}
	field := entryField(n)
	v.required(e.dataSet, field+"data")
	v.required(e.pkSet, field+"partitionKey")
	if e.dataSet && len(e.data) > maxDataBytes {
		v.fail(blobValue(len(e.data)), field+"data", "Member must have length less than or equal to "+strconv.Itoa(maxDataBytes))
	}
	if e.pkSet {
		if runes := utf8.RuneCount(e.pk); runes < 1 || runes > 256 {
			bound := "Member must have length less than or equal to 256"
			if runes < 1 {
				bound = "Member must have length greater than or equal to 1"
			}
			v.fail(quote(string(e.pk)), field+"partitionKey", bound)
		}
	}
	if e.ehkSet && !hashKeyPatternOK(string(e.ehk)) {
		v.fail(quote(string(e.ehk)), field+"explicitHashKey", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`)
	}
}

// maxDataBytes is the model's bound on a record's data; a stream's own
// maximum record size (1 MiB unless raised) is checked against the stream.
const maxDataBytes = 10 << 20

func blobValue(n int) string {
	return "'java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(n) + " cap=" + strconv.Itoa(n) + "]'"
}

// checkRecordSize applies the stream's maximum record size to record n.
func checkRecordSize(m *streamMeta, e *putEntry, n int) error {
	limit := m.maxRecordBytes()
	if len(e.data)+len(e.pk) <= limit {
		return nil
	}
	field := entryField(n)
	if len(e.data) > limit {
		return validationError("1 validation error detected: Value %s at '%sdata' failed to satisfy constraint: Member must have length less than or equal to %d",
			blobValue(len(e.data)), field, limit)
	}
	if len(e.data)+len(e.pk) > limit {
		return validationError("1 validation error detected: Value %s at '%sdata' failed to satisfy constraint: the record size (data plus partition key, %d bytes) must be less than or equal to %d",
			blobValue(len(e.data)), field, len(e.data)+len(e.pk), limit)
	}
	return nil
}

// orderingSeqOK reports whether a SequenceNumberForOrdering is one AWS
// takes. AWS decodes it and refuses a number that is not a sequence number
// of its making, while a small number reads as one from before every
// record. Here a number as long as the engine's sequence numbers, or
// longer, must be one the engine made (of any stream, as AWS's decode does
// not look at the stream); a shorter one comes before every record.
func orderingSeqOK(seq string) bool {
	if len(seq) < seqLen {
		return true
	}
	_, err := parseSeq(seq)
	return err == nil
}

// hashOf computes where a record goes.
func hashOf(e *putEntry) (u128, error) {
	if e.ehkSet {
		h, ok := parseHashKey(e.ehk)
		if !ok {
			return u128{}, invalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", e.ehk)
		}
		return h, nil
	}
	return partitionHash(e.pk), nil
}

func (s *Service) putRecord(ctx context.Context, body []byte) (any, error) {
	began := time.Now()
	var e putEntry
	var id streamIDInput
	var seqForOrdering *string
	sc := &jsonScanner{b: body}
	arena := make([]byte, 0, len(body))
	err := error(nil)
	if !sc.atEnd() {
		err = sc.object(func(key []byte) error {
			switch string(key) {
			case "StreamName":
				return sc.optString(&id.StreamName)
			case "StreamARN":
				return sc.optString(&id.StreamARN)
			case "StreamId":
				return sc.optString(&id.StreamId)
			case "SequenceNumberForOrdering":
				return sc.optString(&seqForOrdering)
			case "Data":
				var err error
				e.data, e.dataSet, arena, err = sc.blob(arena)
				return err
			case "PartitionKey":
				var err error
				e.pk, e.pkSet, arena, err = sc.text(arena)
				return err
			case "ExplicitHashKey":
				var err error
				e.ehk, e.ehkSet, arena, err = sc.text(arena)
				return err
			default:
				return sc.skip(1)
			}
		})
		if err == nil {
			err = sc.end()
		}
	}
	if err != nil {
		return nil, awserr.Serialization("Could not parse request body: %v", err)
	}
	var v validation
	id.check(&v)
	checkEntry(&v, &e, 0)
	v.pattern(seqForOrdering, "sequenceNumberForOrdering", `0|([1-9]\d{0,128})`, seqPatternOK)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := id.resolve(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.viewStream(ref)
	if err != nil {
		return nil, err
	}
	if m.creating(s.nowMs()) {
		return nil, streamNotFound(ref.name)
	}
	if seqForOrdering != nil && !orderingSeqOK(*seqForOrdering) {
		return nil, invalidArgument("ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.",
			*seqForOrdering, m.Name, wire.Account)
	}
	if err := checkRecordSize(m, &e, 0); err != nil {
		return nil, err
	}
	h, err := hashOf(&e)
	if err != nil {
		return nil, err
	}
	rec := []pending{{hash: h, size: len(e.data) + len(e.pk), shard: m.route(h)}}
	if s.limits != nil && rec[0].shard != nil && !s.limits.allowWrite(m.UID, rec[0].shard.Index, rec[0].size, s.cfg.Now()) {
		s.recordPut(ref.region, m.Name, true, putOutcome{records: 1, throttled: 1, latency: time.Since(began)})
		return nil, throughputExceeded(shardID(rec[0].shard.Index), m.Name)
	}
	rec[0].value = appendRecord(make([]byte, 0, encodedRecordLen(e.pk, e.data)), e.pk, e.data)
	used, err := s.write(ref, m, rec)
	if err != nil {
		return nil, err
	}
	s.recordPut(ref.region, m.Name, true, putOutcome{records: 1, succeeded: 1, bytes: rec[0].size, latency: time.Since(began)})
	s.recordShardPuts(ref.region, m.Name, rec)
	buf := make([]byte, 0, 160)
	buf = append(buf, `{"ShardId":"`...)
	buf = appendShardID(buf, rec[0].shard.Index)
	buf = append(buf, `","SequenceNumber":"`...)
	buf = appendSeq(buf, used.UID, rec[0].shard.Index, rec[0].counter)
	buf = append(buf, `","EncryptionType":"NONE"}`...)
	return wire.RawJSON(buf), nil
}

func (s *Service) putRecords(ctx context.Context, body []byte) (any, error) {
	began := time.Now()
	req, err := decodePutRecords(body)
	if err != nil {
		return nil, err
	}
	var v validation
	req.id.check(&v)
	v.required(req.recordsSet, "records")
	if req.recordsSet && (req.count < 1 || req.count > maxPutRecordsEntries) {
		bound := "Member must have length less than or equal to " + strconv.Itoa(maxPutRecordsEntries)
		if req.count < 1 {
			bound = "Member must have length greater than or equal to 1"
		}
		v.fail("'[...]'", "records", bound)
	}
	for i := range req.records {
		checkEntry(&v, &req.records[i], i+1)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := req.id.resolve(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.viewStream(ref)
	if err != nil {
		return nil, err
	}
	if m.creating(s.nowMs()) {
		return nil, streamNotFound(ref.name)
	}
	total, valueBytes := 0, 0
	for i := range req.records {
		e := &req.records[i]
		if err := checkRecordSize(m, e, i+1); err != nil {
			return nil, err
		}
		total += len(e.data) + len(e.pk)
		valueBytes += encodedRecordLen(e.pk, e.data)
	}
	if total > maxPutRecordsBytes {
		return nil, invalidArgument("Records size exceeds %d MB limit", maxPutRecordsBytes>>20)
	}
	recs := make([]pending, len(req.records))
	values := make([]byte, 0, valueBytes)
	now := s.cfg.Now()
	for i := range req.records {
		e := &req.records[i]
		h, err := hashOf(e)
		if err != nil {
			return nil, err
		}
		r := &recs[i]
		r.hash, r.size, r.shard = h, len(e.data)+len(e.pk), m.route(h)
		if s.limits != nil && r.shard != nil && !s.limits.allowWrite(m.UID, r.shard.Index, r.size, now) {
			r.failed = true
			continue
		}
		start := len(values)
		values = appendRecord(values, e.pk, e.data)
		r.value = values[start:len(values):len(values)]
	}
	used, err := s.write(ref, m, recs)
	if err != nil {
		return nil, err
	}
	o := putOutcome{records: len(recs)}
	for i := range recs {
		if recs[i].failed {
			o.throttled++
		} else {
			o.succeeded++
			o.bytes += recs[i].size
		}
	}
	o.latency = time.Since(began)
	s.recordPut(ref.region, m.Name, false, o)
	s.recordShardPuts(ref.region, m.Name, recs)
	return wire.RawJSON(encodePutRecordsResult(used, recs)), nil
}

func encodePutRecordsResult(m *streamMeta, recs []pending) []byte {
	failed := 0
	for i := range recs {
		if recs[i].failed {
			failed++
		}
	}
	buf := make([]byte, 0, 64+len(recs)*110)
	buf = append(buf, `{"FailedRecordCount":`...)
	buf = strconv.AppendInt(buf, int64(failed), 10)
	buf = append(buf, `,"Records":[`...)
	for i := range recs {
		r := &recs[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		if r.failed {
			buf = append(buf, `{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":`...)
			buf = wire.AppendJSONString(buf, throughputExceeded(shardID(r.shard.Index), m.Name).Message)
			buf = append(buf, '}')
			continue
		}
		buf = append(buf, `{"SequenceNumber":"`...)
		buf = appendSeq(buf, m.UID, r.shard.Index, r.counter)
		buf = append(buf, `","ShardId":"`...)
		buf = appendShardID(buf, r.shard.Index)
		buf = append(buf, `"}`...)
	}
	return append(buf, `],"EncryptionType":"NONE"}`...)
}
