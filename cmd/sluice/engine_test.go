package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is written by the command's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestVersion(t *testing.T) {
	root := newRootCmd(buildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-23"})
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "sluice 1.2.3 (commit abc1234, built 2026-11-23)\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestEngineServePrintsItsAddressAndStopsCleanly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd(buildInfo{})
	out := &syncBuffer{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"engine", "serve", "--addr", "127.0.0.1:0", "--data", dir})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	ready := regexp.MustCompile(`^sluice engine listening on http://127\.0\.0\.1:\d+ \(data ` + regexp.QuoteMeta(dir) + `\)\n$`)
	for !ready.MatchString(out.String()) {
		select {
		case err := <-done:
			t.Fatalf("engine stopped early: %v; output %q", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "engine.json")); err != nil {
		t.Fatalf("no address file while serving: %v", err)
	}
	cancel() // what SIGINT and SIGTERM do
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after a stop", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "engine.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("address file left after a clean stop: %v", err)
	}
}

func TestEngineServeRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"--strict-auth", "nocolon"}, "KEY:SECRET"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"--retry-base", "10s", "--retry-cap", "1s"}, "--retry-base"},
	} {
		root := newRootCmd(buildInfo{})
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"engine", "serve", "--data", t.TempDir()}, tc.args...))
		err := root.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}
