//go:build !unix

package replay

import (
	"testing"
	"time"
)

// cpuTime is not measured here: the benchmark reports 0 µs of CPU.
func cpuTime(*testing.B) time.Duration { return 0 }
