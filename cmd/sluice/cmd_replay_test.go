package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/replay"
)

func TestReplayResultsReadInTheOrderTheKeysWereGiven(t *testing.T) {
	results := []replay.Result{{Key: "c"}, {Key: "a"}, {Key: "b"}}
	inGivenOrder(results, []string{"b", "c", "a", "b"})
	if results[0].Key != "b" || results[1].Key != "c" || results[2].Key != "a" {
		t.Fatalf("order %+v", results)
	}
}

func TestMeaninglessCountsAreRefusedBeforeAnythingOpens(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLUICE_DATA_DIR", dir)
	for _, args := range [][]string{
		{"dlq", "peek", "q", "--max", "-1"},
		{"dlq", "export", "q", "--max", "-2"},
		{"hydrate", "q", "--concurrency", "0"},
		{"hydrate", "q", "--watch", "--concurrency", "-1"},
	} {
		root := newRootCmd(buildInfo{Version: "test"})
		root.SetArgs(append(args, "--profile", "local"))
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("an engine was started: %v", entries)
	}
}
