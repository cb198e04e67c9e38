package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The demo's engine, like `engine serve`'s, stays on loopback unless told
// otherwise: it has no authentication by default.
func TestDemoRefusesANonLoopbackAddress(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	root := newRootCmd(buildInfo{})
	out := &syncBuffer{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"demo", "--headless", "--addr", "0.0.0.0:0", "--data", dir})
	err := root.ExecuteContext(ctx)
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("demo on 0.0.0.0: %v; output %q", err, out.String())
	}
}

func TestDemoEngineServesRemoteOnlyWhenAllowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, _, _, err := engineForDemo(dir, "0.0.0.0:0", true, guardFlags{}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("0.0.0.0 without --allow-remote: %v", err)
	}
	endpoint, _, stop, err := engineForDemo(dir, "0.0.0.0:0", true, guardFlags{allowRemote: true})
	if err != nil {
		t.Fatalf("0.0.0.0 with --allow-remote: %v", err)
	}
	defer stop()
	if endpoint == "" {
		t.Fatal("no endpoint")
	}
}
