// Package s3 is the engine's S3 service (REST XML).
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

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
	log   *slog.Logger
	blobs *blobStore
	// keepAliveEvery is how often a slow CompleteMultipartUpload sends
	// whitespace to keep its client waiting.
	keepAliveEvery time.Duration
}

// New opens the service on st: it creates its buckets and its blob
// directory, and removes blob files left by a crash before their commit.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.DataDir == "" {
		return nil, errors.New("s3: no data directory")
	}
	s := &Service{store: st, cfg: cfg, log: cfg.Logger.With("service", "s3"),
		blobs:          &blobStore{dir: filepath.Join(cfg.DataDir, "s3-blobs")},
		keepAliveEvery: 10 * time.Second}
	if err := os.MkdirAll(s.blobs.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory: %w", err)
	}
	err := st.Update(func(btx *bolt.Tx) error {
		top, err := btx.CreateBucketIfNotExists(topBucket)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketsBucket, objectsBucket, bodiesBucket, blobsBucket, uploadsBucket, partsBucket, layoutsBucket} {
			if _, err := top.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create s3 buckets: %w", err)
	}
	n, err := s.blobs.cleanOrphans(st.View)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		s.log.Info("removed orphan blob files", "count", n)
	}
	return s, nil
}

// Serve answers one request for bucket and key (either may be empty).
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if err := s.route(w, r, bucket, key); err != nil {
		s.writeError(w, r, err)
	}
}

// Close stops background work. The service has none: every write is
// committed before it is answered.
func (s *Service) Close() {}

func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.logFailure(r, err)
	wire.WriteS3Error(w, r, awserr.From(err), r.URL.Path)
}

// logFailure logs an error that is not an S3 answer, unless the client
// went away.
func (s *Service) logFailure(r *http.Request, err error) {
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		if r.Context().Err() == nil && !errors.Is(err, context.Canceled) {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// update runs fn in a store transaction.
func (s *Service) update(fn func(tx) error) error {
	return s.store.Update(func(btx *bolt.Tx) error { return fn(tx{btx}) })
}

func (s *Service) view(fn func(tx) error) error {
	return s.store.View(func(btx *bolt.Tx) error { return fn(tx{btx}) })
}

// removeBlob deletes a blob file after the commit that dropped it.
func (s *Service) removeBlob(id string) {
	if err := s.blobs.remove(id); err != nil {
		s.log.Warn("remove blob", "blob", id, "err", err)
	}
}
