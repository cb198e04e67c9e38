package e2e

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"

	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/tui"
)

var invocationsRe = regexp.MustCompile(`last hour   ([0-9]+) invocations · ([0-9]+) failed`)

// TestStopAndStartTheDemoPipe: on the demo, :consumers orders shows the
// demo's pipe running with its last hour of invocations; S, then y, stops
// it (the engine says STOPPED), S and y again start it.
func TestStopAndStartTheDemoPipe(t *testing.T) {
	e := engine(t)
	s := session(t, e, false)
	a := start(t, s, config.File{}, 120, 40)
	a.waitText(shortWait, "Streams", "account 000000000000")
	runDemo(t, e, func() { a.tm.Send(tui.ReloadMsg{Status: "demo pipeline ready"}) })
	a.waitText(shortWait, "demo pipeline ready")

	a.command("consumers " + demo.StreamName)
	a.waitText(shortWait, "Consumers of stream "+demo.StreamName, demo.PipeName, "RUNNING")
	// The pipe has been calling the demo's API: CloudWatch has it.
	a.waitRefreshing("the pipe's invocations", longWait, func(s string) bool {
		m := invocationsRe.FindStringSubmatch(s)
		n, _ := strconv.Atoi(safeGroup(m, 1))
		return n > 0
	})

	a.press("S")
	a.waitText(shortWait, "Stop pipe "+demo.PipeName+"?")
	a.press("y")
	a.waitText(longWait, "pipe "+demo.PipeName+": STOPPED")
	if st := pipeState(t, e.Pipes(), demo.PipeName); st != "STOPPED" {
		t.Fatalf("the engine says %s", st)
	}
	a.press("S")
	a.waitText(shortWait, "Start pipe "+demo.PipeName+"?")
	a.press("y")
	a.waitText(longWait, "pipe "+demo.PipeName+": RUNNING")
	if st := pipeState(t, e.Pipes(), demo.PipeName); st != "RUNNING" {
		t.Fatalf("the engine says %s", st)
	}
	a.quit()
}

func safeGroup(m []string, i int) string {
	if len(m) <= i {
		return ""
	}
	return m[i]
}

func pipeState(t *testing.T, c *pipes.Client, name string) string {
	t.Helper()
	out, err := c.DescribePipe(context.Background(), &pipes.DescribePipeInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.CurrentState)
}
