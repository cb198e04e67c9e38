package enginetest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine"
)

// childEnv names the data directory when a test binary runs as an engine
// child process.
const childEnv = "SLUICE_ENGINETEST_CHILD_DATA"

// childLifetime stops a child whose test vanished without killing it.
const childLifetime = 2 * time.Minute

// RunChildIfAsked makes a test binary serve as an engine child when
// StartChild started it. Call it first in TestMain; it returns at once in
// an ordinary test run.
func RunChildIfAsked() {
	dir := os.Getenv(childEnv)
	if dir == "" {
		return
	}
	eng, err := localengine.Open(localengine.Options{DataDir: dir})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	if _, err := eng.Start(ln); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("http://" + ln.Addr().String())
	time.Sleep(childLifetime)
	os.Exit(3)
}

// StartChild runs the test binary as an engine serving dir in a child
// process, so that a test can SIGKILL it. It returns the process and the
// engine's URL; the process is killed when the test ends.
func StartChild(tb testing.TB, dir string) (*exec.Cmd, string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		tb.Fatalf("child engine did not start: %q %v", line, err)
	}
	return cmd, strings.TrimSpace(line)
}
