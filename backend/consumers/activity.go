package consumers

import (
	"context"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/metrics"
)

// Window is how far back a description's activity looks.
const Window = time.Hour

// Activity is what a consumer did over the last Window, from CloudWatch:
// AWS/EventBridge/Pipes for a pipe (Invocations, ExecutionFailed,
// TargetStageDuration), AWS/Lambda for a mapping's function
// (Invocations, Errors, Duration).
type Activity struct {
	Invocations float64 `json:"invocations"`
	Failures    float64 `json:"failures"`
	// TargetDurationMs is the mean time of a target call, each minute's
	// average weighted by its invocations; 0 when there were none.
	TargetDurationMs float64 `json:"targetDurationMs"`
	// Reported is false when CloudWatch had no point at all: the
	// consumer did nothing, or its metrics are not published.
	Reported bool `json:"reported"`
}

// activity reads c's last Window of metrics, ending at now.
func activity(ctx context.Context, s *backend.Session, c Consumer, now time.Time) (Activity, error) {
	start := now.Add(-Window)
	var series []metrics.Series
	var err error
	names := [3]string{"Invocations", "ExecutionFailed", "TargetStageDuration"}
	if c.Kind == KindESM {
		names = [3]string{"Invocations", "Errors", "Duration"}
		series, err = metrics.ForFunction(ctx, s, c.Function, start, now)
	} else {
		series, err = metrics.ForPipe(ctx, s, c.Name, start, now)
	}
	if err != nil {
		return Activity{}, err
	}
	return summarise(series, names[0], names[1], names[2]), nil
}

// summarise totals the invocation and failure series and weighs the
// duration series' per-period averages by the invocations of the period.
func summarise(series []metrics.Series, invocations, failures, duration string) Activity {
	var a Activity
	perPeriod := map[time.Time]float64{}
	var dur metrics.Series
	for _, sr := range series {
		if len(sr.Points) > 0 {
			a.Reported = true
		}
		switch sr.Name {
		case invocations:
			a.Invocations = sr.Sum()
			for _, p := range sr.Points {
				perPeriod[p.Time] = p.Value
			}
		case failures:
			a.Failures = sr.Sum()
		case duration:
			dur = sr
		}
	}
	var weighted, weight float64
	for _, p := range dur.Points {
		w := perPeriod[p.Time]
		weighted += p.Value * w
		weight += w
	}
	if weight > 0 {
		a.TargetDurationMs = weighted / weight
	}
	return a
}

// Description is a consumer with its recent activity. An activity that
// could not be read is a Failure beside the consumer, not an error.
type Description struct {
	Consumer
	LastHour        *Activity        `json:"lastHour,omitempty"`
	ActivityFailure *backend.Failure `json:"activityFailure,omitempty"`
}

// Describe reads a consumer and its last hour's activity.
func Describe(ctx context.Context, s *backend.Session, r Ref) (Description, error) {
	c, err := Get(ctx, s, r)
	if err != nil {
		return Description{}, err
	}
	d := Description{Consumer: c}
	a, err := activity(ctx, s, c, time.Now())
	if err != nil {
		f := s.Failure("cloudwatch", "metrics of "+r.String(), err)
		d.ActivityFailure = &f
		return d, nil
	}
	d.LastHour = &a
	return d, nil
}
