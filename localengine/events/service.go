// Package events is the engine's EventBridge service (JSON 1.1): event
// buses, rules with event patterns, targets, connections and API
// destinations, and the asynchronous delivery of matched events to SQS,
// Kinesis, API destination and event bus targets with retries and
// dead-letter queues.
//
// Where the engine differs from AWS, on purpose:
//   - PutRule refuses a ScheduleExpression (ValidationException): the
//     engine has no scheduler, and a rule that never fires would mislead.
//   - Targets of other kinds (Lambda, SNS, ...) are accepted by PutTargets
//     and listed, but every delivery to them fails at once with the
//     dead-letter error code NO_RESOURCE.
//   - API destination endpoints may be http:// as well as https://.
//   - Archives, replays, global endpoints, partner event sources and
//     resource policies are not implemented (UnknownOperationException).
//   - Deliveries use the target as configured when they are attempted: a
//     target removed meanwhile ends its pending deliveries.
package events

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

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

// Default backoff when the engine passes none.
const (
	defaultRetryBase = 200 * time.Millisecond
	defaultRetryCap  = 5 * time.Second
)

// Service answers EventBridge actions and delivers events.
type Service struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger
	rec   metrics.Recorder

	// wmu serializes configuration writes, so that memory applies them in
	// the order the store committed them.
	wmu sync.Mutex
	// mu guards the in-memory configuration below.
	mu          sync.RWMutex
	regions     map[string]*regionState
	tags        map[string]map[string]string // by ARN
	emptyRegion *regionState                 // what an untouched region reads as

	limits *rateLimits
	tokens *oauthTokens

	deliverer
	closeOnce sync.Once
}

type handler func(s *Service, ctx context.Context, body []byte) (any, error)

var handlers = map[string]handler{
	"CreateEventBus":         (*Service).createEventBus,
	"DescribeEventBus":       (*Service).describeEventBus,
	"ListEventBuses":         (*Service).listEventBuses,
	"UpdateEventBus":         (*Service).updateEventBus,
	"DeleteEventBus":         (*Service).deleteEventBus,
	"PutRule":                (*Service).putRule,
	"DescribeRule":           (*Service).describeRule,
	"ListRules":              (*Service).listRules,
	"DeleteRule":             (*Service).deleteRule,
	"EnableRule":             (*Service).enableRule,
	"DisableRule":            (*Service).disableRule,
	"ListRuleNamesByTarget":  (*Service).listRuleNamesByTarget,
	"PutTargets":             (*Service).putTargets,
	"ListTargetsByRule":      (*Service).listTargetsByRule,
	"RemoveTargets":          (*Service).removeTargets,
	"PutEvents":              (*Service).putEvents,
	"TestEventPattern":       (*Service).testEventPattern,
	"TagResource":            (*Service).tagResource,
	"UntagResource":          (*Service).untagResource,
	"ListTagsForResource":    (*Service).listTagsForResource,
	"CreateConnection":       (*Service).createConnection,
	"DescribeConnection":     (*Service).describeConnection,
	"ListConnections":        (*Service).listConnections,
	"UpdateConnection":       (*Service).updateConnection,
	"DeleteConnection":       (*Service).deleteConnection,
	"DeauthorizeConnection":  (*Service).deauthorizeConnection,
	"CreateApiDestination":   (*Service).createAPIDestination,
	"DescribeApiDestination": (*Service).describeAPIDestination,
	"ListApiDestinations":    (*Service).listAPIDestinations,
	"UpdateApiDestination":   (*Service).updateAPIDestination,
	"DeleteApiDestination":   (*Service).deleteAPIDestination,
}

// New opens the service on st, rebuilding its configuration from the store,
// and starts delivering the events still pending there.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = defaultRetryBase
	}
	if cfg.RetryCap <= 0 {
		cfg.RetryCap = defaultRetryCap
	}
	s := &Service{
		store:       st,
		cfg:         cfg,
		log:         cfg.Logger.With("service", "events"),
		rec:         metrics.OrNop(cfg.Metrics),
		emptyRegion: newRegionState(),
		limits:      newRateLimits(),
		tokens:      newOAuthTokens(),
	}
	if err := st.Update(func(tx *bolt.Tx) error { return createBuckets(tx) }); err != nil {
		return nil, fmt.Errorf("events: create buckets: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("events: load: %w", err)
	}
	s.startDeliverer()
	return s, nil
}

// HandleJSON answers one action.
func (s *Service) HandleJSON(ctx context.Context, action string, body []byte) (any, error) {
	h, ok := handlers[action]
	if !ok {
		return nil, awserr.UnknownOperation(action)
	}
	return h(s, ctx, body)
}

// Close stops background work: deliveries in flight are cancelled and
// stay pending in the store for the next start.
func (s *Service) Close() {
	s.closeOnce.Do(s.stopDeliverer)
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// Metric units.
const (
	unitCount = "Count"
	unitMS    = "Milliseconds"
	unitBytes = "Bytes"
)

const namespace = "AWS/Events"

// ruleMetric records a per-rule datapoint under both dimension sets AWS
// uses: RuleName, and EventBusName with RuleName.
func (s *Service) ruleMetric(region, bus, rule, name, unit string, value float64, at time.Time) {
	s.rec.Add(region, namespace, name, []metrics.Dimension{{Name: "RuleName", Value: rule}}, unit, value, at)
	s.rec.Add(region, namespace, name, []metrics.Dimension{{Name: "EventBusName", Value: bus}, {Name: "RuleName", Value: rule}}, unit, value, at)
}
