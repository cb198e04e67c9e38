package inventory

import (
	"context"
	"time"
)

// ServiceTimeout bounds each call a listing makes, and the listing phase
// of each service (its List calls and their pages): a service that does
// not answer — a region without Pipes, a VPC whose endpoints serve only
// Kinesis, SQS and S3, a black-holed DNS name — then costs this long and
// no more, and its failure is reported beside what the other services
// gave. The SDK's retries of a silent or throttling endpoint share the
// call's context, so they stay within the bound too. Eight seconds leaves
// a healthy but slow AWS endpoint (and the SDK's three attempts with
// backoff) time to answer, while a screen still fills in well within the
// TUI's CallTimeout.
const ServiceTimeout = 8 * time.Second

// Timeout replaces ServiceTimeout for one listing (tests and benchmarks
// use a shorter bound).
func Timeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// timeoutOf is the per-service bound opts ask for, else ServiceTimeout.
func timeoutOf(opts []Option) time.Duration {
	o := options{timeout: ServiceTimeout}
	for _, f := range opts {
		f(&o)
	}
	if o.timeout <= 0 {
		return ServiceTimeout
	}
	return o.timeout
}

// bounded runs fn under a context that ends after d.
func bounded[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return fn(ctx)
}
