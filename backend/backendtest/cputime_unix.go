//go:build unix

package backendtest

import (
	"syscall"
	"testing"
	"time"
)

// ProcessCPU is the CPU time, user and system, the process has used:
// benchmarks report it per event beside their rates, since on a shared
// machine it varies less.
func ProcessCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
