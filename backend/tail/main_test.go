package tail_test

import (
	"os"
	"testing"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestMain lets the benchmarks run the engine in a child process (the
// test binary itself), so that the tail's memory is measured alone.
func TestMain(m *testing.M) {
	enginetest.RunChildIfAsked()
	os.Exit(m.Run())
}
