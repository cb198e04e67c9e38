package inventory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func countOp(calls *backend.CallLog, op string) int {
	n := 0
	for _, c := range calls.Calls() {
		if c.Operation == op {
			n++
		}
	}
	return n
}

func TestInventoryReadsOnceWhileFreshAndAgainWhenAsked(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	inv := inventory.New(s, clock)
	ctx := context.Background()

	// Two listings at once, as two tabs at start: one discovery.
	var wg sync.WaitGroup
	var depths inventory.DLQDepths
	var list inventory.DLQList
	wg.Go(func() {
		var err error
		if depths, err = inventory.StreamDLQDepths(ctx, s, nil, "", inventory.Shared(inv)); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() { list = inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv)) })
	wg.Wait()
	if len(list.DLQs) == 0 || len(depths.ByStream) == 0 {
		t.Fatalf("shared listings lost answers: %+v %+v", list, depths)
	}
	for _, op := range []string{"ListPipes", "DescribePipe", "ListEventSourceMappings"} {
		if n := countOp(calls, op); n != 1 {
			t.Fatalf("%s called %d times by two listings at once, want 1", op, n)
		}
	}
	// Still fresh: nothing is read again.
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	if n := countOp(calls, "ListPipes"); n != 1 {
		t.Fatalf("a fresh inventory read the pipes again (%d)", n)
	}
	// Older than MaxAge: read again, once.
	mu.Lock()
	now = now.Add(inventory.MaxAge)
	mu.Unlock()
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	if n := countOp(calls, "ListPipes"); n != 2 {
		t.Fatalf("after MaxAge ListPipes was called %d times in all, want 2", n)
	}
	// A refresh the operator asked for reads again at once.
	inv.Refresh()
	before := countOp(calls, "GetQueueAttributes")
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	if n := countOp(calls, "ListPipes"); n != 3 {
		t.Fatalf("after Refresh ListPipes was called %d times in all, want 3", n)
	}
	if countOp(calls, "GetQueueAttributes") == before {
		t.Fatal("after Refresh the queues were not read again")
	}
	// Without the inventory nothing is shared.
	inventory.ListDLQs(ctx, s, nil)
	if n := countOp(calls, "ListPipes"); n != 4 {
		t.Fatalf("an unshared listing: ListPipes %d in all, want 4", n)
	}
	_ = d
}
