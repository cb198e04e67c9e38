package metrics

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
)

// ShardWindow is the span a shard's load is averaged over: long enough
// that one quiet minute does not hide a hot shard, short enough to show
// what is happening now.
const ShardWindow = 5 * time.Minute

// shardQueriesPerCall bounds one GetMetricData call: AWS takes at most
// 500 queries, three a shard.
const shardQueriesPerCall = 498

// ShardLoad is one shard's recent traffic, from its enhanced metrics.
type ShardLoad struct {
	// RecordsPerMinute and BytesPerMinute are IncomingRecords and
	// IncomingBytes over ShardWindow, per minute.
	RecordsPerMinute float64 `json:"recordsPerMinute"`
	BytesPerMinute   float64 `json:"bytesPerMinute"`
	// IteratorAgeMs is the largest IteratorAgeMilliseconds in the window;
	// HasAge is false when no consumer read the shard in it.
	IteratorAgeMs float64 `json:"iteratorAgeMs"`
	HasAge        bool    `json:"hasAge"`
}

// ShardLoads is what a stream's shard-level metrics say of its shards.
type ShardLoads struct {
	// Monitored is the shard-level metrics enabled on the stream
	// (DescribeStreamSummary's EnhancedMonitoring); on AWS none are by
	// default.
	Monitored []string
	// Loads maps a shard id to its load; a shard with no datapoint in
	// the window has none.
	Loads map[string]ShardLoad
}

// Monitoring reports whether the stream publishes the shard-level
// metrics a load needs (IncomingRecords at least).
func (l ShardLoads) Monitoring() bool { return slices.Contains(l.Monitored, "IncomingRecords") }

// ReadShardLoads reads the shard-level metrics of stream's shards over
// the ShardWindow ending at now: one DescribeStreamSummary, then one
// GetMetricData call per 166 shards. Without enhanced monitoring the
// metrics are not read (AWS publishes none), and Loads is empty.
func ReadShardLoads(ctx context.Context, s *backend.Session, stream string, shards []string, now time.Time) (ShardLoads, error) {
	sum, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return ShardLoads{}, fmt.Errorf("enhanced monitoring of %s: %w", stream, s.Explain(err))
	}
	out := ShardLoads{Loads: map[string]ShardLoad{}}
	if d := sum.StreamDescriptionSummary; d != nil {
		for _, em := range d.EnhancedMonitoring {
			for _, m := range em.ShardLevelMetrics {
				out.Monitored = append(out.Monitored, string(m))
			}
		}
	}
	if !out.Monitoring() || len(shards) == 0 {
		return out, nil
	}
	end := now.Truncate(time.Minute).Add(time.Minute) // the minute under way counts
	start := end.Add(-ShardWindow)
	per := shardQueriesPerCall / 3
	for i := 0; i < len(shards); i += per {
		chunk := shards[i:min(i+per, len(shards))]
		if err := readShardChunk(ctx, s, stream, chunk, start, end, out.Loads); err != nil {
			return out, err
		}
	}
	return out, nil
}

// shardStats are the three metrics of a load, in query order.
var shardStats = []metric{
	{"IncomingRecords", "Sum", "Count"},
	{"IncomingBytes", "Sum", "Bytes"},
	{"IteratorAgeMilliseconds", "Maximum", "Milliseconds"},
}

func readShardChunk(ctx context.Context, s *backend.Session, stream string, shards []string, start, end time.Time, into map[string]ShardLoad) error {
	queries := make([]types.MetricDataQuery, 0, len(shards)*len(shardStats))
	for i, shard := range shards {
		for j, m := range shardStats {
			queries = append(queries, types.MetricDataQuery{
				// "s<shard index>_<metric index>": ids must start lowercase.
				Id: aws.String("s" + strconv.Itoa(i) + "_" + strconv.Itoa(j)),
				MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String("AWS/Kinesis"), MetricName: aws.String(m.name),
						Dimensions: dims("StreamName", stream, "ShardId", shard)},
					Period: aws.Int32(int32(ShardWindow / time.Second)), Stat: aws.String(m.stat),
				},
				ReturnData: aws.Bool(true),
			})
		}
	}
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: queries, StartTime: aws.Time(start), EndTime: aws.Time(end)}
	minutes := ShardWindow.Minutes()
	for {
		out, err := s.CloudWatch().GetMetricData(ctx, in)
		if err != nil {
			return fmt.Errorf("shard metrics of %s: %w", stream, s.Explain(err))
		}
		for _, r := range out.MetricDataResults {
			shard, stat, ok := parseShardQueryID(aws.ToString(r.Id), len(shards))
			if !ok || len(r.Values) == 0 {
				continue
			}
			l := into[shards[shard]]
			switch stat {
			case 0:
				l.RecordsPerMinute += sumOf(r.Values) / minutes
			case 1:
				l.BytesPerMinute += sumOf(r.Values) / minutes
			case 2:
				l.IteratorAgeMs, l.HasAge = max(l.IteratorAgeMs, slices.Max(r.Values)), true
			}
			into[shards[shard]] = l
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in.NextToken = out.NextToken
	}
}

// parseShardQueryID reads "s<shard>_<stat>" back; ids come from the
// answer, so they are checked against what was asked.
func parseShardQueryID(id string, shards int) (shard, stat int, ok bool) {
	if len(id) < 4 || id[0] != 's' {
		return 0, 0, false
	}
	for i := 1; i < len(id); i++ {
		if id[i] != '_' {
			continue
		}
		a, errA := strconv.Atoi(id[1:i])
		b, errB := strconv.Atoi(id[i+1:])
		if errA != nil || errB != nil || a < 0 || a >= shards || b < 0 || b >= len(shardStats) {
			return 0, 0, false
		}
		return a, b, true
	}
	return 0, 0, false
}

func sumOf(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

// Hot lists the shards among open whose incoming records are at least
// twice the mean of open: the shards a partition key scheme overloads.
// Shards with no load count as zero; with fewer than two shards there is
// nothing to compare, so none is hot.
func (l ShardLoads) Hot(open []string) map[string]bool {
	hot := map[string]bool{}
	if len(open) < 2 {
		return hot
	}
	total := 0.0
	for _, id := range open {
		total += l.Loads[id].RecordsPerMinute
	}
	mean := total / float64(len(open))
	for _, id := range open {
		if r := l.Loads[id].RecordsPerMinute; r > 0 && r >= 2*mean {
			hot[id] = true
		}
	}
	return hot
}
