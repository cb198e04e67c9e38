package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func TestStreamAdminCommands(t *testing.T) {
	e := dlqEngine(t)
	ctx := context.Background()
	if _, _, err := runSluice(t, e, "", "streams", "create", "orders", "--shards", "2"); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("create without --yes off a terminal: %v", err)
	}
	if _, _, err := runSluice(t, e, "", "streams", "create", "orders", "--shards", "2", "--yes"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runSluice(t, e, "", "streams", "put", "orders", "--key", "c-1", "--body", `{"a":1}`, "--yes", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var put map[string]string
	if err := json.Unmarshal([]byte(out), &put); err != nil || put["sequenceNumber"] == "" {
		t.Fatalf("put answered %q (%v)", out, err)
	}
	if _, _, err := runSluice(t, e, "", "streams", "retention", "orders", "48", "--yes"); err != nil {
		t.Fatal(err)
	}
	sum, err := e.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil || aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours) != 48 {
		t.Fatalf("retention %v %v", sum, err)
	}
	if _, _, err := runSluice(t, e, "", "streams", "delete", "orders", "--yes", "--readonly"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("delete under --readonly: %v", err)
	}
	if _, _, err := runSluice(t, e, "", "streams", "delete", "orders", "--yes"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runSluice(t, e, "", "streams", "retention", "orders", "2"); err == nil {
		t.Fatal("retention of 2 hours accepted")
	}
}
