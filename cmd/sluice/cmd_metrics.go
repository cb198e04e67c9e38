package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/metrics"
)

// metricRow is one series of one resource.
type metricRow struct {
	Resource string `json:"resource"`
	metrics.Series
}

func newMetricsCmd() *cobra.Command {
	var f opsFlags
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "metrics RESOURCE",
		Short: "Show a stream's, queue's or pipe's CloudWatch metrics over the last --since",
		Long: `Show the CloudWatch metrics of RESOURCE over the last --since, one row per
metric with its sum, maximum, last value and a sparkline.

RESOURCE is stream/NAME, queue/NAME, pipe/NAME, shard/STREAM/SHARD, an ARN,
a queue URL, or a bare name, tried as a stream, then a queue, then a pipe.
The period is chosen from the range: one minute up to a day, longer beyond,
so that a series never has more than 1,440 points. Periods without data are
left empty, never shown as zero.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if since <= 0 {
				return fmt.Errorf("--since %v: want a positive duration such as 15m, 3h or 48h", since)
			}
			ctx := cmd.Context()
			o, err := openOps(ctx, cmd, f)
			if err != nil {
				return err
			}
			defer o.close()
			res, err := resolveMetricResource(ctx, o.session, args[0])
			if err != nil {
				return err
			}
			end := time.Now()
			start := end.Add(-since)
			series, err := res.read(ctx, o.session, start, end)
			if err != nil {
				return err
			}
			rows := make([]metricRow, len(series))
			for i, s := range series {
				rows[i] = metricRow{Resource: res.String(), Series: s}
			}
			if o.out.format == "table" && len(series) > 0 {
				fmt.Fprintf(o.out.w, "%s, %s to %s UTC, %d s periods\n", inert.Line(res.String()),
					start.UTC().Format("2006-01-02 15:04"), end.UTC().Format("15:04"), series[0].Period)
			}
			return printRows(o.out, rows, metricColumns(start, end))
		},
	}
	addOpsFlags(cmd, &f)
	cmd.Flags().DurationVar(&since, "since", time.Hour, "how far back to look (15m, 3h, 48h, …)")
	return cmd
}

// metricResource is what RESOURCE named.
type metricResource struct {
	kind, name, shard string
}

func (r metricResource) String() string {
	if r.kind == "shard" {
		return "shard/" + r.name + "/" + r.shard
	}
	return r.kind + "/" + r.name
}

func (r metricResource) read(ctx context.Context, s *backend.Session, start, end time.Time) ([]metrics.Series, error) {
	switch r.kind {
	case "stream":
		return metrics.ForStream(ctx, s, r.name, start, end)
	case "queue":
		return metrics.ForQueue(ctx, s, r.name, start, end)
	case "pipe":
		return metrics.ForPipe(ctx, s, r.name, start, end)
	}
	return metrics.ForShard(ctx, s, r.name, r.shard, start, end)
}

// resolveMetricResource reads kind/NAME, an ARN or a queue URL as it
// stands, and looks a bare name up as a stream, a queue, then a pipe.
func resolveMetricResource(ctx context.Context, s *backend.Session, ref string) (metricResource, error) {
	if kind, name, ok := strings.Cut(ref, "/"); ok && !strings.Contains(kind, ":") {
		switch kind {
		case "stream", "pipe":
			return metricResource{kind: kind, name: name}, nil
		case "queue":
			return metricResource{kind: kind, name: inventory.QueueName(name)}, nil
		case "shard":
			stream, shard, ok := strings.Cut(name, "/")
			if !ok || stream == "" || shard == "" {
				return metricResource{}, fmt.Errorf("metrics %q: want shard/STREAM/SHARD", ref)
			}
			return metricResource{kind: kind, name: stream, shard: shard}, nil
		}
		return metricResource{}, fmt.Errorf("metrics %q: want stream/NAME, queue/NAME, pipe/NAME, shard/STREAM/SHARD or a name", ref)
	}
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		return metricResource{kind: "queue", name: inventory.QueueName(ref)}, nil
	}
	if a, err := backend.ParseARN(ref); err == nil {
		switch a.Service {
		case "kinesis":
			return metricResource{kind: "stream", name: a.Name()}, nil
		case "sqs":
			return metricResource{kind: "queue", name: a.Name()}, nil
		case "pipes":
			return metricResource{kind: "pipe", name: a.Name()}, nil
		}
		return metricResource{}, fmt.Errorf("metrics %q: sluice shows the metrics of streams, queues and pipes", ref)
	}
	_, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(ref)})
	if err == nil {
		return metricResource{kind: "stream", name: ref}, nil
	}
	if !backend.IsCode(err, "ResourceNotFoundException", "ValidationException", "InvalidArgumentException") {
		return metricResource{}, fmt.Errorf("metrics %s: %w", ref, s.Explain(err))
	}
	_, err = s.SQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(ref)})
	if err == nil {
		return metricResource{kind: "queue", name: ref}, nil
	}
	if !backend.IsCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "InvalidParameterValue", "ValidationError") {
		return metricResource{}, fmt.Errorf("metrics %s: %w", ref, s.Explain(err))
	}
	_, err = s.Pipes().DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String(ref)})
	if err == nil {
		return metricResource{kind: "pipe", name: ref}, nil
	}
	if !backend.IsCode(err, "NotFoundException", "ValidationException") {
		return metricResource{}, fmt.Errorf("metrics %s: %w", ref, s.Explain(err))
	}
	return metricResource{}, fmt.Errorf("metrics %s: no stream, queue or pipe has that name on profile %s (region %s)", ref, s.Profile.Name, s.Region)
}

// sparkWidth is the sparkline's width in cells.
const sparkWidth = 30

func metricColumns(start, end time.Time) []column[metricRow] {
	return []column[metricRow]{
		{"METRIC", func(r metricRow) string { return r.Name }},
		{"STAT", func(r metricRow) string { return r.Stat }},
		{"SUM", func(r metricRow) string {
			if r.Stat != "Sum" || len(r.Points) == 0 {
				return "-"
			}
			return metricValue(r.Sum(), r.Unit)
		}},
		{"MAX", func(r metricRow) string {
			if len(r.Points) == 0 {
				return "-"
			}
			return metricValue(r.Max(), r.Unit)
		}},
		{"LAST", func(r metricRow) string {
			p, ok := r.Last()
			if !ok {
				return "-"
			}
			return metricValue(p.Value, r.Unit)
		}},
		{"TREND", func(r metricRow) string {
			if len(r.Points) == 0 {
				return "no data"
			}
			return sparkline(r.Series, start, end, sparkWidth)
		}},
	}
}

// metricValue writes a value in its unit, compactly.
func metricValue(v float64, unit string) string {
	switch unit {
	case "Bytes":
		return byteSize(v)
	case "Milliseconds":
		if v >= 1000 {
			return (time.Duration(v) * time.Millisecond).Round(100 * time.Millisecond).String()
		}
		return trimFloat(v) + "ms"
	case "Seconds":
		return (time.Duration(v) * time.Second).String()
	}
	return trimFloat(v)
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func byteSize(v float64) string {
	const unit = 1024
	if v < unit {
		return trimFloat(v) + " B"
	}
	exp, n := 0, v
	for n >= unit && exp < 5 {
		n /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", n, "KMGTP"[exp-1])
}

// sparkTicks are the eight heights of a sparkline cell.
var sparkTicks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws s over [start, end) in at most width cells: each cell
// is one or more periods (added up for a Sum, their maximum otherwise);
// a cell without any datapoint stays blank, so that a gap shows as one.
func sparkline(s metrics.Series, start, end time.Time, width int) string {
	period := time.Duration(max(s.Period, 1)) * time.Second
	start = start.Truncate(period)
	slots := int(math.Ceil(float64(end.Sub(start)) / float64(period)))
	slots = max(slots, 1)
	cells := min(slots, width)
	vals := make([]float64, cells)
	has := make([]bool, cells)
	for _, p := range s.Points {
		slot := int(p.Time.Sub(start) / period)
		if slot < 0 || slot >= slots {
			continue
		}
		c := slot * cells / slots
		switch {
		case !has[c]:
			vals[c] = p.Value
		case s.Stat == "Sum":
			vals[c] += p.Value
		default:
			vals[c] = max(vals[c], p.Value)
		}
		has[c] = true
	}
	top := 0.0
	for c, v := range vals {
		if has[c] {
			top = max(top, v)
		}
	}
	var b strings.Builder
	for c, v := range vals {
		switch {
		case !has[c]:
			b.WriteByte(' ')
		case top <= 0:
			b.WriteRune(sparkTicks[0])
		default:
			level := int(math.Round(v / top * float64(len(sparkTicks)-1)))
			b.WriteRune(sparkTicks[min(max(level, 0), len(sparkTicks)-1)])
		}
	}
	return strings.TrimRight(b.String(), " ")
}
