package main

import (
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
