// Package pipes is the engine's EventBridge Pipes service (REST-JSON under
// /v1/pipes) and the runner that moves records from a Kinesis stream to a
// target, with retries, bisection and a dead-letter queue.
package pipes

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/inproc"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/store"
)

// Events is what pipes need of the EventBridge service: PutEvents for
// event-bus targets, and API-destination calls.
type Events interface {
	inproc.JSONService
	InvokeAPIDestination(ctx context.Context, arn string, body []byte) (int, error)
}

// Config configures the service.
type Config struct {
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics metrics.Recorder
	Kinesis inproc.JSONService
	SQS     inproc.JSONService
	Events  Events
	// RetryBase and RetryCap shape the exponential backoff of failed target
	// calls (full jitter).
	RetryBase, RetryCap time.Duration
	// StateDelay holds a pipe in its transitional state (STOPPING, …)
	// this long before it settles; 0 settles at once.
	StateDelay time.Duration
}

// Defaults used when Config leaves the backoff unset.
const (
	defaultRetryBase = 200 * time.Millisecond
	defaultRetryCap  = 5 * time.Second
)

// Service answers Pipes actions and runs the pipes that are RUNNING.
type Service struct {
	store   *store.Store
	cfg     Config
	log     *slog.Logger
	metrics metrics.Recorder

	// ctx is cancelled by Close; every runner and transition works under
	// it, so nothing outlives the service.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	runners map[string]*runner // by pipeKey

	// settleMu serialises state transitions, so that two requests on one
	// pipe never start two runners.
	settleMu sync.Mutex

	randMu sync.Mutex
	rng    *rand.Rand
}

// New opens the service on st and resumes the pipes that were running.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = defaultRetryBase
	}
	if cfg.RetryCap <= 0 {
		cfg.RetryCap = defaultRetryCap
	}
	s := &Service{store: st, cfg: cfg, log: cfg.Logger, metrics: metrics.OrNop(cfg.Metrics),
		runners: map[string]*runner{},
		rng:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var pipes []*pipeRecord
	err := st.Update(func(tx *bolt.Tx) error {
		if err := initBuckets(tx); err != nil {
			return err
		}
		var err error
		pipes, err = allPipes(tx)
		return err
	})
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("pipes: open store: %w", err)
	}
	// Pipes that were running run again, and transitions cut short by a
	// stop or a crash (CREATING, STOPPING, DELETING, ...) are completed.
	for _, p := range pipes {
		s.settle(p.Region, p.Name)
	}
	return s, nil
}

// Serve answers one REST-JSON request whose body the router has read.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, body []byte) {
	out, err := s.dispatch(r.Context(), r.Method, r.URL.EscapedPath(), r.URL.RawQuery, body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, out)
}

// Close stops the runners, leaving their checkpoints in the store. It
// returns once every goroutine of the service has ended.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// jitter returns a uniformly random duration in [0, d].
func (s *Service) jitter(d time.Duration) time.Duration {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return backoffJitter(d, s.rng.Int64N)
}

// goTracked runs f in a goroutine that Close waits for; it does nothing
// once the service is closing.
func (s *Service) goTracked(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}
