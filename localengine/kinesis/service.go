// Package kinesis is the engine's Kinesis Data Streams service (JSON 1.1).
package kinesis

import (
	"context"
	"log/slog"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now           func() time.Time
	EnforceLimits bool
	Logger        *slog.Logger
}

// Service answers Kinesis actions from the store.
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

// Close stops background work.
func (s *Service) Close() {}
