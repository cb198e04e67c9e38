package streams

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
)

// describedOrder is the streams DescribeStreamSummary was called for,
// in the call log's order, from the call numbered from on.
func describedOrder(calls *backend.CallLog, from int) []string {
	var out []string
	for _, c := range calls.Calls()[from:] {
		if c.Operation == "DescribeStreamSummary" {
			out = append(out, c.Resource)
		}
	}
	return out
}

func TestStreamsOnScreenAreDescribedFirstAndOnce(t *testing.T) {
	e := enginetest.Start(t)
	var names []string
	for i := range 40 {
		n := fmt.Sprintf("s%02d", i)
		inventorytest.Stream(t, e, n, 1)
		names = append(names, n)
	}
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	m := newTab(t, s, 100, 12, true)
	d := newDriver(t, m)
	d.Run(m.Init())

	order := describedOrder(calls, 0)
	if len(order) != len(names) {
		t.Fatalf("%d streams described, want each of the %d once: %v", len(order), len(names), order)
	}
	near := m.nearIDs()
	if len(near) == 0 || len(near) >= len(names) {
		t.Fatalf("%d rows near the cursor of a %d-row table", len(near), m.tableHeight())
	}
	// Four at a time: the first few answer in any order.
	if got := slices.Sorted(slices.Values(order[:len(near)])); !slices.Equal(got, near) {
		t.Fatalf("first described %v, want the rows on screen %v", got, near)
	}
	sorted := slices.Sorted(slices.Values(order))
	if !slices.Equal(sorted, names) {
		t.Fatalf("described %v, want every stream once", sorted)
	}
	for _, n := range names {
		if c := d.cells(n); c[2] != "active" {
			t.Fatalf("%s not filled in: %v", n, c)
		}
	}

	// At the bottom, a refresh describes the last rows first.
	d.Press("end")
	from := calls.Total()
	d.Send(common.RefreshMsg{})
	order = describedOrder(calls, from)
	near = m.nearIDs()
	if near[len(near)-1] != names[len(names)-1] {
		t.Fatalf("rows near the cursor at the bottom: %v", near)
	}
	if got := slices.Sorted(slices.Values(order[:len(near)])); !slices.Equal(got, near) {
		t.Fatalf("after a refresh at the bottom, first described %v, want %v", got, near)
	}
	if len(order) != len(names) {
		t.Fatalf("a refresh described %d streams, want %d", len(order), len(names))
	}
}
