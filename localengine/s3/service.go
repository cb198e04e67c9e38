// Package s3 is the engine's S3 service (REST XML).
package s3

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/store"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Config configures the service.
type Config struct {
	Now     func() time.Time
	Logger  *slog.Logger
	DataDir string
}

// Service answers S3 requests from the store.
type Service struct {
	store *store.Store
	cfg   Config
}

// New opens the service on st.
func New(st *store.Store, cfg Config) (*Service, error) {
	return &Service{store: st, cfg: cfg}, nil
}

// Serve answers one request for bucket and key (either may be empty).
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, bucket, key string) {
	wire.WriteS3Error(w, r, awserr.New(http.StatusNotImplemented, "NotImplemented", "not implemented"), r.URL.Path)
}

// Close stops background work.
func (s *Service) Close() {}
