package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/kinesis"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

// defaultEngineAddr is where the bundled engine listens unless told otherwise.
const defaultEngineAddr = "127.0.0.1:4577"

func newEngineCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "engine",
		Short: "The bundled AWS-compatible engine (Kinesis, SQS, S3, EventBridge, Pipes, CloudWatch)",
	}
	cmd.AddCommand(newEngineServeCmd())
	return cmd
}

type engineServeFlags struct {
	addr          string
	dataDir       string
	guard         guardFlags
	strictAuth    string
	enforceLimits bool
	shardQuota    int
	stateDelay    time.Duration
	logLevel      string
	retryBase     time.Duration
	retryCap      time.Duration
}

func newEngineServeCmd() *cobra.Command {
	var f engineServeFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the engine until interrupted",
		Long: `Serve Kinesis, SQS, S3, EventBridge, Pipes and CloudWatch on one port over their AWS wire protocols, on a
durable store in the data directory. Point any AWS client at it with an
endpoint override, e.g. aws --endpoint-url http://127.0.0.1:4577 kinesis list-streams.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return serveEngine(ctx, cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", defaultEngineAddr, "address to listen on (loopback only unless --allow-remote)")
	fl.StringVar(&f.dataDir, "data", "", "data directory (default $SLUICE_DATA_DIR or $XDG_DATA_HOME/sluice)")
	f.guard.register(cmd)
	fl.StringVar(&f.strictAuth, "strict-auth", "", "verify SigV4 signatures against this KEY:SECRET and reject others")
	fl.BoolVar(&f.enforceLimits, "enforce-limits", false, "enforce AWS's per-shard Kinesis throughput limits")
	fl.IntVar(&f.shardQuota, "shard-quota", kinesis.DefaultShardQuota, "open Kinesis shards allowed across all streams of a region, as AWS's per-account shard quota")
	fl.DurationVar(&f.stateDelay, "state-delay", 0, "how long a new Kinesis stream stays CREATING and a resharded one UPDATING, and a pipe or event source mapping stays STOPPING, STARTING, Disabling, … (e.g. 2s), so that clients' waiters can be exercised")
	fl.DurationVar(&f.retryBase, "retry-base", localengine.DefaultRetryBase, "base of the backoff between delivery retries")
	fl.DurationVar(&f.retryCap, "retry-cap", localengine.DefaultRetryCap, "longest wait between delivery retries")
	fl.StringVar(&f.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	return cmd
}

func serveEngine(ctx context.Context, cmd *cobra.Command, f engineServeFlags) error {
	opts, err := engineOptions(f, cmd)
	if err != nil {
		return err
	}
	running, err := startEngine(opts, f.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "sluice engine listening on %s (data %s)\n", running.url, opts.DataDir)
	if why := running.eng.ReadOnly(); why != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "sluice engine is READ-ONLY, serving reads only: %v\n", why)
	}
	select {
	case err := <-running.served:
		// Serving failed on its own; nothing is left to wait for.
		_ = running.eng.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	return running.stopErr()
}

// runningEngine is an engine serving in this process.
type runningEngine struct {
	eng    *localengine.Engine
	url    string
	served <-chan error
}

// guardFlags loosen what the engine refuses: a non-loopback address,
// other Host names, browsers, unsigned requests.
type guardFlags struct {
	allowRemote   bool
	allowHosts    []string
	allowOrigins  []string
	allowUnsigned bool
}

func (g *guardFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&g.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fl.StringArrayVar(&g.allowHosts, "allow-host", nil, "also answer requests for this Host name (name, name:port, *.suffix or *; repeatable)")
	fl.StringArrayVar(&g.allowOrigins, "allow-origin", nil, "serve browser requests from this origin, e.g. http://localhost:3000, with CORS (* for any; repeatable)")
	fl.BoolVar(&g.allowUnsigned, "allow-unsigned", false, "serve requests that carry no SigV4 signature")
}

func (g guardFlags) apply(o *localengine.Options) {
	o.AllowRemote = g.allowRemote
	o.AllowHosts = g.allowHosts
	o.AllowOrigins = g.allowOrigins
	o.AllowUnsigned = g.allowUnsigned
}

// startEngine opens the engine on opts.DataDir and serves it on addr,
// which must be on loopback unless opts.AllowRemote (Start checks it too).
func startEngine(opts localengine.Options, addr string) (*runningEngine, error) {
	if err := localengine.CheckListenAddr(addr, opts.AllowRemote); err != nil {
		return nil, err
	}
	eng, err := localengine.Open(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = eng.Shutdown(context.Background())
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	served, err := eng.Start(ln)
	if err != nil {
		_ = eng.Shutdown(context.Background())
		return nil, err
	}
	return &runningEngine{eng: eng, url: "http://" + ln.Addr().String(), served: served}, nil
}

// stopErr lets in-flight requests finish, closes the store, and reports
// how serving ended.
func (r *runningEngine) stopErr() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.eng.Shutdown(ctx); err != nil {
		return fmt.Errorf("engine shutdown: %w", err)
	}
	return <-r.served
}

func (r *runningEngine) stop() { _ = r.stopErr() }

func engineOptions(f engineServeFlags, cmd *cobra.Command) (localengine.Options, error) {
	if f.retryBase <= 0 || f.retryCap < f.retryBase {
		return localengine.Options{}, fmt.Errorf("--retry-base %v and --retry-cap %v: want 0 < base <= cap", f.retryBase, f.retryCap)
	}
	if f.shardQuota < 1 || f.shardQuota > kinesis.MaxShardQuota {
		return localengine.Options{}, fmt.Errorf("--shard-quota %d: want 1 to %d", f.shardQuota, kinesis.MaxShardQuota)
	}
	if f.stateDelay < 0 {
		return localengine.Options{}, fmt.Errorf("--state-delay %v: want 0 or more", f.stateDelay)
	}
	opts := localengine.Options{EnforceLimits: f.enforceLimits, RetryBase: f.retryBase, RetryCap: f.retryCap,
		KinesisShardQuota: f.shardQuota, KinesisStateDelay: f.stateDelay, ConsumerStateDelay: f.stateDelay}
	f.guard.apply(&opts)
	dir, err := dataDirOf(f.dataDir)
	if err != nil {
		return opts, err
	}
	opts.DataDir = dir
	if f.strictAuth != "" {
		key, secret, ok := strings.Cut(f.strictAuth, ":")
		if !ok || key == "" || secret == "" {
			return opts, errors.New("--strict-auth wants KEY:SECRET")
		}
		opts.StrictAuth = &sigv4.Credentials{AccessKey: key, Secret: secret}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return opts, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	return opts, nil
}
