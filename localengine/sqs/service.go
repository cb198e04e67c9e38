// Package sqs is the engine's SQS service (JSON 1.0 and the query protocol).
package sqs

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now    func() time.Time
	Logger *slog.Logger
}

// Service answers SQS actions from the store.
type Service struct {
	store *store.Store
	cfg   Config
}

// New opens the service on st.
func New(st *store.Store, cfg Config) (*Service, error) {
	return &Service{store: st, cfg: cfg}, nil
}

// HandleJSON answers one JSON 1.0 action.
func (s *Service) HandleJSON(ctx context.Context, action string, body []byte) (any, error) {
	return nil, awserr.UnknownOperation(action)
}

// HandleQuery answers one query-protocol action; path is the request path
// (a queue URL's path, or "/").
func (s *Service) HandleQuery(ctx context.Context, action string, params url.Values, path string) (any, error) {
	return nil, awserr.UnknownOperation(action)
}

// Close stops background work.
func (s *Service) Close() {}
