// Command sluice operates event pipelines on AWS, or on its bundled local
// engine.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluicehq/sluice/backend/inert"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=… -X
// main.date=…"; where they are not, binaryBuild reads Go's build information.
var (
	version = "dev"
	commit  = "dev"
	date    = "dev"
)

func main() {
	root := newRootCmd(binaryBuild())
	// Ctrl-C and SIGTERM end the command's context, once for every command:
	// what is in flight finishes or is released, and an engine the command
	// started shuts down cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		// Errors can carry text from AWS and from data: never escapes.
		fmt.Fprintln(os.Stderr, "sluice:", inert.Block(err.Error()))
		os.Exit(exitStatus(err))
	}
}

// exitStatus is 1 for a failed command, exitPartial for a listing that
// printed what it could read but not everything.
func exitStatus(err error) int {
	var partial *partialError
	if errors.As(err, &partial) {
		return exitPartial
	}
	return 1
}
