package lambda

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// Lambda's event source mapping states.
const (
	stateCreating  = "Creating"
	stateEnabling  = "Enabling"
	stateEnabled   = "Enabled"
	stateDisabling = "Disabling"
	stateDisabled  = "Disabled"
	stateUpdating  = "Updating"
	stateDeleting  = "Deleting"
)

// reasonUser is the StateTransitionReason AWS gives a change made
// through the API.
const reasonUser = "User action"

func settled(state string) bool { return state == stateEnabled || state == stateDisabled }

// mapping is an event source mapping as stored.
type mapping struct {
	UUID           string `json:"uuid"`
	Region         string `json:"region"`
	FunctionArn    string `json:"functionArn"`
	EventSourceArn string `json:"eventSourceArn"`
	// Enabled is what was asked; State follows it once settled.
	Enabled            bool     `json:"enabled"`
	State              string   `json:"state"`
	Reason             string   `json:"reason"`
	BatchSize          int32    `json:"batchSize"`
	Window             int32    `json:"window"`
	Retries            int32    `json:"retries"`
	MaxAge             int32    `json:"maxAge"`
	Bisect             bool     `json:"bisect"`
	Parallelization    int32    `json:"parallelization"`
	StartingPosition   string   `json:"startingPosition,omitempty"`
	StartingTimestamp  *float64 `json:"startingTimestamp,omitempty"`
	OnFailure          string   `json:"onFailure,omitempty"`
	TumblingWindow     int32    `json:"tumblingWindow"`
	FunctionResponseTy []string `json:"functionResponseTypes,omitempty"`
	ModifiedMs         int64    `json:"modifiedMs"`
}

// configuration is EventSourceMappingConfiguration, the answer of every
// action but List (which holds a list of them).
type configuration struct {
	UUID                           string             `json:"UUID"`
	EventSourceArn                 string             `json:"EventSourceArn"`
	EventSourceMappingArn          string             `json:"EventSourceMappingArn"`
	FunctionArn                    string             `json:"FunctionArn"`
	State                          string             `json:"State"`
	StateTransitionReason          string             `json:"StateTransitionReason"`
	LastModified                   float64            `json:"LastModified"`
	LastProcessingResult           string             `json:"LastProcessingResult"`
	BatchSize                      int32              `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int32              `json:"MaximumBatchingWindowInSeconds"`
	MaximumRetryAttempts           *int32             `json:"MaximumRetryAttempts,omitempty"`
	MaximumRecordAgeInSeconds      *int32             `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError     *bool              `json:"BisectBatchOnFunctionError,omitempty"`
	ParallelizationFactor          *int32             `json:"ParallelizationFactor,omitempty"`
	StartingPosition               string             `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      *float64           `json:"StartingPositionTimestamp,omitempty"`
	TumblingWindowInSeconds        *int32             `json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string           `json:"FunctionResponseTypes,omitempty"`
	DestinationConfig              *destinationConfig `json:"DestinationConfig,omitempty"`
}

type destinationConfig struct {
	OnFailure *destination `json:"OnFailure,omitempty"`
	OnSuccess *destination `json:"OnSuccess,omitempty"`
}

type destination struct {
	Destination *string `json:"Destination,omitempty"`
}

func (m *mapping) arn() string {
	return "arn:aws:lambda:" + m.Region + ":" + wire.Account + ":event-source-mapping:" + m.UUID
}

// streamSource: the settings only stream sources (Kinesis, DynamoDB) have.
func (m *mapping) streamSource() bool {
	return strings.HasPrefix(m.EventSourceArn, "arn:aws:kinesis:") || strings.HasPrefix(m.EventSourceArn, "arn:aws:dynamodb:")
}

func (m *mapping) configuration() configuration {
	c := configuration{
		UUID: m.UUID, EventSourceArn: m.EventSourceArn, EventSourceMappingArn: m.arn(), FunctionArn: m.FunctionArn,
		State: m.State, StateTransitionReason: m.Reason, LastModified: float64(m.ModifiedMs) / 1000,
		LastProcessingResult: "No records processed", BatchSize: m.BatchSize, MaximumBatchingWindowInSeconds: m.Window,
		FunctionResponseTypes: m.FunctionResponseTy,
	}
	if m.streamSource() {
		c.MaximumRetryAttempts, c.MaximumRecordAgeInSeconds = &m.Retries, &m.MaxAge
		c.BisectBatchOnFunctionError, c.ParallelizationFactor = &m.Bisect, &m.Parallelization
		c.StartingPosition, c.StartingPositionTimestamp = m.StartingPosition, m.StartingTimestamp
		c.TumblingWindowInSeconds = &m.TumblingWindow
		d := &destinationConfig{OnFailure: &destination{}, OnSuccess: &destination{}}
		if m.OnFailure != "" {
			d.OnFailure.Destination = &m.OnFailure
		}
		c.DestinationConfig = d
	}
	return c
}

// Store layout: the top-level bucket "lambda-esm" maps a UUID to its
// mapping (JSON). UUIDs are unique across regions.
var bucketRoot = []byte("lambda-esm")

func loadMapping(tx *bolt.Tx, uuid string) (*mapping, error) {
	raw := tx.Bucket(bucketRoot).Get([]byte(uuid))
	if raw == nil {
		return nil, nil
	}
	var m mapping
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode event source mapping %s: %w", uuid, err)
	}
	return &m, nil
}

func putMapping(tx *bolt.Tx, m *mapping) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode event source mapping %s: %w", m.UUID, err)
	}
	return tx.Bucket(bucketRoot).Put([]byte(m.UUID), raw)
}

func deleteMapping(tx *bolt.Tx, uuid string) error { return tx.Bucket(bucketRoot).Delete([]byte(uuid)) }

// allMappings reads every mapping, in UUID order.
func allMappings(tx *bolt.Tx) ([]*mapping, error) {
	var out []*mapping
	err := tx.Bucket(bucketRoot).ForEach(func(k, v []byte) error {
		var m mapping
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("decode event source mapping %s: %w", k, err)
		}
		out = append(out, &m)
		return nil
	})
	return out, err
}

// apiError is an error as Lambda reports it.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func notFound(uuid string) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException",
		"The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: " + uuid + ")"}
}

func invalid(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) *apiError {
	return &apiError{http.StatusConflict, "ResourceInUseException", fmt.Sprintf(format, args...)}
}

// inRange checks an optional integer setting.
func inRange(v *int32, name string, lo, hi int32) error {
	if v != nil && (*v < lo || *v > hi) {
		return invalid("%s must be between %d and %d, not %d.", name, lo, hi, *v)
	}
	return nil
}

func validTimestamp(ts *float64) bool {
	return ts == nil || (!math.IsNaN(*ts) && *ts >= 0 && *ts < 1e11)
}
