// Package metrics is how the engine's services report their activity as
// CloudWatch datapoints, under AWS's own namespaces, names and dimensions.
package metrics

import "time"

// Dimension is a CloudWatch dimension.
type Dimension struct {
	Name  string
	Value string
}

// Recorder takes the datapoints that services emit. Implementations are
// safe for concurrent use and never block the caller on I/O.
type Recorder interface {
	// Add records one observation of a metric in region at time at. Several
	// observations in the same second are aggregated (count, sum, min, max).
	Add(region, namespace, name string, dims []Dimension, unit string, value float64, at time.Time)
}

// Nop is a Recorder that discards everything, for services run without
// metrics (unit tests).
type Nop struct{}

// Add discards the observation.
func (Nop) Add(string, string, string, []Dimension, string, float64, time.Time) {}

// OrNop returns r, or Nop when r is nil.
func OrNop(r Recorder) Recorder {
	if r == nil {
		return Nop{}
	}
	return r
}
