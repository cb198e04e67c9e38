package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
)

// TestTraceNeverBrowsesOnItsOwn: `t` looks in the DLQs as the session
// browsed them and receives from none; it names the DLQ it could not look
// in and offers b, saying that browsing raises receive counts. b browses
// it, finds the failure, and the next trace reuses that browse. Before,
// every trace browsed every DLQ of the stream.
func TestTraceNeverBrowsesOnItsOwn(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	arn := inventorytest.Stream(t, e, "orders", 1)
	put, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String("customer-1"), Data: []byte(`{"orderId":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	shard, seq := aws.ToString(put.ShardId), aws.ToString(put.SequenceNumber)
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":"2026-11-27T10:00:00Z","KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,"batchSize":1,"streamArn":%q}}`,
		shard, seq, seq, arn)
	if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Profiles: []backend.Profile{s.Profile}, Session: s, Keys: keymap.Default(), Dark: true,
		Config: config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq"}}},
		Tabs:   func(*common.Common) []common.Tab { return []common.Tab{&probeTab{id: common.StreamsTab}} }})
	m.Update(tea.WindowSizeMsg{Width: 240, Height: 40})
	trace := func(cmd tea.Cmd) string {
		t.Helper()
		if cmd == nil {
			t.Fatal("the trace started nothing")
		}
		m.Update(cmd())
		return ansi.Strip(m.View().Content)
	}

	for range 2 {
		_, cmd := m.Update(common.TraceMsg{Request: common.TraceRequest{StreamARN: arn, ShardID: shard, SequenceNumber: seq}})
		view := trace(cmd)
		if n := receives(s); n != 0 {
			t.Fatalf("a trace made %d ReceiveMessage calls", n)
		}
		for _, want := range []string{"orders-dlq: not browsed", "b browses orders-dlq", "raises the receive count"} {
			if !strings.Contains(view, want) {
				t.Errorf("the trace lacks %q:\n%s", want, view)
			}
		}
	}

	view := trace(m.handleKey(tea.KeyPressMsg{Code: 'b', Text: "b"}))
	browsed := receives(s)
	if browsed == 0 || !strings.Contains(view, "RetryAttemptsExhausted") || !strings.Contains(view, "orders-dlq: browsed now") {
		t.Fatalf("b: %d receives, view:\n%s", browsed, view)
	}
	m.handleKey(tea.KeyPressMsg{Code: tea.KeyEscape})
	_, cmd := m.Update(common.TraceMsg{Request: common.TraceRequest{StreamARN: arn, ShardID: shard, SequenceNumber: seq}})
	view = trace(cmd)
	if n := receives(s) - browsed; n != 0 || !strings.Contains(view, "RetryAttemptsExhausted") || !strings.Contains(view, "orders-dlq: as browsed") {
		t.Fatalf("the trace after the browse: %d receives, view:\n%s", n, view)
	}
}

// receives counts the session's ReceiveMessage calls.
func receives(s *backend.Session) int {
	n := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ReceiveMessage" {
			n++
		}
	}
	return n
}
