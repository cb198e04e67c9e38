package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestStreamsListsNamesFirstThenRowsInOrder(t *testing.T) {
	isolateInventory(t)
	e := enginetest.Start(t)
	var names []string
	for i := range 230 {
		n := fmt.Sprintf("s%03d", i)
		inventorytest.Stream(t, e, n, 1)
		names = append(names, n)
	}
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	rows := invJSONLines[inventory.Stream](t, invMustRun(t, e, "streams", "-o", "jsonl", "--log-calls", log))
	var got []string
	for _, r := range rows {
		got = append(got, r.Name)
		if r.Status != "ACTIVE" || r.OpenShards != 1 {
			t.Fatalf("row %+v", r)
		}
	}
	if !slices.Equal(got, names) {
		t.Fatalf("rows %v, want every stream in list order", got)
	}
	calls := invJSON[[]backend.Call](t, invMustRun(t, nil, "calls", log, "-o", "json"))
	// One ListStreams for every name, before any describe.
	if calls[0].Operation != "ListStreams" || slices.IndexFunc(calls, func(c backend.Call) bool { return c.Operation == "ListStreams" && c != calls[0] }) >= 0 {
		t.Fatalf("first call %s; want one ListStreams first", calls[0].Operation)
	}

	named := invJSONLines[streamName](t, invMustRun(t, e, "streams", "--names", "-o", "jsonl", "--log-calls", log))
	if len(named) != len(names) || named[0].Name != "s000" {
		t.Fatalf("--names gave %d names", len(named))
	}
	after := invJSON[[]backend.Call](t, invMustRun(t, nil, "calls", log, "-o", "json"))
	if extra := after[len(calls):]; len(extra) != 1 || extra[0].Operation != "ListStreams" {
		t.Fatalf("--names made %d calls, want one ListStreams", len(extra))
	}

	// The table is aligned although printed a chunk at a time.
	table := strings.Split(strings.TrimSpace(invMustRun(t, e, "streams")), "\n")
	if len(table) != len(names)+1 {
		t.Fatalf("table of %d lines", len(table))
	}
	col := strings.Index(table[0], "STATUS")
	for _, l := range table[1:] {
		if strings.Index(l, "ACTIVE") != col {
			t.Fatalf("misaligned table:\n%s\n%s", table[0], l)
		}
	}
}
