package kinesis

import (
	"time"

	"github.com/sluicehq/sluice/localengine/metrics"
)

// The stream-level AWS/Kinesis metrics, with AWS's names and units.
// Throughput-exceeded metrics also get 0-valued datapoints on success, so
// that charts have data when nothing is throttled.
const nsKinesis = "AWS/Kinesis"

// putOutcome is what one PutRecord or PutRecords call did.
type putOutcome struct {
	records, succeeded, throttled int
	bytes                         int // of the records written
	latency                       time.Duration
}

func (s *Service) recorder() metrics.Recorder { return metrics.OrNop(s.cfg.Metrics) }

func streamDims(stream string) []metrics.Dimension {
	return []metrics.Dimension{{Name: "StreamName", Value: stream}}
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// recordPut reports a PutRecord (single) or PutRecords call.
func (s *Service) recordPut(region, stream string, single bool, o putOutcome) {
	r, dims, at := s.recorder(), streamDims(stream), s.cfg.Now()
	add := func(name, unit string, v float64) { r.Add(region, nsKinesis, name, dims, unit, v, at) }
	add("IncomingRecords", "Count", float64(o.succeeded))
	add("IncomingBytes", "Bytes", float64(o.bytes))
	add("WriteProvisionedThroughputExceeded", "Count", float64(o.throttled))
	if single {
		add("PutRecord.Success", "Count", b2f(o.succeeded > 0))
		add("PutRecord.Bytes", "Bytes", float64(o.bytes))
		add("PutRecord.Latency", "Milliseconds", millis(o.latency))
		return
	}
	add("PutRecords.Success", "Count", b2f(o.succeeded > 0))
	add("PutRecords.TotalRecords", "Count", float64(o.records))
	add("PutRecords.SuccessfulRecords", "Count", float64(o.succeeded))
	// On AWS FailedRecords counts internal failures and ThrottledRecords
	// throttling; this engine only ever throttles.
	add("PutRecords.FailedRecords", "Count", 0)
	add("PutRecords.ThrottledRecords", "Count", float64(o.throttled))
	add("PutRecords.Bytes", "Bytes", float64(o.bytes))
	add("PutRecords.Latency", "Milliseconds", millis(o.latency))
}

// shardDims are the dimensions of a shard-level (enhanced) metric.
func shardDims(stream string, shard uint64) []metrics.Dimension {
	return []metrics.Dimension{{Name: "StreamName", Value: stream}, {Name: "ShardId", Value: shardID(shard)}}
}

// recordShardPuts reports the records a put wrote as each shard's
// IncomingRecords and IncomingBytes, the shard-level metrics AWS
// publishes under enhanced monitoring: what shows a hot shard.
func (s *Service) recordShardPuts(region, stream string, recs []pending) {
	type load struct{ records, bytes int }
	per := map[uint64]*load{}
	var order []uint64
	for i := range recs {
		if recs[i].failed || recs[i].shard == nil {
			continue
		}
		idx := recs[i].shard.Index
		l := per[idx]
		if l == nil {
			l = &load{}
			per[idx] = l
			order = append(order, idx)
		}
		l.records++
		l.bytes += recs[i].size
	}
	r, at := s.recorder(), s.cfg.Now()
	for _, idx := range order {
		dims := shardDims(stream, idx)
		r.Add(region, nsKinesis, "IncomingRecords", dims, "Count", float64(per[idx].records), at)
		r.Add(region, nsKinesis, "IncomingBytes", dims, "Bytes", float64(per[idx].bytes), at)
	}
}

// recordGet reports a successful GetRecords call on shard; ageMs is the
// age of the last record returned (0 when none was).
func (s *Service) recordGet(region, stream string, shard uint64, records, bytes int, ageMs int64, latency time.Duration) {
	r, dims, at := s.recorder(), streamDims(stream), s.cfg.Now()
	sd := shardDims(stream, shard)
	r.Add(region, nsKinesis, "IteratorAgeMilliseconds", sd, "Milliseconds", float64(max(ageMs, 0)), at)
	r.Add(region, nsKinesis, "OutgoingRecords", sd, "Count", float64(records), at)
	r.Add(region, nsKinesis, "OutgoingBytes", sd, "Bytes", float64(bytes), at)
	add := func(name, unit string, v float64) { r.Add(region, nsKinesis, name, dims, unit, v, at) }
	add("GetRecords.Success", "Count", 1)
	add("GetRecords.Records", "Count", float64(records))
	add("GetRecords.Bytes", "Bytes", float64(bytes))
	add("GetRecords.IteratorAgeMilliseconds", "Milliseconds", float64(max(ageMs, 0)))
	add("GetRecords.Latency", "Milliseconds", millis(latency))
	add("ReadProvisionedThroughputExceeded", "Count", 0)
}

// recordReadThrottled reports a GetRecords call refused for throughput.
func (s *Service) recordReadThrottled(region, stream string) {
	r, dims, at := s.recorder(), streamDims(stream), s.cfg.Now()
	r.Add(region, nsKinesis, "ReadProvisionedThroughputExceeded", dims, "Count", 1, at)
	r.Add(region, nsKinesis, "GetRecords.Success", dims, "Count", 0, at)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
