package lambda

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const mappingsPath = "/2015-03-31/event-source-mappings"

// IsPath reports whether p is this service's (an unsigned request is
// routed by its path).
func IsPath(p string) bool { return p == mappingsPath || strings.HasPrefix(p, mappingsPath+"/") }

func region(r *http.Request) string { return wire.Region(r.Context()) }

// dispatch routes by method and path, as the SDK's REST bindings build
// them:
//
//	POST/GET /2015-03-31/event-source-mappings,
//	GET/PUT/DELETE /2015-03-31/event-source-mappings/{UUID}.
func (s *Service) dispatch(method, path string, q url.Values, body []byte, region string) (int, any, error) {
	rest := strings.Trim(strings.TrimPrefix(path, mappingsPath), "/")
	if !IsPath(path) || strings.Contains(rest, "/") {
		return 0, nil, &apiError{http.StatusNotFound, "UnknownOperationException", "No operation matches " + method + " " + path}
	}
	if rest == "" {
		switch method {
		case http.MethodPost:
			return s.create(body, region)
		case http.MethodGet:
			return s.list(q)
		}
	} else {
		uuid, err := url.PathUnescape(rest)
		if err != nil {
			return 0, nil, invalid("The UUID in the path is not correctly escaped.")
		}
		switch method {
		case http.MethodGet:
			return s.get(uuid)
		case http.MethodPut:
			return s.update(uuid, body)
		case http.MethodDelete:
			return s.delete(uuid)
		}
	}
	return 0, nil, &apiError{http.StatusNotFound, "UnknownOperationException", "No operation matches " + method + " " + path}
}

// input is the body of Create and Update (Update has no EventSourceArn nor
// StartingPosition).
type input struct {
	FunctionName                   *string  `json:"FunctionName"`
	EventSourceArn                 *string  `json:"EventSourceArn"`
	Enabled                        *bool    `json:"Enabled"`
	BatchSize                      *int32   `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int32   `json:"MaximumBatchingWindowInSeconds"`
	MaximumRetryAttempts           *int32   `json:"MaximumRetryAttempts"`
	MaximumRecordAgeInSeconds      *int32   `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool    `json:"BisectBatchOnFunctionError"`
	ParallelizationFactor          *int32   `json:"ParallelizationFactor"`
	StartingPosition               *string  `json:"StartingPosition"`
	StartingPositionTimestamp      *float64 `json:"StartingPositionTimestamp"`
	TumblingWindowInSeconds        *int32   `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          []string `json:"FunctionResponseTypes"`
	DestinationConfig              *struct {
		OnFailure *destination `json:"OnFailure"`
	} `json:"DestinationConfig"`
}

func decode(body []byte, in *input) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return invalid("The request body is not valid JSON: %v", err)
	}
	return nil
}

// check validates the settings both actions share, within Lambda's
// documented ranges.
func (in *input) check() error {
	for _, c := range []struct {
		v      *int32
		name   string
		lo, hi int32
	}{
		{in.BatchSize, "BatchSize", 1, 10000},
		{in.MaximumBatchingWindowInSeconds, "MaximumBatchingWindowInSeconds", 0, 300},
		{in.MaximumRetryAttempts, "MaximumRetryAttempts", -1, 10000},
		{in.MaximumRecordAgeInSeconds, "MaximumRecordAgeInSeconds", -1, 604800},
		{in.ParallelizationFactor, "ParallelizationFactor", 1, 10},
		{in.TumblingWindowInSeconds, "TumblingWindowInSeconds", 0, 900},
	} {
		if err := inRange(c.v, c.name, c.lo, c.hi); err != nil {
			return err
		}
	}
	if a := in.MaximumRecordAgeInSeconds; a != nil && *a >= 0 && *a < 60 {
		return invalid("MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800, not %d.", *a)
	}
	for _, t := range in.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			return invalid("FunctionResponseTypes: %q is not ReportBatchItemFailures.", t)
		}
	}
	return nil
}

// functionARN is the ARN of a function given by name, partial or full ARN.
func functionARN(name, region string) (string, error) {
	if name == "" || len(name) > 140 {
		return "", invalid("FunctionName must be 1 to 140 characters.")
	}
	if strings.HasPrefix(name, "arn:") {
		parts := strings.Split(name, ":")
		if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
			return "", invalid("FunctionName %s is not a Lambda function ARN.", name)
		}
		return name, nil
	}
	if strings.ContainsAny(name, "/ ") {
		return "", invalid("FunctionName %s is not a function name.", name)
	}
	return "arn:aws:lambda:" + region + ":" + wire.Account + ":function:" + name, nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Service) create(body []byte, region string) (int, any, error) {
	var in input
	if err := decode(body, &in); err != nil {
		return 0, nil, err
	}
	if err := in.check(); err != nil {
		return 0, nil, err
	}
	src := ""
	if in.EventSourceArn != nil {
		src = *in.EventSourceArn
	}
	isStream := strings.HasPrefix(src, "arn:aws:kinesis:") || strings.HasPrefix(src, "arn:aws:dynamodb:")
	if !isStream && !strings.HasPrefix(src, "arn:aws:sqs:") {
		return 0, nil, invalid("EventSourceArn %q is not a Kinesis stream, DynamoDB stream or SQS queue ARN.", src)
	}
	fn, err := functionARN(deref(in.FunctionName), region)
	if err != nil {
		return 0, nil, err
	}
	m := &mapping{
		UUID: newUUID(), Region: region, FunctionArn: fn, EventSourceArn: src, Enabled: true,
		State: stateCreating, Reason: reasonUser, BatchSize: orDefault(in.BatchSize, 100),
		Window: orDefault(in.MaximumBatchingWindowInSeconds, 0), Retries: orDefault(in.MaximumRetryAttempts, -1),
		MaxAge: orDefault(in.MaximumRecordAgeInSeconds, -1), Bisect: in.BisectBatchOnFunctionError != nil && *in.BisectBatchOnFunctionError,
		Parallelization: orDefault(in.ParallelizationFactor, 1), TumblingWindow: orDefault(in.TumblingWindowInSeconds, 0),
		FunctionResponseTy: in.FunctionResponseTypes, ModifiedMs: s.cfg.Now().UnixMilli(),
	}
	if !isStream {
		m.BatchSize = orDefault(in.BatchSize, 10)
	}
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
	if isStream {
		pos := deref(in.StartingPosition)
		if pos != "TRIM_HORIZON" && pos != "LATEST" && pos != "AT_TIMESTAMP" {
			return 0, nil, invalid("StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP for a stream source, not %q.", pos)
		}
		if pos == "AT_TIMESTAMP" && in.StartingPositionTimestamp == nil || !validTimestamp(in.StartingPositionTimestamp) {
			return 0, nil, invalid("StartingPositionTimestamp must be a valid time with StartingPosition AT_TIMESTAMP.")
		}
		m.StartingPosition, m.StartingTimestamp = pos, in.StartingPositionTimestamp
		if d := in.DestinationConfig; d != nil && d.OnFailure != nil {
			m.OnFailure = deref(d.OnFailure.Destination)
		}
	}
	err = s.store.Update(func(tx *bolt.Tx) error {
		all, err := allMappings(tx)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.EventSourceArn == m.EventSourceArn && o.FunctionArn == m.FunctionArn {
				return conflict("The event source arn (%s) and function (%s) provided mapping already exists. Please update or delete the existing mapping with UUID %s", src, fn, o.UUID)
			}
		}
		return putMapping(tx, m)
	})
	if err != nil {
		return 0, nil, err
	}
	s.settle(m.UUID)
	return http.StatusAccepted, m.configuration(), nil
}

func (s *Service) get(uuid string) (int, any, error) {
	var m *mapping
	err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		m, err = loadMapping(tx, uuid)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if m == nil {
		return 0, nil, notFound(uuid)
	}
	return http.StatusOK, m.configuration(), nil
}

// list answers ListEventSourceMappings, filtered by EventSourceArn and
// FunctionName, paged by Marker (the last UUID of the previous page).
func (s *Service) list(q url.Values) (int, any, error) {
	max := 100
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return 0, nil, invalid("MaxItems must be between 1 and 10000.")
		}
		max = n
	}
	src, marker := q.Get("EventSourceArn"), q.Get("Marker")
	fn := ""
	if name := q.Get("FunctionName"); name != "" {
		var err error
		if fn, err = functionARN(name, "?"); err != nil {
			return 0, nil, err
		}
	}
	var all []*mapping
	if err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		all, err = allMappings(tx)
		return err
	}); err != nil {
		return 0, nil, err
	}
	out := struct {
		EventSourceMappings []configuration `json:"EventSourceMappings"`
		NextMarker          *string         `json:"NextMarker,omitempty"`
	}{EventSourceMappings: []configuration{}}
	for _, m := range all {
		if (marker != "" && m.UUID <= marker) || (src != "" && m.EventSourceArn != src) || (fn != "" && !sameFunction(m.FunctionArn, fn)) {
			continue
		}
		if len(out.EventSourceMappings) == max {
			last := out.EventSourceMappings[max-1].UUID
			out.NextMarker = &last
			break
		}
		out.EventSourceMappings = append(out.EventSourceMappings, m.configuration())
	}
	return http.StatusOK, out, nil
}

// sameFunction compares a stored ARN with one built from a filter, whose
// region may be unknown ("?") when the filter was a bare name.
func sameFunction(stored, filter string) bool {
	if stored == filter {
		return true
	}
	name := func(arn string) string { return strings.Split(arn, ":")[6] }
	return strings.Contains(filter, ":?:") && name(stored) == name(filter)
}

func (s *Service) update(uuid string, body []byte) (int, any, error) {
	var in input
	if err := decode(body, &in); err != nil {
		return 0, nil, err
	}
	if err := in.check(); err != nil {
		return 0, nil, err
	}
	if in.EventSourceArn != nil || in.StartingPosition != nil {
		return 0, nil, invalid("The source and starting position of an event source mapping cannot be updated.")
	}
	var m *mapping
	err := s.store.Update(func(tx *bolt.Tx) error {
		var err error
		if m, err = loadMapping(tx, uuid); err != nil || m == nil {
			return err
		}
		if !settled(m.State) {
			return conflict("The operation cannot be performed at this time. The event source mapping is currently in an %s state.", m.State)
		}
		if in.FunctionName != nil {
			fn, err := functionARN(*in.FunctionName, m.Region)
			if err != nil {
				return err
			}
			m.FunctionArn = fn
		}
		setIf(&m.BatchSize, in.BatchSize)
		setIf(&m.Window, in.MaximumBatchingWindowInSeconds)
		if m.streamSource() {
			setIf(&m.Retries, in.MaximumRetryAttempts)
			setIf(&m.MaxAge, in.MaximumRecordAgeInSeconds)
			setIf(&m.Parallelization, in.ParallelizationFactor)
			setIf(&m.TumblingWindow, in.TumblingWindowInSeconds)
			if in.BisectBatchOnFunctionError != nil {
				m.Bisect = *in.BisectBatchOnFunctionError
			}
			if d := in.DestinationConfig; d != nil && d.OnFailure != nil {
				m.OnFailure = deref(d.OnFailure.Destination)
			}
		}
		if in.FunctionResponseTypes != nil {
			m.FunctionResponseTy = in.FunctionResponseTypes
		}
		switch {
		case in.Enabled != nil && *in.Enabled != m.Enabled:
			m.Enabled = *in.Enabled
			m.State = stateDisabling
			if m.Enabled {
				m.State = stateEnabling
			}
		default:
			m.State = stateUpdating
		}
		m.Reason = reasonUser
		m.ModifiedMs = s.cfg.Now().UnixMilli()
		return putMapping(tx, m)
	})
	if err != nil {
		return 0, nil, err
	}
	if m == nil {
		return 0, nil, notFound(uuid)
	}
	s.settle(uuid)
	return http.StatusAccepted, m.configuration(), nil
}

func (s *Service) delete(uuid string) (int, any, error) {
	var m *mapping
	err := s.store.Update(func(tx *bolt.Tx) error {
		var err error
		if m, err = loadMapping(tx, uuid); err != nil || m == nil {
			return err
		}
		m.State, m.Reason, m.ModifiedMs = stateDeleting, reasonUser, s.cfg.Now().UnixMilli()
		return putMapping(tx, m)
	})
	if err != nil {
		return 0, nil, err
	}
	if m == nil {
		return 0, nil, notFound(uuid)
	}
	s.settle(uuid)
	return http.StatusAccepted, m.configuration(), nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func orDefault(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

func setIf(dst *int32, v *int32) {
	if v != nil {
		*dst = *v
	}
}
