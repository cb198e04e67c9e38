package main

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdDefaultPort keeps 127.0.0.1:4577 taken for the test, as another
// program would. If something else holds it already, it is taken all
// the same.
func holdDefaultPort(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", defaultEngineAddr)
	if err != nil {
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("hold %s: %v", defaultEngineAddr, err)
		}
		return
	}
	t.Cleanup(func() { ln.Close() })
}

// TestDemoFindsAFreePortWhen4577IsTaken: `sluice demo` without --addr
// used to fail with "address already in use" when 4577 was taken; it now
// listens on a free loopback port and says which, and the demo runs
// there.
func TestDemoFindsAFreePortWhen4577IsTaken(t *testing.T) {
	holdDefaultPort(t)
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := newRootCmd(buildInfo{})
	out := &syncBuffer{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"demo", "--headless", "--data", dir, "--seed", "7"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	moved := regexp.MustCompile(`sluice demo: port 4577 is taken, so the engine listens on (127\.0\.0\.1:(\d+)) instead \(--addr chooses\)\nsluice demo: engine at http://(127\.0\.0\.1:\d+) \(data `)
	var m []string
	for m = moved.FindStringSubmatch(out.String()); m == nil; m = moved.FindStringSubmatch(out.String()) {
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v; output %q", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if m[1] != m[3] || m[2] == "4577" || m[2] == "0" {
		t.Fatalf("said %s, serves %s", m[1], m[3])
	}
	// The hint for hydrating names the engine it moved to.
	for !strings.Contains(out.String(), "--endpoint-url http://"+m[1]) {
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v; output %q", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	conn, err := net.Dial("tcp", m[1])
	if err != nil {
		t.Fatalf("nothing serves %s: %v", m[1], err)
	}
	conn.Close()
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("demo ended with %v; output %q", err, out.String())
	}
}

// TestDemoOnAGivenTakenAddressFails: --addr is the operator's word; a
// taken port there is an error that says so, not another port.
func TestDemoOnAGivenTakenAddressFails(t *testing.T) {
	holdDefaultPort(t)
	root := newRootCmd(buildInfo{})
	out := &syncBuffer{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"demo", "--headless", "--addr", defaultEngineAddr, "--data", filepath.Join(t.TempDir(), "data")})
	err := root.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "--addr 127.0.0.1:4577 is taken") || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("demo on a taken --addr: %v; output %q", err, out.String())
	}
}
