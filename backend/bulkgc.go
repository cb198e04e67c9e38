package backend

import (
	"os"
	"runtime/debug"
)

// BulkGCPercent is the garbage collector's target while a bulk command
// (replay, hydrate) runs. They hold a few MiB live and allocate per
// event, so with Go's default of 100 they spend a tenth of their CPU
// collecting; at 400 they collect a quarter as often, for a heap of five
// times the live data instead of twice (tens of MiB). BENCHMARKS.md has
// both.
const BulkGCPercent = 400

// UseBulkGC sets BulkGCPercent for the rest of a bulk command, unless the
// GOGC environment variable chose a target, and returns what undoes it.
func UseBulkGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	before := debug.SetGCPercent(BulkGCPercent)
	return func() { debug.SetGCPercent(before) }
}
