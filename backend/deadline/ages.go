package deadline

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sluicehq/sluice/backend"
)

// queriesPerCall is GetMetricData's limit of queries in one request.
const queriesPerCall = 500

// ageWindow is how far back the latest ApproximateAgeOfOldestMessage is
// looked for: SQS publishes it every minute, CloudWatch shows it a few
// minutes late.
const ageWindow = 15 * time.Minute

// OldestAges reads each queue's latest ApproximateAgeOfOldestMessage, in
// seconds, by name: one GetMetricData call for up to 500 queues, instead
// of one per queue. A queue CloudWatch has no point for is left out.
func OldestAges(ctx context.Context, s *backend.Session, names []string, now time.Time) (map[string]float64, error) {
	out := make(map[string]float64, len(names))
	for from := 0; from < len(names); from += queriesPerCall {
		batch := names[from:min(from+queriesPerCall, len(names))]
		queries := make([]types.MetricDataQuery, len(batch))
		for i, name := range batch {
			queries[i] = types.MetricDataQuery{
				Id: aws.String("q" + strconv.Itoa(i)),
				MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateAgeOfOldestMessage"),
						Dimensions: []types.Dimension{{Name: aws.String("QueueName"), Value: aws.String(name)}}},
					Period: aws.Int32(60), Stat: aws.String("Maximum"),
				},
				ReturnData: aws.Bool(true),
			}
		}
		in := &cloudwatch.GetMetricDataInput{MetricDataQueries: queries,
			StartTime: aws.Time(now.Add(-ageWindow).Truncate(time.Minute)), EndTime: aws.Time(now.Add(time.Minute)),
			ScanBy: types.ScanByTimestampDescending}
		latest := map[int]time.Time{}
		for {
			page, err := s.CloudWatch().GetMetricData(ctx, in)
			if err != nil {
				return out, fmt.Errorf("age of the oldest message of %d queues: %w", len(batch), s.Explain(err))
			}
			for _, r := range page.MetricDataResults {
				id := aws.ToString(r.Id)
				if len(id) < 2 {
					continue
				}
				i, err := strconv.Atoi(id[1:])
				if err != nil || i < 0 || i >= len(batch) {
					continue
				}
				for j := range min(len(r.Timestamps), len(r.Values)) {
					if t := r.Timestamps[j]; t.After(latest[i]) {
						latest[i] = t
						out[batch[i]] = r.Values[j]
					}
				}
			}
			if aws.ToString(page.NextToken) == "" {
				break
			}
			in.NextToken = page.NextToken
		}
	}
	return out, nil
}
