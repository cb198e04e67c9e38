package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

// demoHydrate is `sluice demo --hydrate`: the hydrate watch on the demo's
// DLQ, with the archive its sluice:archive tag names, as a pipeline's
// operator would run it.
type demoHydrate struct {
	endpoint string
	out      io.Writer
	outMu    sync.Mutex
	started  atomic.Bool
	done     chan error

	hydrated, events, left, failed atomic.Int64
}

// start runs the watch until ctx (the demo's) ends.
func (h *demoHydrate) start(ctx context.Context) {
	h.started.Store(true)
	go func() { h.done <- h.run(ctx) }()
}

func (h *demoHydrate) wait() error {
	if !h.started.Load() {
		return nil
	}
	return <-h.done
}

func (h *demoHydrate) run(ctx context.Context) error {
	logger, closeLog := openLog()
	defer closeLog()
	endpoint := h.endpoint
	s, err := backend.Open(ctx, backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal}, backend.Env{
		Local: func(context.Context) (string, error) { return endpoint, nil }, Endpoint: endpoint, Log: logger,
	})
	if err != nil {
		return fmt.Errorf("demo --hydrate: %w", err)
	}
	url, err := inventory.QueueURL(ctx, s, demo.DLQName)
	if err != nil {
		return fmt.Errorf("demo --hydrate: %w", err)
	}
	loc, err := inventory.ArchiveForQueue(ctx, s, nil, url, "")
	if err != nil {
		return fmt.Errorf("demo --hydrate: %w", err)
	}
	h.logf("hydrating %s into %s as failures arrive", demo.DLQName, loc)
	err = hydrate.Watch(ctx, s, url, hydrate.Options{Archive: loc, DLQ: demo.DLQName}, h.report)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("demo --hydrate: %w", err)
	}
	return nil
}

func (h *demoHydrate) report(r hydrate.Result) {
	h.events.Add(int64(r.Events))
	switch r.Outcome {
	case hydrate.Hydrated:
		h.hydrated.Add(1)
	case hydrate.Failed:
		h.failed.Add(1)
		h.logf("hydrate: %s", inert.Line(r.Reason))
	default:
		h.left.Add(1)
		h.logf("hydrate: %s: %s", inert.Line(r.MessageID), inert.Line(r.Reason))
	}
}

// status is the hydrate part of the demo's status lines.
func (h *demoHydrate) status() string {
	return fmt.Sprintf("hydrated %d DLQ messages (%d events archived), left %d, failed %d",
		h.hydrated.Load(), h.events.Load(), h.left.Load(), h.failed.Load())
}

func (h *demoHydrate) logf(format string, args ...any) {
	h.outMu.Lock()
	defer h.outMu.Unlock()
	fmt.Fprintf(h.out, format+"\n", args...)
}
