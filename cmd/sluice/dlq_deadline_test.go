package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// `dlq peek` shows each message's deadline: a failure whose first record
// arrived 23 h ago on a 24 h stream has less than an hour left, by the
// stream's retention; `dlq ls` shows the queue's deadline as a bound,
// having browsed nothing.
func TestDLQDeadlineColumns(t *testing.T) {
	e := dlqEngine(t)
	ctx := context.Background()
	if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	url, dlqARN := dlqQueue(t, e, "orders-dlq", map[string]string{"MessageRetentionPeriod": "1209600"})
	_, targetARN := dlqQueue(t, e, "target", nil)
	inventorytest.Pipe(t, e, "orders-to-api", "arn:aws:kinesis:us-east-1:000000000000:stream/orders", targetARN, dlqARN, nil)
	arrival := time.Now().UTC().Add(-23 * time.Hour).Format("2006-01-02T15:04:05.000Z")
	body := strings.ReplaceAll(dlqPipesFailure, "2023-06-19T15:03:46.620Z", arrival)
	ids := dlqSend(t, e, url, body, `{"orderId":"o-1"}`)

	out, _, err := runSluice(t, e, "", "dlq", "peek", "orders-dlq", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var peek struct {
		Messages []struct {
			ID       string `json:"id"`
			Deadline *struct {
				At    time.Time `json:"at"`
				Cause string    `json:"cause"`
			} `json:"deadline"`
		} `json:"messages"`
		Deadline struct {
			Exact     bool      `json:"exact"`
			At        time.Time `json:"at"`
			MessageID string    `json:"messageId"`
		} `json:"deadline"`
	}
	if err := json.Unmarshal([]byte(out), &peek); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(peek.Messages) != 2 || peek.Messages[0].ID != ids[0] || peek.Messages[0].Deadline == nil || peek.Messages[1].Deadline != nil {
		t.Fatalf("messages: %s", out)
	}
	if d := peek.Messages[0].Deadline; d.Cause != "stream-retention" || time.Until(d.At) >= time.Hour || time.Until(d.At) < 50*time.Minute {
		t.Errorf("deadline %+v: want under an hour, by the stream's retention", d)
	}
	if !peek.Deadline.Exact || peek.Deadline.MessageID != ids[0] {
		t.Errorf("queue deadline %+v", peek.Deadline)
	}

	out, _, err = runSluice(t, e, "", "dlq", "peek", "orders-dlq")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "DEADLINE") || !strings.Contains(out, " 59m ") && !strings.Contains(out, " 58m ") {
		t.Errorf("table lacks the deadline column:\n%s", out)
	}

	out, _, err = runSluice(t, e, "", "dlq", "ls", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var ls []struct {
		Queue    struct{ Name string } `json:"queue"`
		Deadline *struct {
			Exact bool      `json:"exact"`
			At    time.Time `json:"at"`
			Basis string    `json:"basis"`
		} `json:"deadline"`
	}
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(ls) != 1 || ls[0].Deadline == nil || ls[0].Deadline.Exact || ls[0].Deadline.At.IsZero() ||
		!strings.Contains(ls[0].Deadline.Basis, "max record age 10m") {
		t.Fatalf("dlq ls: %s", out)
	}
	out, _, err = runSluice(t, e, "", "dlq", "ls")
	if err != nil || !strings.Contains(out, "DEADLINE") {
		t.Fatalf("dlq ls table: %v\n%s", err, out)
	}
}
