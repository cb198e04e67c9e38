package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/tui"
)

// runDemoTUI is `sluice demo`: the engine, the demo pipeline running in
// the background, and the UI on the local profile. The demo's progress
// goes to the log file, since the UI owns the screen.
func runDemoTUI(ctx context.Context, f demoFlags) error {
	if f.rate <= 0 || f.rate > 10000 {
		return fmt.Errorf("--rate %v: want a rate between 0 and 10000 orders a second", f.rate)
	}
	dataDir, err := dataDirOf(f.dataDir)
	if err != nil {
		return err
	}
	endpoint, note, stopEngine, err := engineForDemo(dataDir, f.addr, f.addrGiven, f.guard)
	if err != nil {
		return err
	}
	defer stopEngine()
	logWriter, closeLog := openLogWriter()
	defer closeLog()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var send func(tea.Msg)
	ready := make(chan struct{})
	opts := demo.Options{Endpoint: endpoint, Rate: f.rate, Seed: f.seed, Out: logWriter, StatusEvery: 10 * time.Second, FixAfter: f.fixAfter}
	h := &demoHydrate{endpoint: endpoint, out: logWriter, done: make(chan error, 1)}
	opts.OnReady = func(runCtx context.Context) {
		if f.hydrate {
			h.start(runCtx)
		}
		close(ready)
	}
	if f.hydrate {
		opts.Status = h.status
	}
	demoDone := make(chan error, 1)
	go func() { demoDone <- demo.Run(ctx, opts, nil) }()

	flags := f.tui
	flags.dataDir = dataDir
	err = runTUI(ctx, flags, tuiRun{
		localEndpoint: endpoint,
		notice:        note,
		onStart: func(s func(tea.Msg)) {
			send = s
			go func() {
				select {
				case <-ready:
					send(tui.ReloadMsg{Status: "demo pipeline ready: orders flow into " + demo.StreamName + ", failures reach " + demo.DLQName + " within a minute"})
				case err := <-demoDone:
					send(tui.ReloadMsg{Status: fmt.Sprintf("demo stopped: %v", err)})
				case <-ctx.Done():
				}
			}()
		},
	})
	cancel()
	demoErr := <-demoDone
	if errors.Is(demoErr, context.Canceled) {
		demoErr = nil
	}
	return errors.Join(err, demoErr, h.wait())
}
