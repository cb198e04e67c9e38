// Command peakrss runs a command and, once it has ended, prints its peak
// resident memory on stderr as "peakrss: BYTES".
//
// Linux charges a child started with vfork (as Go starts them) the peak
// of the memory it shared with its parent until its exec: run straight
// from a benchmark that holds an engine, every child would read as large
// as that engine. Started from this small process instead, a child reads
// as large as itself, or as this process (a few MB) if it is smaller.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "peakrss: %d\n", cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss*1024) // KiB on Linux
	os.Exit(cmd.ProcessState.ExitCode())
}
