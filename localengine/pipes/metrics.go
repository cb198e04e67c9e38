package pipes

import "time"

// namespace is where AWS reports pipe metrics, with dimension PipeName.
const namespace = "AWS/EventBridge/Pipes"

// recordAttempt reports one invocation of the target with a batch of
// events, of which delivered were taken before err (if any).
func (r *runner) recordAttempt(events, delivered int, throttled bool, err error, took time.Duration) {
	now := r.s.cfg.Now()
	add := func(name, unit string, v float64) {
		r.s.metrics.Add(r.region, namespace, name, r.dims, unit, v, now)
	}
	ms := float64(took) / float64(time.Millisecond)
	add("Invocations", "Count", 1)
	add("EventCount", "Count", float64(events))
	add("TargetStageDuration", "Milliseconds", ms)
	add("Duration", "Milliseconds", ms)
	if err == nil {
		add("TargetStageSucceeded", "Count", 1)
		return
	}
	add("ExecutionFailed", "Count", 1)
	add("TargetStageFailed", "Count", 1)
	if throttled {
		add("ExecutionThrottled", "Count", 1)
	}
	if delivered > 0 {
		add("ExecutionPartiallyFailed", "Count", 1)
	}
}
