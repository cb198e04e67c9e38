package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
)

// TestTraceNamesWhatDiscoveryCouldNotRead: ListPipes is denied behind
// the fault proxy; the trace still runs, and says that pipes could not
// be read, with AWS's message, so that "not in any DLQ" is not taken at
// its word.
func TestTraceNamesWhatDiscoveryCouldNotRead(t *testing.T) {
	_, e := backendtest.Open(t)
	arn := inventorytest.Stream(t, e, "orders", 1)
	put, err := e.Kinesis().PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String("customer-1"), Data: []byte(`{"orderId":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "pipes", Match: func(r faultproxy.Request) bool { return strings.HasSuffix(r.Path, "/pipes") },
		Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	m := New(Options{Profiles: []backend.Profile{s.Profile}, Session: s, Keys: keymap.Default(), Dark: true,
		Tabs: func(*common.Common) []common.Tab { return []common.Tab{&probeTab{id: common.StreamsTab}} }})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 30})
	_, cmd := m.Update(common.TraceMsg{Request: common.TraceRequest{StreamARN: arn,
		ShardID: aws.ToString(put.ShardId), SequenceNumber: aws.ToString(put.SequenceNumber)}})
	if cmd == nil {
		t.Fatal("the trace started nothing")
	}
	m.Update(cmd())
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"pipes: denied", "AccessDeniedException", "customer-1"} {
		if !strings.Contains(view, want) {
			t.Errorf("the trace lacks %q:\n%s", want, view)
		}
	}
}
