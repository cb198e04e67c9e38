package backend_test

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/sluicehq/sluice/backend"
)

// TestUseBulkGC: a bulk command collects at BulkGCPercent and puts the
// target back when done; a GOGC in the environment is the user's choice
// and is left alone.
func TestUseBulkGC(t *testing.T) {
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	restore := backend.UseBulkGC()
	if got := debug.SetGCPercent(backend.BulkGCPercent); got != backend.BulkGCPercent {
		t.Errorf("GC target %d during the command, want %d", got, backend.BulkGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GC target %d after, want 150 back", got)
	}

	t.Setenv("GOGC", "150")
	backend.UseBulkGC()()
	backend.UseBulkGC()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GC target %d with GOGC=150 set, want it kept", got)
	}
}
