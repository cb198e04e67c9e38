//go:build !unix

package backend_test

import (
	"testing"
	"time"
)

// processCPU is not measured here: benchmarks report 0 µs of CPU.
func processCPU(*testing.B) time.Duration { return 0 }
