package streamadmin_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/streamadmin"
)

func TestStreamLifecycle(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := t.Context()
	if err := streamadmin.Create(ctx, s, "orders", 2, false); err != nil {
		t.Fatal(err)
	}
	if err := streamadmin.Create(ctx, s, "events", 0, true); err != nil {
		t.Fatal(err)
	}
	sum, err := e.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("events")})
	if err != nil || sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != "ON_DEMAND" {
		t.Fatalf("events: %+v %v", sum, err)
	}
	if err := streamadmin.SetRetention(ctx, s, "orders", 24, 48); err != nil {
		t.Fatal(err)
	}
	if err := streamadmin.SetRetention(ctx, s, "orders", 48, 36); err != nil {
		t.Fatal(err)
	}
	sum, err = e.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil || aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours) != 36 {
		t.Fatalf("retention: %v %v", sum.StreamDescriptionSummary.RetentionPeriodHours, err)
	}
	shard, seq, err := streamadmin.PutRecord(ctx, s, "orders", "c-1", []byte(`{"a":1}`))
	if err != nil || shard == "" || seq == "" {
		t.Fatalf("put: %q %q %v", shard, seq, err)
	}
	if err := streamadmin.SetRetention(ctx, s, "orders", 36, 1); err == nil {
		t.Fatal("retention below 24 h accepted")
	}
	if err := streamadmin.Delete(ctx, s, "orders", false); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyRefusesEveryStreamWrite(t *testing.T) {
	_, e := backendtest.Open(t)
	s := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	ctx := t.Context()
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, _, putErr := streamadmin.PutRecord(ctx, s, "orders", "k", []byte("x"))
	for _, err := range []error{
		streamadmin.Create(ctx, s, "x", 1, false),
		streamadmin.Delete(ctx, s, "orders", false),
		streamadmin.SetRetention(ctx, s, "orders", 24, 48),
		putErr,
	} {
		if !errors.Is(err, backend.ErrReadOnly) {
			t.Errorf("err = %v, want read-only", err)
		}
	}
	if _, err := e.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")}); err != nil {
		t.Fatalf("stream gone under read-only: %v", err)
	}
}
