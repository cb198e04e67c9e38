package localengine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestSecondEngineOnTheSameDirectoryNamesTheFirst(t *testing.T) {
	dir := t.TempDir()
	first := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))

	_, err := localengine.Open(localengine.Options{DataDir: dir})
	var inUse *localengine.InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("second open: got %v, want *InUseError", err)
	}
	if inUse.Address.URL != first.URL {
		t.Fatalf("error names %q, want the running engine %q", inUse.Address.URL, first.URL)
	}
	if want := "in use by the sluice engine at " + first.URL; !contains(err.Error(), want) {
		t.Fatalf("message %q does not say %q", err.Error(), want)
	}
}

func TestAddressFileLivesAsLongAsTheEngineServes(t *testing.T) {
	dir := t.TempDir()
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	addr, err := localengine.ReadAddress(dir)
	if err != nil {
		t.Fatal(err)
	}
	if addr.URL != e.URL || addr.PID != os.Getpid() {
		t.Fatalf("address file says %+v, engine is at %s in pid %d", addr, e.URL, os.Getpid())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "engine.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("address file left after shutdown: %v", err)
	}
	// The directory is free again once the engine has shut down.
	again, err := localengine.Open(localengine.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	_ = again.Shutdown(ctx)
}

func TestOpenCreatesTheDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	e, err := localengine.Open(localengine.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown(context.Background())
	if _, err := os.Stat(filepath.Join(dir, "engine.db")); err != nil {
		t.Fatalf("store not created: %v", err)
	}
}

func TestCheckListenAddr(t *testing.T) {
	for _, tc := range []struct {
		addr        string
		allowRemote bool
		ok          bool
	}{
		{"127.0.0.1:4577", false, true},
		{"127.0.0.2:0", false, true},
		{"localhost:4577", false, true},
		{"[::1]:4577", false, true},
		{"0.0.0.0:4577", false, false},
		{":4577", false, false},
		{"192.168.1.10:4577", false, false},
		{"0.0.0.0:4577", true, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1:99999", false, false},
	} {
		err := localengine.CheckListenAddr(tc.addr, tc.allowRemote)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListenAddr(%q, %v) = %v, want ok=%v", tc.addr, tc.allowRemote, err, tc.ok)
		}
	}
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
