//go:build !unix

package backendtest

import (
	"testing"
	"time"
)

// ProcessCPU is not measured here: benchmarks report 0 µs of CPU.
func ProcessCPU(testing.TB) time.Duration { return 0 }
