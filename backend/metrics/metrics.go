// Package metrics reads the CloudWatch metrics of a stream, a queue or a
// pipe over a time range, as series ready to chart.
package metrics

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sluicehq/sluice/backend"
)

// Point is one datapoint: the statistic over the period starting at Time.
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// Series is one metric's statistic over a range, oldest point first.
// Periods with no data have no point: nothing is invented.
type Series struct {
	Name   string  `json:"name"`
	Stat   string  `json:"stat"` // Sum, Maximum or Average
	Unit   string  `json:"unit"`
	Period int32   `json:"period"` // seconds
	Points []Point `json:"points"`
}

// Sum adds the series' values.
func (s Series) Sum() float64 {
	total := 0.0
	for _, p := range s.Points {
		total += p.Value
	}
	return total
}

// Max is the largest value, 0 for an empty series.
func (s Series) Max() float64 {
	m := 0.0
	for i, p := range s.Points {
		if i == 0 || p.Value > m {
			m = p.Value
		}
	}
	return m
}

// Last is the newest point.
func (s Series) Last() (Point, bool) {
	if len(s.Points) == 0 {
		return Point{}, false
	}
	return s.Points[len(s.Points)-1], true
}

// metric is one metric to read and how.
type metric struct {
	name, stat, unit string
}

// The metrics of each resource, in the order they are shown.
var (
	streamMetrics = []metric{
		{"IncomingRecords", "Sum", "Count"},
		{"IncomingBytes", "Sum", "Bytes"},
		{"GetRecords.IteratorAgeMilliseconds", "Maximum", "Milliseconds"},
		{"GetRecords.Records", "Sum", "Count"},
		{"PutRecords.FailedRecords", "Sum", "Count"},
		{"WriteProvisionedThroughputExceeded", "Sum", "Count"},
		{"ReadProvisionedThroughputExceeded", "Sum", "Count"},
	}
	// shardMetrics are Kinesis's enhanced (shard-level) metrics, which a
	// stream reports only when they are enabled.
	shardMetrics = []metric{
		{"IncomingRecords", "Sum", "Count"},
		{"IncomingBytes", "Sum", "Bytes"},
		{"IteratorAgeMilliseconds", "Maximum", "Milliseconds"},
		{"OutgoingRecords", "Sum", "Count"},
		{"WriteProvisionedThroughputExceeded", "Sum", "Count"},
		{"ReadProvisionedThroughputExceeded", "Sum", "Count"},
	}
	queueMetrics = []metric{
		{"ApproximateNumberOfMessagesVisible", "Maximum", "Count"},
		{"ApproximateNumberOfMessagesNotVisible", "Maximum", "Count"},
		{"ApproximateAgeOfOldestMessage", "Maximum", "Seconds"},
		{"NumberOfMessagesSent", "Sum", "Count"},
		{"NumberOfMessagesReceived", "Sum", "Count"},
		{"NumberOfMessagesDeleted", "Sum", "Count"},
	}
	pipeMetrics = []metric{
		{"Invocations", "Sum", "Count"},
		{"EventCount", "Sum", "Count"},
		{"ExecutionFailed", "Sum", "Count"},
		{"ExecutionThrottled", "Sum", "Count"},
		{"ExecutionPartiallyFailed", "Sum", "Count"},
		{"TargetStageFailed", "Sum", "Count"},
		{"TargetStageDuration", "Average", "Milliseconds"},
		{"Duration", "Average", "Milliseconds"},
	}
	// functionMetrics are a Lambda function's, the target of an event
	// source mapping.
	functionMetrics = []metric{
		{"Invocations", "Sum", "Count"},
		{"Errors", "Sum", "Count"},
		{"Throttles", "Sum", "Count"},
		{"Duration", "Average", "Milliseconds"},
		{"IteratorAge", "Maximum", "Milliseconds"},
	}
)

// ForStream reads a stream's AWS/Kinesis metrics between start and end.
func ForStream(ctx context.Context, s *backend.Session, stream string, start, end time.Time) ([]Series, error) {
	return read(ctx, s, "AWS/Kinesis", dims("StreamName", stream), streamMetrics, start, end)
}

// ForShard reads a shard's enhanced metrics between start and end; they
// are empty unless shard-level monitoring is enabled on the stream.
func ForShard(ctx context.Context, s *backend.Session, stream, shard string, start, end time.Time) ([]Series, error) {
	return read(ctx, s, "AWS/Kinesis", dims("StreamName", stream, "ShardId", shard), shardMetrics, start, end)
}

// ForQueue reads a queue's AWS/SQS metrics between start and end.
func ForQueue(ctx context.Context, s *backend.Session, queueName string, start, end time.Time) ([]Series, error) {
	return read(ctx, s, "AWS/SQS", dims("QueueName", queueName), queueMetrics, start, end)
}

// ForPipe reads a pipe's AWS/EventBridge/Pipes metrics between start and
// end.
func ForPipe(ctx context.Context, s *backend.Session, pipeName string, start, end time.Time) ([]Series, error) {
	return read(ctx, s, "AWS/EventBridge/Pipes", dims("PipeName", pipeName), pipeMetrics, start, end)
}

// ForFunction reads a Lambda function's AWS/Lambda metrics between start
// and end.
func ForFunction(ctx context.Context, s *backend.Session, function string, start, end time.Time) ([]Series, error) {
	return read(ctx, s, "AWS/Lambda", dims("FunctionName", function), functionMetrics, start, end)
}

func dims(kv ...string) []types.Dimension {
	out := make([]types.Dimension, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// read asks for every metric in one GetMetricData call, paged by
// NextToken; a later page may continue a series an earlier one began.
func read(ctx context.Context, s *backend.Session, namespace string, dims []types.Dimension, ms []metric, start, end time.Time) ([]Series, error) {
	return readPaged(ctx, s, namespace, dims, ms, start, end, 0)
}

// readPaged is read with pages of at most pageSize points (0 for
// CloudWatch's default), so that tests see several pages.
func readPaged(ctx context.Context, s *backend.Session, namespace string, dims []types.Dimension, ms []metric, start, end time.Time, pageSize int32) ([]Series, error) {
	if !start.Before(end) {
		return nil, fmt.Errorf("metrics: start %s is not before end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	period := periodFor(start, end, time.Now())
	// Aligned to the period, CloudWatch's buckets fall on round times.
	start = start.Truncate(time.Duration(period) * time.Second)
	series := make([]Series, len(ms))
	queries := make([]types.MetricDataQuery, len(ms))
	for i, m := range ms {
		series[i] = Series{Name: m.name, Stat: m.stat, Unit: m.unit, Period: period, Points: []Point{}}
		queries[i] = types.MetricDataQuery{
			Id: aws.String("m" + strconv.Itoa(i)),
			MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String(namespace), MetricName: aws.String(m.name), Dimensions: dims},
				Period: aws.Int32(period), Stat: aws.String(m.stat),
			},
			ReturnData: aws.Bool(true),
		}
	}
	in := &cloudwatch.GetMetricDataInput{
		MetricDataQueries: queries, StartTime: aws.Time(start), EndTime: aws.Time(end),
		ScanBy: types.ScanByTimestampAscending,
	}
	if pageSize > 0 {
		in.MaxDatapoints = aws.Int32(pageSize)
	}
	for {
		out, err := s.CloudWatch().GetMetricData(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("metrics of %s %s: %w", namespace, aws.ToString(dims[0].Value), s.Explain(err))
		}
		for _, r := range out.MetricDataResults {
			i, err := strconv.Atoi(aws.ToString(r.Id)[1:])
			if err != nil || i < 0 || i >= len(series) {
				continue
			}
			for j := range min(len(r.Timestamps), len(r.Values)) {
				series[i].Points = append(series[i].Points, Point{Time: r.Timestamps[j], Value: r.Values[j]})
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for i := range series {
		pts := series[i].Points
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].Time.Before(pts[b].Time) })
	}
	return series, nil
}
