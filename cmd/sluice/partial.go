package main

import (
	"fmt"
	"io"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inert"
)

// exitPartial is the exit status of a listing that printed what it could
// read but not everything: some resource or service could not be read
// (denied, throttled, unreachable, timed out). Scripts tell it from a
// failure (1) and from a full listing (0).
const exitPartial = 3

// partialError is the error of a listing that printed what it could
// read; main maps it to exitPartial. Each failure was already named on
// stderr.
type partialError struct{ failures backend.Failures }

func (e *partialError) Error() string {
	return fmt.Sprintf("partial listing: %d %s could not be read (named above)", len(e.failures), plural(len(e.failures), "resource or service", "resources or services"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// reportFailures names each failure on stderr, inert, and returns a
// partialError when one of them makes the listing partial. A service the
// endpoint does not serve (Lambda on the bundled engine) is named too,
// but is no partial listing: there is nothing there to read.
func reportFailures(w io.Writer, fs backend.Failures) error {
	var partial backend.Failures
	for _, f := range fs {
		prefix := "failed: "
		if f.Kind == backend.FailNotServed {
			prefix = "note: "
		} else {
			partial = append(partial, f)
		}
		fmt.Fprintln(w, prefix+inert.Line(f.Error()))
	}
	if len(partial) == 0 {
		return nil
	}
	return &partialError{failures: partial}
}
