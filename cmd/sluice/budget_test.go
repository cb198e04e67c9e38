package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend"
)

func TestCallsShowTheBudget(t *testing.T) {
	e, _ := inventoryEngine(t)
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("budget:\n  apis:\n    Kinesis.ListShards: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	invMustRun(t, e, "streams", "--log-calls", log, "--config", cfg, "--budget-scale", "0.5")

	rows := invJSON[[]backend.BudgetState](t, invMustRun(t, nil, "calls", log, "--budget", "-o", "json"))
	limits := map[string]float64{}
	calls := 0
	for _, r := range rows {
		limits[r.Service+"."+r.Operation] = r.Limit
		calls += r.Calls
		if r.Account != "local" || r.Rate != r.Limit || r.Throttles != 0 {
			t.Errorf("row %+v", r)
		}
	}
	// The local profile's generous scale, times the flag's, times the
	// default or the config's rate.
	if got, want := limits["Kinesis.ListStreams"], 2*0.5*float64(backend.DefaultLocalScale); got != want {
		t.Errorf("ListStreams limit %v, want %v (rows %+v)", got, want, rows)
	}
	if got, want := limits["Kinesis.ListShards"], 3*0.5*float64(backend.DefaultLocalScale); got != want {
		t.Errorf("ListShards limit %v, want the config's 3 scaled: %v", got, want)
	}
	all := invJSON[[]backend.Call](t, invMustRun(t, nil, "calls", log, "-o", "json"))
	if calls != len(all) || calls == 0 {
		t.Errorf("the budget rows count %d calls, the log holds %d", calls, len(all))
	}
	table := invMustRun(t, nil, "calls", log, "--budget")
	for _, want := range []string{"THROTTLES", "RATE/S", "LIMIT/S", "ListStreams"} {
		if !strings.Contains(table, want) {
			t.Errorf("budget table lacks %q:\n%s", want, table)
		}
	}
}

func TestAnInvalidBudgetIsAClearError(t *testing.T) {
	e, _ := inventoryEngine(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("budget:\n  apis:\n    Kineses.ListShards: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := invSluice(t, e, "streams", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), `unknown service "Kineses"`) {
		t.Errorf("a budget naming an unknown service: %v", err)
	}
	_, _, err = invSluice(t, e, "streams", "--budget-scale", "-1")
	if err == nil || !strings.Contains(err.Error(), "--budget-scale -1") {
		t.Errorf("a negative --budget-scale: %v", err)
	}
}
