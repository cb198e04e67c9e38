// Package cloudwatch is the engine's CloudWatch service: GetMetricData,
// GetMetricStatistics, ListMetrics and PutMetricData over RPCv2 CBOR (the
// current Go SDK), JSON 1.0 and the query protocol (the aws CLI).
package cloudwatch

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/metrics"
	"github.com/sluicehq/sluice/localengine/store"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Protocol is how a request reached the service.
type Protocol int

// The protocols CloudWatch clients use.
const (
	CBOR  Protocol = iota // POST /service/GraniteServiceVersion20100801/operation/<Op>
	JSON                  // X-Amz-Target: GraniteServiceVersion20100801.<Op>
	Query                 // Action=<Op>&Version=2010-08-01
)

// Config configures the service.
type Config struct {
	Now    func() time.Time
	Logger *slog.Logger
}

// Service answers CloudWatch actions; it is also the engine's
// metrics.Recorder.
type Service struct {
	store *store.Store
	cfg   Config
}

// New opens the service on st.
func New(st *store.Store, cfg Config) (*Service, error) {
	return &Service{store: st, cfg: cfg}, nil
}

// Add records a datapoint (metrics.Recorder).
func (s *Service) Add(region, namespace, name string, dims []metrics.Dimension, unit string, value float64, at time.Time) {
}

// Serve answers one request whose body the router has read; action is the
// operation name taken from the path, the target header or the Action
// parameter (params holds the query protocol's parameters).
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, proto Protocol, action string, body []byte, params url.Values) {
	s.WriteError(w, r, proto, awserr.UnknownOperation(action))
}

// WriteError answers e in proto's error format.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, proto Protocol, e *awserr.Error) {
	switch proto {
	case Query:
		wire.WriteQueryError(w, wire.Info(r.Context()).RequestID, e)
	default:
		wire.WriteJSONError(w, "application/x-amz-json-1.0", e, false)
	}
}

// Close flushes and stops background work.
func (s *Service) Close() {}
