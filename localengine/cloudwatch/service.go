// Package cloudwatch is the engine's CloudWatch service: GetMetricData,
// GetMetricStatistics, ListMetrics and PutMetricData over RPCv2 CBOR (the
// current Go SDK), JSON 1.0 (current botocore) and the query protocol
// (older aws CLIs), all decoded into one request tree and answered by the
// same core. The datapoints live in the metrics store, which is also the
// Recorder every other service reports to.
//
// Where this engine differs from AWS:
//   - Metric math (Expression) is refused with InvalidParameterValue.
//   - Percentiles are estimated from per-second aggregates (exact when a
//     metric gets at most one observation a second); other extended
//     statistics (trimmed mean and the like) are refused.
//   - Data is kept at 1 s for 3 hours and 1 min for 15 days; AWS's 5-minute
//     and 1-hour tiers (63 and 455 days) do not exist.
//   - Alarms, dashboards, metric streams and the other operations are not
//     implemented.
package cloudwatch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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
	cfg     Config
	log     *slog.Logger
	metrics *metrics.Store
}

// New opens the service on st.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ms, err := metrics.Open(st, metrics.Options{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, log: cfg.Logger.With("service", "cloudwatch"), metrics: ms}, nil
}

// Add records a datapoint (metrics.Recorder).
func (s *Service) Add(region, namespace, name string, dims []metrics.Dimension, unit string, value float64, at time.Time) {
	s.metrics.Add(region, namespace, name, dims, unit, value, at)
}

// Close flushes and stops background work.
func (s *Service) Close() { s.metrics.Close() }

// operation answers one action from its decoded input; a nil answer means
// the action has no output.
type operation func(s *Service, ctx context.Context, b *binder, in node) (obj, error)

var operations = map[string]operation{
	"GetMetricData":       (*Service).getMetricData,
	"GetMetricStatistics": (*Service).getMetricStatistics,
	"ListMetrics":         (*Service).listMetrics,
	"PutMetricData":       (*Service).putMetricData,
}

// Serve answers one request whose body the router has read; action is the
// operation name taken from the path, the target header or the Action
// parameter (params holds the query protocol's parameters).
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, proto Protocol, action string, body []byte, params url.Values) {
	out, err := s.handle(r.Context(), r, proto, action, body, params)
	if err != nil {
		s.WriteError(w, r, proto, s.errorOf(action, err))
		return
	}
	s.writeAnswer(w, r, proto, action, out)
}

func (s *Service) handle(ctx context.Context, r *http.Request, proto Protocol, action string, body []byte, params url.Values) (obj, error) {
	op, ok := operations[action]
	if !ok {
		return nil, unknownAction(proto, action)
	}
	var tree map[string]any
	var err error
	switch proto {
	case Query:
		tree, err = decodeQuery(params)
	case JSON, CBOR:
		if body, err = inflate(r, body); err != nil {
			return nil, err
		}
		if proto == JSON {
			tree, err = decodeJSON(body)
		} else {
			tree, err = decodeCBOR(body)
		}
	default:
		return nil, unknownAction(proto, action)
	}
	if err != nil {
		return nil, err
	}
	return op(s, ctx, &binder{query: proto == Query}, node{m: tree})
}

// errorOf turns a failure into the error the client gets: AWS errors as
// they are, anything else logged and reported as an internal fault.
func (s *Service) errorOf(action string, err error) *awserr.Error {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e
	}
	s.log.Error("cloudwatch: request failed", "action", action, "err", err)
	return internalFault()
}

func (s *Service) writeAnswer(w http.ResponseWriter, r *http.Request, proto Protocol, action string, out obj) {
	h := w.Header()
	var body []byte
	switch proto {
	case Query:
		body = encodeXML(action, out, wire.Info(r.Context()).RequestID)
		h.Set("Content-Type", "text/xml")
	case JSON:
		if out == nil {
			out = obj{}
		}
		body = encodeJSON(out)
		h.Set("Content-Type", "application/x-amz-json-1.0")
	default:
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		if out != nil {
			// An operation without output answers with an empty body.
			body = encodeCBOR(out)
			h.Set("Content-Type", "application/cbor")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteError answers e in proto's error format.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, proto Protocol, e *awserr.Error) {
	switch proto {
	case Query:
		wire.WriteQueryError(w, wire.Info(r.Context()).RequestID, e)
	case JSON:
		wire.WriteJSONError(w, "application/x-amz-json-1.0", e, true)
	default:
		body := encodeCBOR(obj{{"__type", e.Code}, {"message", e.Message}})
		h := w.Header()
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		h.Set("Content-Type", "application/cbor")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("X-Amzn-Query-Error", e.LegacyCode()+";"+e.Fault())
		w.WriteHeader(e.Status)
		_, _ = w.Write(body)
	}
}
