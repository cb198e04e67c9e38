package dlq_test

import (
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/streams"
	"github.com/sluicehq/sluice/views/viewtest"
)

// startBoth opens the Streams and DLQs tabs on one Env, as the root
// does, and runs both until they settle; it returns the calls made.
func startBoth(t *testing.T, e *enginetest.Engine, shared bool) map[string]int {
	t.Helper()
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	env := &common.Env{Session: s}
	if shared {
		env.Inventory = inventory.New(s, nil)
	}
	st := streams.New(viewtest.NewCommon(env, 120, 30, true))
	dl := dlq.New(viewtest.NewCommon(env, 120, 30, true))
	// Both start before either answers, as at the TUI's start.
	stInit, dlInit := st.Init(), dl.Init()
	viewtest.NewDriver(t, st).Run(stInit)
	viewtest.NewDriver(t, dl).Run(dlInit)
	count := map[string]int{}
	for _, c := range calls.Calls() {
		count[c.Service+"."+c.Operation]++
		if c.Operation == "GetQueueAttributes" || c.Operation == "ListQueueTags" {
			count[c.Operation+" "+c.Resource]++
		}
	}
	return count
}

func TestDiscoveryRunsOnceAcrossTwoTabs(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)

	alone := startBoth(t, e, false)
	// Without a shared inventory each tab discovers the pipes itself:
	// the duplication this test guards against.
	if alone["Pipes.ListPipes"] != 2 || alone["Lambda.ListEventSourceMappings"] != 2 {
		t.Fatalf("unshared: ListPipes %d, ListEventSourceMappings %d, want 2 each (one per tab): %v",
			alone["Pipes.ListPipes"], alone["Lambda.ListEventSourceMappings"], alone)
	}
	one := startBoth(t, e, true)
	for _, api := range []string{"Pipes.ListPipes", "Pipes.DescribePipe", "Lambda.ListEventSourceMappings", "ListQueueTags " + d.DLQURL} {
		if one[api] != 1 {
			t.Errorf("%s called %d times across the two tabs, want once (calls %v)", api, one[api], one)
		}
	}
	if one["SQS.ListQueueTags"] >= alone["SQS.ListQueueTags"] || one["SQS.GetQueueAttributes"] >= alone["SQS.GetQueueAttributes"] {
		t.Errorf("sharing saved no queue reads: %v vs %v", one, alone)
	}
}
