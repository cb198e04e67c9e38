package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
)

// TestTraceSeesAPipeCreatedAfterTheTabsRead: a trace read through the
// session's inventory saw the pipelines as the tabs had read them up to
// MaxAge before (TestLookingDoesNotReceive found it stale), and was
// made to discover on its own. It reads through the inventory, but no
// read made before it was asked for answers it: a pipe created after
// the tabs' reads is traced, its DLQ named.
func TestTraceSeesAPipeCreatedAfterTheTabsRead(t *testing.T) {
	e := enginetest.Start(t)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	ctx := context.Background()
	arn := inventorytest.Stream(t, e, "orders", 1)
	put, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String("customer-1"), Data: []byte(`{"orderId":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, dlqARN := inventorytest.Queue(t, e, "orders-dlq", nil)
	_, targetARN := inventorytest.Queue(t, e, "orders-target", nil)
	m := New(Options{Profiles: []backend.Profile{s.Profile}, Session: s, Keys: keymap.Default(), Dark: true,
		Tabs: func(*common.Common) []common.Tab { return []common.Tab{&probeTab{id: common.StreamsTab}} }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	// An inventory whose reads never age: only SharedSince reads again.
	at := time.Now()
	inv := inventory.New(s, func() time.Time { return at })
	m.common.Env.Inventory = inv
	// The tabs' reads at start, before the pipe exists.
	if d, err := inventory.Discover(ctx, s, nil, "", inventory.Shared(inv)); err != nil || len(d.Pipelines) != 0 {
		t.Fatalf("before the pipe: %+v %v", d.Pipelines, err)
	}

	inventorytest.Pipe(t, e, "orders-to-queue", arn, targetARN, dlqARN, nil)
	_, cmd := m.Update(common.TraceMsg{Request: common.TraceRequest{StreamARN: arn,
		ShardID: aws.ToString(put.ShardId), SequenceNumber: aws.ToString(put.SequenceNumber)}})
	if cmd == nil {
		t.Fatal("the trace started nothing")
	}
	m.Update(cmd())
	view := ansi.Strip(m.View().Content)
	if !strings.Contains(view, "orders-dlq: not browsed") {
		t.Errorf("the trace after the pipe was created does not name its DLQ:\n%s", view)
	}
	listed := 0
	for _, c := range calls.Calls() {
		if c.Operation == "ListPipes" {
			listed++
		}
	}
	if listed != 2 {
		t.Errorf("ListPipes %d times, want 2 (the tabs', the trace's)", listed)
	}
}
