// Package localengine is sluice's bundled AWS-compatible engine: Kinesis,
// SQS, S3, EventBridge, Pipes, CloudWatch and Lambda's event source
// mappings over their real wire protocols,
// on a durable store in one data directory, plus STS's GetCallerIdentity so
// that clients can check their credentials. Any AWS client can use it
// through an endpoint override.
package localengine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/cloudwatch"
	"github.com/sluicehq/sluice/localengine/events"
	"github.com/sluicehq/sluice/localengine/inflight"
	"github.com/sluicehq/sluice/localengine/kinesis"
	"github.com/sluicehq/sluice/localengine/lambda"
	"github.com/sluicehq/sluice/localengine/pipes"
	"github.com/sluicehq/sluice/localengine/s3"
	"github.com/sluicehq/sluice/localengine/sigv4"
	"github.com/sluicehq/sluice/localengine/sqs"
	"github.com/sluicehq/sluice/localengine/store"
)

// Options configure an engine.
type Options struct {
	// DataDir holds the store and the address file; created if missing.
	DataDir string
	// StrictAuth, when set, makes the engine verify every signature against
	// this one key pair. By default any credentials are accepted.
	StrictAuth *sigv4.Credentials
	// AllowRemote lets Start serve on an address off the loopback
	// interface; without it Start refuses one, since by default the engine
	// verifies no credentials.
	AllowRemote bool
	// AllowHosts are the Host names served beyond the engine's own
	// address, localhost, <bucket>.localhost, 127.0.0.1 and [::1]: a name,
	// name:port, "*.suffix", or "*" for any. Other names are refused, since
	// a DNS name re-pointed at 127.0.0.1 lets a web page read the answers.
	AllowHosts []string
	// AllowOrigins are the browser origins (scheme://host[:port]) served,
	// with CORS headers; "*" serves every page. By default a request with
	// an Origin, or that a browser made for a page (Sec-Fetch-Site), is
	// refused: AWS SDKs and the aws CLI send neither.
	AllowOrigins []string
	// AllowUnsigned serves requests that carry no SigV4 signature. By
	// default they are refused, as AWS refuses them; StrictAuth refuses
	// them whatever this says.
	AllowUnsigned bool
	// EnforceLimits turns on AWS's per-shard Kinesis throughput limits.
	EnforceLimits bool
	// KinesisShardQuota bounds the open Kinesis shards of all streams in a
	// region, as AWS's per-account shard quota does; 0 means AWS's default
	// of 500.
	KinesisShardQuota int
	// KinesisStateDelay is how long a new stream stays CREATING, and a
	// resharded one UPDATING, before it is ACTIVE, so that clients' waiters
	// can be exercised; 0 (the default) makes every change at once.
	KinesisStateDelay time.Duration
	// ConsumerStateDelay is how long a pipe stays in a transitional state
	// (CREATING, STARTING, STOPPING, …) and an event source mapping in
	// one (Creating, Enabling, Disabling, …) before it settles, so that
	// a client following the state can be exercised; 0 settles at once.
	ConsumerStateDelay time.Duration
	// RetryBase and RetryCap shape the exponential backoff (full jitter) of
	// failed pipe and event-bus deliveries; defaults make a demo visibly
	// retry within seconds.
	RetryBase, RetryCap time.Duration
	// Now is the engine's clock; time.Now when nil. Tests move it.
	Now func() time.Time
	// Logger receives the engine's log; discarded when nil.
	Logger *slog.Logger

	// BodyMemory is the budget of request-body bytes held in memory at
	// once across all connections (DefaultBodyMemory when zero); BodyWait
	// is how long a request waits for its share before a throttling error
	// (DefaultBodyWait); BodyIdleTimeout cuts a body that sends nothing
	// for that long (DefaultBodyIdleTimeout).
	BodyMemory      int64
	BodyWait        time.Duration
	BodyIdleTimeout time.Duration
	// MaxConnections bounds the connections open at once
	// (DefaultMaxConnections when zero).
	MaxConnections int
}

// Engine is an open engine: its store and services, ready to serve.
type Engine struct {
	opts       Options
	store      *store.Store
	kinesis    *kinesis.Service
	sqs        *sqs.Service
	s3         *s3.Service
	cloudwatch *cloudwatch.Service
	events     *events.Service
	pipes      *pipes.Service
	lambda     *lambda.Service
	log        *slog.Logger
	// inflight is the budget of request bodies held in memory.
	inflight *inflight.Limiter

	mu       sync.Mutex
	server   *http.Server
	shutdown sync.Once
	// stopping is cancelled when Shutdown starts, so that long polls end
	// and let in-flight requests finish.
	stopping context.Context
	stop     context.CancelFunc
}

// Open opens the data directory. It fails at once with *InUseError when
// another engine is serving it.
func Open(opts Options) (*Engine, error) {
	if opts.DataDir == "" {
		return nil, errors.New("open engine: no data directory")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.RetryCap <= 0 {
		opts.RetryCap = DefaultRetryCap
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.BodyMemory <= 0 {
		opts.BodyMemory = DefaultBodyMemory
	}
	if opts.BodyWait <= 0 {
		opts.BodyWait = DefaultBodyWait
	}
	if opts.BodyIdleTimeout <= 0 {
		opts.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = DefaultMaxConnections
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open engine: create data directory: %w", err)
	}
	st, err := store.Open(filepath.Join(opts.DataDir, "engine.db"))
	if errors.Is(err, store.ErrLocked) {
		addr, _ := ReadAddress(opts.DataDir)
		return nil, &InUseError{DataDir: opts.DataDir, Address: addr}
	}
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	e := &Engine{opts: opts, store: st, log: opts.Logger, inflight: inflight.New(opts.BodyMemory, opts.BodyWait)}
	e.stopping, e.stop = context.WithCancel(context.Background())
	if err := e.openServices(); err != nil {
		e.closeServices()
		_ = st.Close()
		return nil, fmt.Errorf("open engine: %w", err)
	}
	return e, nil
}

// Default backoff of failed deliveries: short enough that a demo shows
// retries within seconds.
const (
	DefaultRetryBase = 200 * time.Millisecond
	DefaultRetryCap  = 5 * time.Second
)

// openServices opens the services in dependency order: CloudWatch first,
// since every other service records metrics into it, and Pipes last, since
// it calls the others.
func (e *Engine) openServices() error {
	var err error
	o := e.opts
	if e.cloudwatch, err = cloudwatch.New(e.store, cloudwatch.Config{Now: o.Now, Logger: e.log}); err != nil {
		return fmt.Errorf("cloudwatch: %w", err)
	}
	if e.kinesis, err = kinesis.New(e.store, kinesis.Config{
		Now: o.Now, EnforceLimits: o.EnforceLimits, Logger: e.log, Metrics: e.cloudwatch,
		ShardQuota: o.KinesisShardQuota, StateDelay: o.KinesisStateDelay,
	}); err != nil {
		return fmt.Errorf("kinesis: %w", err)
	}
	if e.sqs, err = sqs.New(e.store, sqs.Config{Now: o.Now, Logger: e.log, Metrics: e.cloudwatch}); err != nil {
		return fmt.Errorf("sqs: %w", err)
	}
	if e.s3, err = s3.New(e.store, s3.Config{Now: o.Now, Logger: e.log, DataDir: o.DataDir}); err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	if e.events, err = events.New(e.store, events.Config{
		Now: o.Now, Logger: e.log, Metrics: e.cloudwatch, Kinesis: e.kinesis, SQS: e.sqs,
		HTTPClient: deliveryClient(), RetryBase: o.RetryBase, RetryCap: o.RetryCap,
	}); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if e.pipes, err = pipes.New(e.store, pipes.Config{
		Now: o.Now, Logger: e.log, Metrics: e.cloudwatch, Kinesis: e.kinesis, SQS: e.sqs, Events: e.events,
		RetryBase: o.RetryBase, RetryCap: o.RetryCap, StateDelay: o.ConsumerStateDelay,
	}); err != nil {
		return fmt.Errorf("pipes: %w", err)
	}
	if e.lambda, err = lambda.New(e.store, lambda.Config{Now: o.Now, Logger: e.log, StateDelay: o.ConsumerStateDelay}); err != nil {
		return fmt.Errorf("lambda: %w", err)
	}
	return nil
}

// deliveryClient calls API destinations: a bounded timeout, since a target
// that hangs is a failure to retry, not a reason to stall a pipe.
func deliveryClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second}
}

// closeServices closes in the reverse order of openServices, so that no
// service is called after it closed.
func (e *Engine) closeServices() {
	if e.lambda != nil {
		e.lambda.Close()
	}
	if e.pipes != nil {
		e.pipes.Close()
	}
	if e.events != nil {
		e.events.Close()
	}
	if e.s3 != nil {
		e.s3.Close()
	}
	if e.sqs != nil {
		e.sqs.Close()
	}
	if e.kinesis != nil {
		e.kinesis.Close()
	}
	if e.cloudwatch != nil {
		e.cloudwatch.Close()
	}
}

// DataDir is the directory the engine serves.
func (e *Engine) DataDir() string { return e.opts.DataDir }

// Serve answers requests on ln until Shutdown, recording ln's address in
// the data directory. It returns nil after a clean Shutdown.
func (e *Engine) Serve(ln net.Listener) error {
	done, err := e.Start(ln)
	if err != nil {
		return err
	}
	return <-done
}

// Start records ln's address in the data directory, so that clients can
// find the engine as soon as Start returns, and serves on ln in the
// background. The channel yields Serve's result once serving ends.
func (e *Engine) Start(ln net.Listener) (<-chan error, error) {
	if err := e.checkListener(ln); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.server != nil {
		return nil, errors.New("engine is already serving")
	}
	addr := ln.Addr().String()
	full, err := writeAddress(e.opts.DataDir, Address{URL: "http://" + addr, Addr: addr, PID: os.Getpid()})
	if err != nil && full == nil {
		return nil, err
	}
	if full != nil {
		// A crash on a full disk must not lock the user out of the
		// data: serve reads, refuse writes, and say why.
		e.refuseWrites(full)
		if err != nil {
			e.log.Error("no room for the address file: clients given only the data directory cannot find this engine",
				"data", e.opts.DataDir, "url", "http://"+addr)
		}
	}
	e.server = e.newServer()
	srv := e.server
	ln = newLimitListener(ln, e.opts.MaxConnections)
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	return done, nil
}

// refuseWrites makes the engine read-only: every write (a store update, an
// S3 body) answers 503 ServiceUnavailable with cause in its message.
func (e *Engine) refuseWrites(cause error) {
	e.store.RefuseWrites(awserr.New(http.StatusServiceUnavailable, "ServiceUnavailable",
		"the engine's disk is full: writes are refused (%v); free space in %s and restart the engine",
		cause, e.opts.DataDir))
	e.log.Error("the engine's disk is full: serving reads only, writes are refused until space is freed and the engine restarted",
		"data", e.opts.DataDir, "err", cause)
}

// ReadOnly reports why the engine refuses writes (its disk was full when
// it started), or nil when it accepts them.
func (e *Engine) ReadOnly() error { return e.store.WriteRefusal() }

// newServer serves the engine over HTTP/1.1 and HTTP/2 without TLS (h2c,
// with prior knowledge, as the JavaScript SDK's Kinesis client speaks it
// over http://) on the same port, with every read bounded: headers must
// arrive within readHeaderTimeout, a body must keep moving
// (BodyIdleTimeout, in bounded), idle connections close, and HTTP/2
// buffers little per connection.
func (e *Engine) newServer() *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           e.bounded(e),
		Protocols:         protocols,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleConnTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams:          h2MaxStreams,
			MaxReceiveBufferPerConnection: h2ReceiveBuffer,
			MaxReceiveBufferPerStream:     h2ReceiveBuffer,
		},
		BaseContext: func(net.Listener) context.Context { return e.stopping },
		ErrorLog:    slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
}

// Shutdown stops accepting requests, lets in-flight ones finish (long polls
// return early), then closes the services and the store. It is safe to call
// on an engine that never served.
func (e *Engine) Shutdown(ctx context.Context) error {
	err := ErrShutDown
	e.shutdown.Do(func() { err = e.shutdownOnce(ctx) })
	return err
}

// ErrShutDown is returned by a second Shutdown.
var ErrShutDown = errors.New("engine is already shut down")

func (e *Engine) shutdownOnce(ctx context.Context) error {
	e.stop()
	e.mu.Lock()
	srv := e.server
	e.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
		removeAddress(e.opts.DataDir)
	}
	e.closeServices()
	if cerr := e.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}
