//go:build !unix

package hydrate_test

import (
	"testing"
	"time"
)

// processCPU is not measured here: the benchmark reports 0 µs of CPU.
func processCPU(*testing.B) time.Duration { return 0 }
