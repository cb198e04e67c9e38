package sqs

import (
	"github.com/sluicehq/sluice/localengine/metrics"
)

// The AWS/SQS metrics, with AWS's names, units and QueueName dimension.
// Counts are reported as requests complete; the queue-depth gauges are
// sampled by the sweeper every gaugeEvery rounds.
const (
	nsSQS = "AWS/SQS"
	// gaugeEvery is the gauges' sampling interval, in sweeper rounds
	// (seconds).
	gaugeEvery = 5
)

func (s *Service) recorder() metrics.Recorder { return metrics.OrNop(s.cfg.Metrics) }

func queueDims(name string) []metrics.Dimension {
	return []metrics.Dimension{{Name: "QueueName", Value: name}}
}

// recordSent reports the messages a send added (sizes in bytes).
func (s *Service) recordSent(region, queue string, sizes []int) {
	r, dims, at := s.recorder(), queueDims(queue), s.cfg.Now()
	r.Add(region, nsSQS, "NumberOfMessagesSent", dims, "Count", float64(len(sizes)), at)
	for _, n := range sizes {
		r.Add(region, nsSQS, "SentMessageSize", dims, "Bytes", float64(n), at)
	}
}

// recordReceive reports one ReceiveMessage answer of n messages; an
// answer without any is an empty receive.
func (s *Service) recordReceive(region, queue string, n int) {
	r, dims, at := s.recorder(), queueDims(queue), s.cfg.Now()
	empty := 0.0
	if n == 0 {
		empty = 1
	}
	r.Add(region, nsSQS, "NumberOfMessagesReceived", dims, "Count", float64(n), at)
	r.Add(region, nsSQS, "NumberOfEmptyReceives", dims, "Count", empty, at)
}

// recordDeleted reports n successful deletes (AWS counts every delete
// with a valid receipt handle, repeated ones too).
func (s *Service) recordDeleted(region, queue string, n int) {
	s.recorder().Add(region, nsSQS, "NumberOfMessagesDeleted", queueDims(queue), "Count", float64(n), s.cfg.Now())
}

// queueGauge is one queue's depth at a sample.
type queueGauge struct {
	region, name               string
	visible, inFlight, delayed int
	oldestAgeSec               int64
}

// gaugesLocked samples every queue's depth; s.mu must be held. The
// datapoints are recorded after the lock is released (emitGauges).
func (s *Service) gaugesLocked(now int64) []queueGauge {
	out := make([]queueGauge, 0, len(s.byID))
	for _, q := range s.byID {
		g := queueGauge{region: q.rec.Region, name: q.rec.Name}
		g.visible, g.inFlight, g.delayed = q.idx.counts(now)
		if e := q.idx.oldest(); e != nil && now > e.enqAt {
			g.oldestAgeSec = (now - e.enqAt) / 1000
		}
		out = append(out, g)
	}
	return out
}

func (s *Service) emitGauges(gs []queueGauge) {
	r, at := s.recorder(), s.cfg.Now()
	for _, g := range gs {
		dims := queueDims(g.name)
		r.Add(g.region, nsSQS, "ApproximateNumberOfMessagesVisible", dims, "Count", float64(g.visible), at)
		r.Add(g.region, nsSQS, "ApproximateNumberOfMessagesNotVisible", dims, "Count", float64(g.inFlight), at)
		r.Add(g.region, nsSQS, "ApproximateNumberOfMessagesDelayed", dims, "Count", float64(g.delayed), at)
		r.Add(g.region, nsSQS, "ApproximateAgeOfOldestMessage", dims, "Seconds", float64(g.oldestAgeSec), at)
	}
}
