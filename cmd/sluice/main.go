// Command sluice operates event pipelines on AWS, or on its bundled local
// engine.
package main

import (
	"fmt"
	"os"

	"github.com/sluicehq/sluice/backend/inert"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=… -X main.date=…".
var (
	version = "dev"
	commit  = "dev"
	date    = "dev"
)

func main() {
	root := newRootCmd(buildInfo{Version: version, Commit: commit, Date: date})
	if err := root.Execute(); err != nil {
		// Errors can carry text from AWS and from data: never escapes.
		fmt.Fprintln(os.Stderr, "sluice:", inert.Block(err.Error()))
		os.Exit(1)
	}
}
