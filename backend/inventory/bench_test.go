package inventory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// BenchmarkDLQs500Queues measures DLQ discovery over 500 queues, one in
// ten a DLQ of the next: every queue is described and its tags read.
func BenchmarkDLQs500Queues(b *testing.B) {
	s, e := backendtest.Open(b)
	var dlqARN string
	for i := range 500 {
		name := fmt.Sprintf("q-%03d", i)
		if i%10 == 0 {
			_, dlqARN = inventorytest.Queue(b, e, name, nil)
			continue
		}
		inventorytest.Queue(b, e, name, nil, "RedrivePolicy", `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":3}`)
	}
	ctx := context.Background()
	for b.Loop() {
		l := inventory.ListDLQs(ctx, s, nil)
		if len(l.DLQs) != 50 || len(l.Failures) != 1 {
			b.Fatalf("%d DLQs, failures %v", len(l.DLQs), l.Failures)
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "queues/s")
}
