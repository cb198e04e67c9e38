package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
)

// Describe calls in flight at once. Kinesis and Pipes limit describe
// calls to a few a second per account, so a few at a time stays clear of
// throttling (the SDK retries the occasional one); SQS takes many more.
const (
	describeConcurrency = 4
	queueConcurrency    = 16
)

// errServiceDown stops a fan-out once one call timed out or could not
// connect: the others would wait as long for the same silence.
var errServiceDown = errors.New("service stopped answering")

// describeEach describes every name, limit at a time, each call bounded
// by d, keeping the order. A resource gone meanwhile (missing says so) is
// left out; any other failure is kept, named by resource(name), beside
// what was read. When a call times out or cannot connect, the service is
// taken as down: the calls not yet made are skipped and counted in one
// more failure, so that a silent service costs one bound, not one per
// resource.
func describeEach[T any](ctx context.Context, s *backend.Session, service string, limit int, d time.Duration,
	names []string, resource func(string) string,
	describe func(context.Context, string) (T, error), missing func(error) bool) ([]T, backend.Failures) {
	out := make([]T, len(names))
	state := make([]int8, len(names)) // 0 not tried, 1 read, 2 gone, 3 failed
	fails := make([]backend.Failure, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for i, name := range names {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			v, err := bounded(gctx, d, func(ctx context.Context) (T, error) { return describe(ctx, name) })
			switch {
			case err == nil:
				out[i], state[i] = v, 1
			case missing != nil && missing(err):
				state[i] = 2
			case ctx.Err() == nil && gctx.Err() != nil && errors.Is(err, context.Canceled):
				// Cancelled because another call found the service
				// down: counted with the skipped ones.
			default:
				fails[i], state[i] = s.Failure(service, resource(name), err), 3
				if k := fails[i].Kind; k == backend.FailTimedOut || k == backend.FailUnreachable {
					return errServiceDown
				}
			}
			return nil
		})
	}
	down := g.Wait() != nil
	kept := make([]T, 0, len(names))
	var failures backend.Failures
	skipped := 0
	var cause backend.Failure
	for i := range names {
		switch state[i] {
		case 1:
			kept = append(kept, out[i])
		case 3:
			failures = append(failures, fails[i])
			if k := fails[i].Kind; cause.Kind == "" && (k == backend.FailTimedOut || k == backend.FailUnreachable) {
				cause = fails[i]
			}
		case 0:
			skipped++
		}
	}
	if skipped > 0 {
		f := backend.Failure{Service: service, Resource: fmt.Sprintf("%d more not read", skipped), Kind: backend.FailTimedOut,
			Message: "not tried: the service stopped answering", Err: ctx.Err()}
		if down && cause.Kind != "" {
			f.Kind, f.Message, f.Err = cause.Kind, "not tried after: "+cause.Message, cause.Err
		} else if err := ctx.Err(); err != nil {
			f.Message = "not tried: " + err.Error()
		}
		failures = append(failures, f)
	}
	return kept, failures
}

// serviceFailure is the failure of a service's listing itself.
func serviceFailure(s *backend.Session, service string, err error) backend.Failures {
	return backend.Failures{s.Failure(service, "", err)}
}
