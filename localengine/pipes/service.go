// Package pipes is the engine's EventBridge Pipes service (REST-JSON under
// /v1/pipes) and the runner that moves records from a Kinesis stream to a
// target, with retries, bisection and a dead-letter queue.
package pipes

import (
	"context"
	"log/slog"
	"net/http"
	"time"

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
}

// Service answers Pipes actions and runs the pipes that are RUNNING.
type Service struct {
	store *store.Store
	cfg   Config
}

// New opens the service on st and resumes the pipes that were running.
func New(st *store.Store, cfg Config) (*Service, error) {
	return &Service{store: st, cfg: cfg}, nil
}

// Serve answers one REST-JSON request whose body the router has read.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("X-Amzn-ErrorType", "UnknownOperationException")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"message":"not implemented"}`))
}

// Close stops the runners, leaving their checkpoints in the store.
func (s *Service) Close() {}
