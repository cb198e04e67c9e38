// Package events is the engine's EventBridge service (JSON 1.1): event
// buses, rules with event patterns, targets, connections and API
// destinations.
package events

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inproc"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics metrics.Recorder
	// Kinesis and SQS deliver to targets of those kinds.
	Kinesis inproc.JSONService
	SQS     inproc.JSONService
	// HTTPClient calls API destinations.
	HTTPClient *http.Client
	// RetryBase and RetryCap shape the exponential backoff of failed
	// deliveries (full jitter).
	RetryBase, RetryCap time.Duration
}

// Service answers EventBridge actions and delivers events.
type Service struct {
	store *store.Store
	cfg   Config
}

// New opens the service on st.
func New(st *store.Store, cfg Config) (*Service, error) {
	return &Service{store: st, cfg: cfg}, nil
}

// HandleJSON answers one action.
func (s *Service) HandleJSON(ctx context.Context, action string, body []byte) (any, error) {
	return nil, awserr.UnknownOperation(action)
}

// InvokeAPIDestination sends body to the API destination arn as
// EventBridge would (its endpoint, method, connection's auth headers and
// rate limit), once, and returns the HTTP status. ctx carries the region.
// Pipes use it for API-destination targets.
func (s *Service) InvokeAPIDestination(ctx context.Context, arn string, body []byte) (int, error) {
	return 0, awserr.New(http.StatusBadRequest, "ResourceNotFoundException", "API destination %s does not exist", arn)
}

// Close stops background work.
func (s *Service) Close() {}
