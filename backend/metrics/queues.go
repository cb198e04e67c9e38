package metrics

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
)

// queuesAtOnce bounds the GetMetricData calls ForQueues has in flight:
// CloudWatch's quota is shared with the account's dashboards and alarms.
const queuesAtOnce = 6

// ForQueues reads the AWS/SQS metrics of each named queue between start
// and end, a few at a time. A queue whose metrics could not be read is
// left out of the map and named among the failures; the others are kept.
func ForQueues(ctx context.Context, s *backend.Session, names []string, start, end time.Time) (map[string][]Series, backend.Failures) {
	out := make(map[string][]Series, len(names))
	var fails backend.Failures
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(queuesAtOnce)
	for _, name := range names {
		g.Go(func() error {
			series, err := ForQueue(ctx, s, name, start, end)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fails = append(fails, s.Failure("cloudwatch", "queue "+name, err))
				return nil
			}
			out[name] = series
			return nil
		})
	}
	_ = g.Wait() // each goroutine keeps its error as a failure
	return out, fails
}
