package consumers

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
)

// Filter narrows a listing: the consumers of one stream, or the sources
// of one dead-letter queue (each given by name or ARN; the DLQ also by
// URL). Both empty lists every consumer.
type Filter struct {
	Stream string
	DLQ    string
}

func (f Filter) keeps(c Consumer) bool {
	if f.Stream != "" && !sameResource(c.Source, f.Stream, inventory.StreamName) {
		return false
	}
	if f.DLQ != "" && (c.DLQ == "" || !sameResource(c.DLQ, f.DLQ, inventory.QueueName)) {
		return false
	}
	return true
}

// sameResource compares an ARN with a reference given by ARN (whole) or
// by name (the ARN's name).
func sameResource(arn, ref string, name func(string) string) bool {
	if strings.HasPrefix(ref, "arn:") {
		return arn == ref
	}
	return name(arn) == name(ref)
}

// List lists the pipes and the Lambda event source mappings that f keeps,
// pipes first, each kind by name. A service that cannot be read (Pipes
// denied, an endpoint without Lambda) is a Failure beside the rest.
func List(ctx context.Context, s *backend.Session, f Filter, opts ...inventory.Option) ([]Consumer, backend.Failures) {
	// The two services are read at once: one that does not answer costs
	// its bound, not the other's too.
	var pipes []inventory.Pipe
	var fs backend.Failures
	var esms []inventory.ESM
	var esmErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pipes, fs = inventory.DescribePipes(ctx, s, opts...) }()
	go func() { defer wg.Done(); esms, esmErr = inventory.EventSourceMappingsBounded(ctx, s, opts...) }()
	wg.Wait()
	var out []Consumer
	for _, p := range pipes {
		if c := fromPipe(p); f.keeps(c) {
			out = append(out, c)
		}
	}
	if esmErr != nil {
		fs = append(fs, s.Failure("lambda", "", esmErr))
	}
	for _, e := range esms {
		if c := fromESM(e); f.keeps(c) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Consumer) int {
		if a.Kind != b.Kind {
			return strings.Compare(string(b.Kind), string(a.Kind)) // pipe before esm
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, fs
}

// Get reads one consumer.
func Get(ctx context.Context, s *backend.Session, r Ref) (Consumer, error) {
	if r.Kind == KindESM {
		e, err := inventory.GetEventSourceMapping(ctx, s, r.Name)
		if err != nil {
			return Consumer{}, err
		}
		return fromESM(e), nil
	}
	p, err := inventory.DescribePipe(ctx, s, r.Name)
	if err != nil {
		return Consumer{}, err
	}
	return fromPipe(p), nil
}

// IsNotFound reports an answer meaning the consumer does not exist.
func IsNotFound(err error) bool {
	return backend.IsCode(err, "NotFoundException", "ResourceNotFoundException")
}
