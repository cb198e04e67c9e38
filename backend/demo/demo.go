// Package demo runs a realistic order pipeline on an engine, built only
// through the public AWS APIs as a user's own setup would be: a stream of
// orders, a pipe to an orders API that fails now and then and always
// rejects orders it cannot read, a dead-letter queue, an archive bucket,
// and an event bus with a rule to the same API.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Options configure a demo run.
type Options struct {
	// Endpoint is the engine's URL.
	Endpoint string
	// Region the scenario lives in; us-east-1 when empty.
	Region string
	// Rate is how many orders a second the producer writes; 20 when zero.
	Rate float64
	// Seed makes the orders and the API's failures repeatable; random when 0.
	Seed uint64
	// Out receives the demo's progress lines; discarded when nil.
	Out io.Writer
	// StatusEvery is how often a status line is printed; never when zero.
	StatusEvery time.Duration
	// OnReady, when set, is called once the scenario is set up and before
	// the producer starts, with the run's context: a caller starts its own
	// work on the pipeline there (sluice demo --hydrate watches the DLQ).
	OnReady func(ctx context.Context)
	// Status, when set, adds to every status line.
	Status func() string
	// FixAfter, when set, is how long until the orders API learns the
	// unknown currency — the fix shipping — after which replays of those
	// failed orders succeed. Zero: never.
	FixAfter time.Duration
}

// Stats is what a running demo has done so far.
type Stats struct {
	Producer ProducerStats
	API      APIStats
}

// Run sets the scenario up and runs the orders API and the producer until
// ctx ends. stats, when not nil, is kept up to date while it runs.
func Run(ctx context.Context, opts Options, stats *Stats) error {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Rate <= 0 {
		opts.Rate = 20
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if stats == nil {
		stats = &Stats{}
	}
	logf := func(format string, args ...any) { fmt.Fprintf(opts.Out, format+"\n", args...) }

	stop := make(chan struct{})
	api := newOrdersAPI(opts.Seed, &stats.API, stop)
	if opts.FixAfter > 0 {
		fixAt := time.Now().Add(opts.FixAfter)
		api.fixed = func() bool { return !time.Now().Before(fixAt) }
		go func() {
			select {
			case <-time.After(opts.FixAfter):
				logf("the orders API now accepts %s orders (the fix shipped): replay the archived ones", poisonCurrency)
			case <-stop:
			}
		}()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: orders API: %w", err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		close(stop)
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		<-served
	}()
	apiURL := "http://" + ln.Addr().String() + "/orders"

	c := newClients(awsConfig(opts.Endpoint, opts.Region))
	if _, err := setUp(ctx, c, opts.Region, apiURL); err != nil {
		return fmt.Errorf("demo: set up: %w", err)
	}
	logf("stream %s (4 shards) → pipe %s → orders API %s", StreamName, PipeName, apiURL)
	logf("pipe failures → queue %s (archive %s); bus %s: OrderCreated → orders API", DLQName, ArchiveURL, BusName)
	logf("producing about %.0f orders a second; 2%% in an unknown currency, some binary or malformed", opts.Rate)

	if opts.OnReady != nil {
		opts.OnReady(ctx)
	}
	p := &producer{c: c, rate: opts.Rate, orders: newOrderMaker(opts.Seed), stats: &stats.Producer, logf: logf}
	if opts.StatusEvery > 0 {
		go reportStatus(ctx, opts.StatusEvery, stats, opts.Status, logf)
	}
	p.run(ctx)
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func reportStatus(ctx context.Context, every time.Duration, s *Stats, extra func() string, logf func(string, ...any)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			line := fmt.Sprintf("produced %d orders and %d bus events; API accepted %d calls, rejected %d (poison), failed %d (500), throttled %d, timed out %d",
				s.Producer.Records.Load(), s.Producer.Events.Load(), s.API.Accepted.Load(), s.API.Rejected.Load(),
				s.API.ServerErrors.Load(), s.API.Throttled.Load(), s.API.TimedOut.Load())
			if extra != nil {
				line += "; " + extra()
			}
			logf("%s", line)
		}
	}
}

// awsConfig is an SDK configuration for the engine: any credentials do.
func awsConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("sluice-demo", "sluice-demo", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}
