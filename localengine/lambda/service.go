// Package lambda is the engine's Lambda service, reduced to what an
// operator's tool reads and changes of a stream's consumers: event source
// mappings (REST-JSON under /2015-03-31/event-source-mappings), with
// Lambda's states (Creating, Enabling, Enabled, Disabling, Disabled,
// Updating, Deleting). The engine runs no functions: a mapping is kept,
// listed and enabled or disabled as on AWS, but invokes nothing.
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
)

// Config configures the service.
type Config struct {
	Now    func() time.Time
	Logger *slog.Logger
	// StateDelay holds a mapping in its transitional state (Enabling,
	// Disabling, …) this long before it settles; 0 settles at once.
	StateDelay time.Duration
}

// Service answers event source mapping actions.
type Service struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger

	// ctx is cancelled by Close; transitions run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
}

// New opens the service on st and completes the transitions that a stop
// or a crash cut short.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{store: st, cfg: cfg, log: cfg.Logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var all []*mapping
	err := st.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketRoot); err != nil {
			return err
		}
		var err error
		all, err = allMappings(tx)
		return err
	})
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("lambda: open store: %w", err)
	}
	for _, m := range all {
		if !settled(m.State) {
			s.settle(m.UUID)
		}
	}
	return s, nil
}

// Close waits for the transitions in flight.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// Serve answers one REST-JSON request whose body the router has read.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, body []byte) {
	status, out, err := s.dispatch(r.Method, r.URL.EscapedPath(), r.URL.Query(), body, region(r))
	if err != nil {
		WriteError(w, err)
		return
	}
	raw, err := json.Marshal(out)
	if err != nil {
		WriteError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// WriteError writes err as Lambda does: the code in X-Amzn-ErrorType and
// a body {"Type":"User","Message":…}.
func WriteError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: http.StatusInternalServerError, code: "ServiceException", message: "internal error"}
	}
	typ := "User"
	if e.status >= 500 {
		typ = "Service"
	}
	raw, _ := json.Marshal(struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	}{typ, e.message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	h.Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(raw)
}

// settle moves a mapping, in the background, from the transitional state
// a request left it in to the state it leads to (a deleted mapping goes).
func (s *Service) settle(uuid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if d := s.cfg.StateDelay; d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.ctx.Done():
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		err := s.store.Update(func(tx *bolt.Tx) error {
			m, err := loadMapping(tx, uuid)
			if err != nil || m == nil {
				return err
			}
			switch m.State {
			case stateDeleting:
				return deleteMapping(tx, uuid)
			case stateCreating, stateEnabling, stateDisabling, stateUpdating:
				m.State = stateDisabled
				if m.Enabled {
					m.State = stateEnabled
				}
				m.ModifiedMs = s.cfg.Now().UnixMilli()
				return putMapping(tx, m)
			}
			return nil
		})
		if err != nil && s.ctx.Err() == nil {
			s.log.Error("lambda: event source mapping transition failed", "uuid", uuid, "error", err)
		}
	}()
}
