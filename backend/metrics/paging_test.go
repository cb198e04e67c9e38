package metrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/backendtest"
)

// TestSeriesContinueAcrossPages reads with one point a page, so that
// every series spans pages, and checks nothing is lost or repeated.
func TestSeriesContinueAcrossPages(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for minute := range 3 {
		var entries []ktypes.PutRecordsRequestEntry
		for i := range minute + 1 {
			entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte("x"), PartitionKey: aws.String(fmt.Sprint(i))})
		}
		if _, err := e.Kinesis().PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(2 * time.Minute)
	}
	now := time.Now()
	start, end := now.Add(-10*time.Minute), now.Add(10*time.Minute)
	whole, err := read(ctx, s, "AWS/Kinesis", dims("StreamName", "orders"), streamMetrics[:1], start, end)
	if err != nil {
		t.Fatal(err)
	}
	paged, err := readPaged(ctx, s, "AWS/Kinesis", dims("StreamName", "orders"), streamMetrics[:1], start, end, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole[0].Points) != 3 || whole[0].Sum() != 6 {
		t.Fatalf("one page: %+v, want 3 points summing to 6", whole[0].Points)
	}
	if fmt.Sprint(paged[0].Points) != fmt.Sprint(whole[0].Points) {
		t.Fatalf("paged %v, whole %v", paged[0].Points, whole[0].Points)
	}
	calls := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "GetMetricData" {
			calls++
		}
	}
	if calls < 4 {
		t.Errorf("%d GetMetricData calls; pages of one point should take at least 4", calls)
	}
}
