package sqs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics receives the AWS/SQS datapoints; nil discards them.
	Metrics metrics.Recorder
}

// Service answers SQS actions from the store.
//
// One mutex guards the in-memory state (queues and their message indexes),
// which decides every operation. While holding it, an operation applies its
// change in memory and queues the matching store write on the service's
// commit pipeline (commit.go); it answers only once that write is durable.
// Because writes are queued in the order the decisions were made, the store
// goes through exactly the history memory went through, and the pipeline
// batches the writes of concurrent requests into shared commits. A failed
// commit fails everything queued behind it and memory is rebuilt from the
// store before the next decision.
type Service struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger

	mu          sync.Mutex
	queues      map[string]*queue // by regionKey
	byID        map[uint64]*queue
	nextQueueID uint64
	tasks       map[string]*moveTask // by task id
	// stale is set when a commit failed: memory ran ahead of the store and
	// is rebuilt from it before the next decision.
	stale atomic.Bool

	commits   chan *commit
	stopping  chan struct{}
	workers   sync.WaitGroup // sweeper and move tasks
	committer sync.WaitGroup
	closeOnce sync.Once
}

// New opens the service on st, rebuilding its indexes from the store and
// resuming interrupted message move tasks.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{
		store:    st,
		cfg:      cfg,
		log:      cfg.Logger.With("service", "sqs"),
		commits:  make(chan *commit, commitQueue),
		stopping: make(chan struct{}),
	}
	if err := st.Update(func(tx *bolt.Tx) error { return createBuckets(tx) }); err != nil {
		return nil, fmt.Errorf("sqs: create buckets: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("sqs: %w", err)
	}
	s.committer.Add(1)
	go s.commitLoop()
	s.workers.Add(1)
	go s.sweepLoop()
	s.mu.Lock()
	s.resumeTasksLocked()
	s.mu.Unlock()
	return s, nil
}

// Close stops background work, waits for queued writes to commit and
// stops the commit pipeline. The engine calls it once no request is left.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		close(s.stopping)
		s.workers.Wait()
		close(s.commits)
		s.committer.Wait()
	})
}

// now is the service clock in epoch milliseconds.
func (s *Service) now() int64 { return s.cfg.Now().UnixMilli() }

// HandleJSON answers one JSON 1.0 action.
func (s *Service) HandleJSON(ctx context.Context, action string, body []byte) (any, error) {
	h, ok := jsonActions[action]
	if !ok {
		return nil, awserr.UnknownOperation(action)
	}
	return h(s, ctx, body)
}

// HandleQuery answers one query-protocol action; path is the request path
// (a queue URL's path, or "/").
func (s *Service) HandleQuery(ctx context.Context, action string, params url.Values, path string) (any, error) {
	if action == "" {
		return nil, errMissing("Action")
	}
	h, ok := queryActions[action]
	if !ok {
		return nil, errInvalidAction(action)
	}
	p := queryParams{v: params, path: path}
	return h(s, ctx, p)
}
