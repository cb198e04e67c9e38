package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// consumersScene: stream orders read by pipe orders-to-out (DLQ
// orders-dlq), stream payments read by pipe payments-to-out.
func consumersScene(t *testing.T) *enginetest.Engine {
	t.Helper()
	e := dlqEngine(t)
	orders := inventorytest.Stream(t, e, "orders", 1)
	payments := inventorytest.Stream(t, e, "payments", 1)
	_, dlqARN := inventorytest.Queue(t, e, "orders-dlq", nil)
	_, outARN := inventorytest.Queue(t, e, "out", nil)
	inventorytest.Pipe(t, e, "orders-to-out", orders, outARN, dlqARN, nil)
	inventorytest.Pipe(t, e, "payments-to-out", payments, outARN, "", nil)
	return e
}

func pipeState(t *testing.T, e *enginetest.Engine, name string) (current, desired string) {
	t.Helper()
	out, err := e.Pipes().DescribePipe(context.Background(), &pipes.DescribePipeInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.CurrentState), string(out.DesiredState)
}

func TestConsumersLs(t *testing.T) {
	e := consumersScene(t)
	out, _, err := runSluice(t, e, "", "consumers", "ls", "--stream", "orders")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") ||
		!strings.Contains(lines[1], "orders-to-out") || !strings.Contains(lines[1], "orders-dlq") || !strings.Contains(lines[1], "RUNNING") {
		t.Fatalf("ls --stream orders:\n%s", out)
	}
	out, _, err = runSluice(t, e, "", "consumers", "ls", "--dlq", "orders-dlq", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []consumers.Consumer
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Name != "orders-to-out" || cs[0].Kind != consumers.KindPipe || cs[0].BatchSize != 10 {
		t.Fatalf("ls --dlq: %+v", cs)
	}
	out, _, err = runSluice(t, e, "", "pipes", "ls", "-o", "jsonl")
	if err != nil || strings.Count(out, "\n") != 2 {
		t.Fatalf("pipes ls -o jsonl: %v\n%s", err, out)
	}
}

func TestConsumersDescribe(t *testing.T) {
	e := consumersScene(t)
	out, _, err := runSluice(t, e, "", "consumers", "describe", "orders-to-out")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"state              RUNNING", "retry              attempts 3, record age 600s, bisect yes",
		"dead-letter queue  arn:aws:sqs:us-east-1:000000000000:orders-dlq", "batch              10 records, window 0s", "last hour"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	_, _, err = runSluice(t, e, "", "consumers", "describe", "nope")
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("describe of a missing pipe: %v", err)
	}
}

// TestConsumersStopStartGuarded: stop asks first (no terminal, no --yes:
// refused), is refused under --readonly, and with --yes stops the pipe,
// following it to STOPPED; start brings it back to RUNNING.
func TestConsumersStopStartGuarded(t *testing.T) {
	e := consumersScene(t)
	_, _, err := runSluice(t, e, "", "consumers", "stop", "orders-to-out")
	if err == nil || !strings.Contains(err.Error(), "not confirmed") || !strings.Contains(err.Error(), "stop pipe orders-to-out") {
		t.Fatalf("stop without --yes: %v", err)
	}
	for _, verb := range []string{"stop", "start"} {
		_, _, err = runSluice(t, e, "", "consumers", verb, "orders-to-out", "--readonly", "--yes")
		if !errors.Is(err, backend.ErrReadOnly) {
			t.Fatalf("%s --readonly: %v", verb, err)
		}
	}
	if cur, des := pipeState(t, e, "orders-to-out"); cur != "RUNNING" || des != "RUNNING" {
		t.Fatalf("after refusals: %s/%s", cur, des)
	}

	out, stderr, err := runSluice(t, e, "", "consumers", "stop", "orders-to-out", "--yes", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []consumers.Consumer
	if err := json.Unmarshal([]byte(out), &cs); err != nil || len(cs) != 1 || cs[0].State != "STOPPED" {
		t.Fatalf("stop printed %s (%v)", out, err)
	}
	if !strings.Contains(stderr, "pipe orders-to-out: STOPP") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	if cur, _ := pipeState(t, e, "orders-to-out"); cur != "STOPPED" {
		t.Fatalf("engine says %s", cur)
	}
	out, _, err = runSluice(t, e, "", "consumers", "start", "orders-to-out", "--yes")
	if err != nil || !strings.Contains(out, "RUNNING") {
		t.Fatalf("start: %v\n%s", err, out)
	}
	if cur, _ := pipeState(t, e, "orders-to-out"); cur != "RUNNING" {
		t.Fatalf("engine says %s", cur)
	}
}
