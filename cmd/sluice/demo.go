package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/localengine"
)

type demoFlags struct {
	tui      tuiFlags
	headless bool
	addr     string
	// addrGiven is --addr on the line: then a taken port is an error, not
	// a reason to pick another.
	addrGiven bool
	guard     guardFlags
	dataDir   string
	rate      float64
	seed      uint64
	hydrate   bool
	fixAfter  time.Duration
}

func newDemoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the bundled engine with a live demo pipeline",
		Long: `Start the bundled engine (or use the one already serving the data directory)
and run a realistic order pipeline on it: a stream "orders" fed with about 20
orders a second, a pipe "orders-to-api" to an orders API that fails a few calls
at random and always rejects orders it cannot read, the dead-letter queue
"orders-dlq", the archive bucket "orders-archive", and an event bus
"orders-bus" with a rule to the same API. Within a minute the DLQ holds real
failures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			f.addrGiven = cmd.Flags().Changed("addr")
			if !f.headless {
				return runDemoTUI(ctx, f)
			}
			return runDemo(ctx, cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.headless, "headless", false, "run without the terminal UI, printing progress")
	fl.StringVar(&f.addr, "addr", defaultEngineAddr, "address for the engine to listen on (loopback only unless --allow-remote)")
	f.guard.register(cmd)
	fl.StringVar(&f.dataDir, "data", "", "data directory (default $SLUICE_DATA_DIR or $XDG_DATA_HOME/sluice)")
	fl.BoolVar(&f.tui.readOnly, "readonly", false, "open the UI read-only: every write refused")
	fl.StringVar(&f.tui.configPath, "config", "", "sluice config file (default $XDG_CONFIG_HOME/sluice/config.yaml)")
	fl.Float64Var(&f.rate, "rate", 20, "orders a second the producer writes")
	fl.Uint64Var(&f.seed, "seed", 0, "seed for repeatable orders and API failures (random when 0)")
	fl.DurationVar(&f.fixAfter, "fix-after", 3*time.Minute, "when the orders API learns the unknown currency (the fix ships), so that replays of those failures succeed; 0 never")
	fl.BoolVar(&f.hydrate, "hydrate", false, "hydrate the failures reaching "+demo.DLQName+" into the archive as they arrive (without it they stay for you to hydrate)")
	return cmd
}

func runDemo(ctx context.Context, cmd *cobra.Command, f demoFlags) error {
	if f.rate <= 0 || f.rate > 10000 {
		return fmt.Errorf("--rate %v: want a rate between 0 and 10000 orders a second", f.rate)
	}
	dataDir, err := dataDirOf(f.dataDir)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	endpoint, note, stopEngine, err := engineForDemo(dataDir, f.addr, f.addrGiven, f.guard)
	if err != nil {
		return err
	}
	defer stopEngine()
	if note != "" {
		fmt.Fprintln(out, "sluice demo:", note)
	}
	fmt.Fprintf(out, "sluice demo: engine at %s (data %s)\n", endpoint, dataDir)
	opts := demo.Options{Endpoint: endpoint, Rate: f.rate, Seed: f.seed, Out: out, StatusEvery: 10 * time.Second, FixAfter: f.fixAfter}
	if !f.hydrate {
		fmt.Fprintf(out, "failures stay in %s for you: hydrate them with `sluice hydrate %s --profile local --endpoint-url %s` (or run the demo with --hydrate)\n",
			demo.DLQName, demo.DLQName, endpoint)
		return demo.Run(ctx, opts, nil)
	}
	h := &demoHydrate{endpoint: endpoint, out: out, done: make(chan error, 1)}
	opts.OnReady, opts.Status = h.start, h.status
	err = demo.Run(ctx, opts, nil)
	return errors.Join(err, h.wait())
}

// engineForDemo starts an engine on dataDir, or uses the one already
// serving it. When addr is the default and its port is taken (another
// program, another data directory's engine), it listens on a free
// loopback port instead and note says so; an address the operator gave
// is used or fails.
func engineForDemo(dataDir, addr string, addrGiven bool, guard guardFlags) (endpoint, note string, stop func(), err error) {
	opts := localengine.Options{DataDir: dataDir}
	guard.apply(&opts)
	running, err := startEngine(opts, addr)
	if !addrGiven && errors.Is(err, syscall.EADDRINUSE) {
		host, port, splitErr := net.SplitHostPort(addr)
		if splitErr != nil {
			return "", "", nil, fmt.Errorf("--addr %s: %w", addr, splitErr)
		}
		running, err = startEngine(opts, net.JoinHostPort(host, "0"))
		if err == nil {
			note = fmt.Sprintf("port %s is taken, so the engine listens on %s instead (--addr chooses)", port, strings.TrimPrefix(running.url, "http://"))
		}
	}
	var inUse *localengine.InUseError
	if errors.As(err, &inUse) && inUse.Address.URL != "" {
		return inUse.Address.URL, "", func() {}, nil
	}
	if err != nil {
		if addrGiven && errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("--addr %s is taken by another program (leave --addr out and the demo picks a free port): %w", addr, err)
		}
		return "", "", nil, err
	}
	return running.url, note, running.stop, nil
}
