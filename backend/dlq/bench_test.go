package dlq_test

import (
	"testing"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
)

// BenchmarkBrowse1000 browses a queue of 1,000 messages: 100 receives and
// 100 visibility releases a browse. It reports messages browsed a second.
func BenchmarkBrowse1000(b *testing.B) {
	s, e := backendtest.Open(b)
	url, _ := createQueue(b, e, "bench", nil)
	send(b, e, url, numbered(1000))
	b.ResetTimer()
	for b.Loop() {
		res, err := dlq.Browse(testCtx(b), s, url, dlq.BrowseOptions{})
		if err != nil || len(res.Messages) != 1000 || res.Released != 1000 {
			b.Fatalf("%v: %d messages, %d released", err, len(res.Messages), res.Released)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
