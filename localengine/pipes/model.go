package pipes

import (
	"encoding/json"
	"strconv"
)

// Pipe states as AWS reports them.
const (
	stateRunning  = "RUNNING"
	stateStopped  = "STOPPED"
	stateCreating = "CREATING"
	stateUpdating = "UPDATING"
	stateDeleting = "DELETING"
	stateStarting = "STARTING"
	stateStopping = "STOPPING"
	stateDeleted  = "DELETED" // desired state of a pipe being deleted
)

// Starting positions of a Kinesis source.
const (
	posTrimHorizon = "TRIM_HORIZON"
	posLatest      = "LATEST"
	posAtTimestamp = "AT_TIMESTAMP"
)

const bisectOnFailure = "AUTOMATIC_BISECT"

// Defaults of a Kinesis source, as DescribePipe reports them.
const (
	defaultBatchSize   = 100
	defaultRetries     = -1
	defaultMaxAge      = -1
	defaultParallelism = 1
)

// pipeRecord is a pipe as stored: its definition, its states and the
// bookkeeping of the runner.
type pipeRecord struct {
	// UID tells a pipe from an earlier one of the same name, so that a
	// runner of a deleted pipe never writes a checkpoint for its successor.
	UID                  string            `json:"uid"`
	Region               string            `json:"region"`
	Name                 string            `json:"name"`
	Description          *string           `json:"description,omitempty"`
	RoleArn              string            `json:"roleArn"`
	Source               string            `json:"source"`
	Target               string            `json:"target"`
	Enrichment           *string           `json:"enrichment,omitempty"`
	EnrichmentParameters json.RawMessage   `json:"enrichmentParameters,omitempty"`
	KmsKeyIdentifier     *string           `json:"kmsKeyIdentifier,omitempty"`
	LogConfiguration     json.RawMessage   `json:"logConfiguration,omitempty"`
	FilterCriteria       json.RawMessage   `json:"filterCriteria,omitempty"`
	Kinesis              kinesisParams     `json:"kinesis"`
	TargetParams         targetParams      `json:"targetParams"`
	Tags                 map[string]string `json:"tags,omitempty"`
	Desired              string            `json:"desired"`
	Current              string            `json:"current"`
	StateReason          string            `json:"stateReason,omitempty"`
	CreatedMs            int64             `json:"created"`
	ModifiedMs           int64             `json:"modified"`
	// OriginMs is when the pipe first ran: a LATEST pipe reads the records
	// that arrived from then on, so that records written while the engine
	// was down are not skipped after a restart.
	OriginMs int64 `json:"origin,omitempty"`
	// Gen counts changes of the definition; a runner of an older
	// generation is replaced.
	Gen uint64 `json:"gen"`
}

func (p *pipeRecord) arn() string { return pipeARN(p.Region, p.Name) }

// kinesisParams are a Kinesis source's parameters, with AWS's defaults
// filled in, in the shape DescribePipe reports them.
type kinesisParams struct {
	BatchSize                      int32             `json:"BatchSize"`
	DeadLetterConfig               *deadLetterConfig `json:"DeadLetterConfig,omitempty"`
	MaximumBatchingWindowInSeconds int32             `json:"MaximumBatchingWindowInSeconds"`
	MaximumRecordAgeInSeconds      int32             `json:"MaximumRecordAgeInSeconds"`
	MaximumRetryAttempts           int32             `json:"MaximumRetryAttempts"`
	OnPartialBatchItemFailure      string            `json:"OnPartialBatchItemFailure,omitempty"`
	ParallelizationFactor          int32             `json:"ParallelizationFactor"`
	StartingPosition               string            `json:"StartingPosition"`
	StartingPositionTimestamp      *epochSeconds     `json:"StartingPositionTimestamp,omitempty"`
}

type deadLetterConfig struct {
	Arn string `json:"Arn"`
}

func (k *kinesisParams) dlqArn() string {
	if k.DeadLetterConfig == nil {
		return ""
	}
	return k.DeadLetterConfig.Arn
}

// epochSeconds is a timestamp in milliseconds that reads and writes as
// the epoch seconds REST-JSON uses.
type epochSeconds int64

func (t epochSeconds) MarshalJSON() ([]byte, error) { return appendEpoch(nil, int64(t)), nil }

func (t *epochSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = epochSeconds(int64(f*1000 + 0.5))
	return nil
}

// appendEpoch writes milliseconds as epoch seconds with up to three
// decimals.
func appendEpoch(dst []byte, ms int64) []byte {
	if ms < 0 {
		dst = append(dst, '-')
		ms = -ms
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}

// targetParams are the target parameters of the supported targets.
type targetParams struct {
	InputTemplate                 *string              `json:"InputTemplate,omitempty"`
	SqsQueueParameters            *sqsTargetParams     `json:"SqsQueueParameters,omitempty"`
	KinesisStreamParameters       *kinesisTargetParams `json:"KinesisStreamParameters,omitempty"`
	EventBridgeEventBusParameters *busTargetParams     `json:"EventBridgeEventBusParameters,omitempty"`
	HttpParameters                *httpParams          `json:"HttpParameters,omitempty"`
}

func (t *targetParams) empty() bool {
	return t.InputTemplate == nil && t.SqsQueueParameters == nil && t.KinesisStreamParameters == nil &&
		t.EventBridgeEventBusParameters == nil && t.HttpParameters == nil
}

type sqsTargetParams struct {
	MessageDeduplicationId *string `json:"MessageDeduplicationId,omitempty"`
	MessageGroupId         *string `json:"MessageGroupId,omitempty"`
}

type kinesisTargetParams struct {
	PartitionKey *string `json:"PartitionKey,omitempty"`
}

type busTargetParams struct {
	DetailType *string  `json:"DetailType,omitempty"`
	EndpointId *string  `json:"EndpointId,omitempty"`
	Resources  []string `json:"Resources,omitempty"`
	Source     *string  `json:"Source,omitempty"`
	Time       *string  `json:"Time,omitempty"`
}

type httpParams struct {
	HeaderParameters      map[string]string `json:"HeaderParameters,omitempty"`
	PathParameterValues   []string          `json:"PathParameterValues,omitempty"`
	QueryStringParameters map[string]string `json:"QueryStringParameters,omitempty"`
}

// Outputs.

// stateOutput answers CreatePipe, StartPipe, StopPipe, UpdatePipe and
// DeletePipe.
type stateOutput struct {
	Arn              string       `json:"Arn"`
	CreationTime     epochSeconds `json:"CreationTime"`
	CurrentState     string       `json:"CurrentState"`
	DesiredState     string       `json:"DesiredState"`
	LastModifiedTime epochSeconds `json:"LastModifiedTime"`
	Name             string       `json:"Name"`
}

func (p *pipeRecord) stateOutput() stateOutput {
	return stateOutput{Arn: p.arn(), CreationTime: epochSeconds(p.CreatedMs), CurrentState: p.Current,
		DesiredState: p.Desired, LastModifiedTime: epochSeconds(p.ModifiedMs), Name: p.Name}
}

type sourceParamsOut struct {
	FilterCriteria          json.RawMessage `json:"FilterCriteria,omitempty"`
	KinesisStreamParameters *kinesisParams  `json:"KinesisStreamParameters,omitempty"`
}

type describeOutput struct {
	Arn                  string            `json:"Arn"`
	CreationTime         epochSeconds      `json:"CreationTime"`
	CurrentState         string            `json:"CurrentState"`
	Description          *string           `json:"Description,omitempty"`
	DesiredState         string            `json:"DesiredState"`
	Enrichment           *string           `json:"Enrichment,omitempty"`
	EnrichmentParameters json.RawMessage   `json:"EnrichmentParameters,omitempty"`
	KmsKeyIdentifier     *string           `json:"KmsKeyIdentifier,omitempty"`
	LastModifiedTime     epochSeconds      `json:"LastModifiedTime"`
	LogConfiguration     json.RawMessage   `json:"LogConfiguration,omitempty"`
	Name                 string            `json:"Name"`
	RoleArn              string            `json:"RoleArn"`
	Source               string            `json:"Source"`
	SourceParameters     sourceParamsOut   `json:"SourceParameters"`
	StateReason          *string           `json:"StateReason,omitempty"`
	Tags                 map[string]string `json:"Tags"`
	Target               string            `json:"Target"`
	TargetParameters     *targetParams     `json:"TargetParameters,omitempty"`
}

func (p *pipeRecord) describe() describeOutput {
	k := p.Kinesis
	out := describeOutput{
		Arn: p.arn(), CreationTime: epochSeconds(p.CreatedMs), CurrentState: p.Current,
		Description: p.Description, DesiredState: p.Desired, Enrichment: p.Enrichment,
		EnrichmentParameters: p.EnrichmentParameters, KmsKeyIdentifier: p.KmsKeyIdentifier,
		LastModifiedTime: epochSeconds(p.ModifiedMs), LogConfiguration: p.LogConfiguration,
		Name: p.Name, RoleArn: p.RoleArn, Source: p.Source,
		SourceParameters: sourceParamsOut{FilterCriteria: p.FilterCriteria, KinesisStreamParameters: &k},
		Tags:             p.Tags, Target: p.Target,
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	if p.StateReason != "" {
		r := p.StateReason
		out.StateReason = &r
	}
	if !p.TargetParams.empty() {
		t := p.TargetParams
		out.TargetParameters = &t
	}
	return out
}

// listEntry is one pipe of ListPipes.
type listEntry struct {
	Arn              string       `json:"Arn"`
	CreationTime     epochSeconds `json:"CreationTime"`
	CurrentState     string       `json:"CurrentState"`
	DesiredState     string       `json:"DesiredState"`
	Enrichment       *string      `json:"Enrichment,omitempty"`
	LastModifiedTime epochSeconds `json:"LastModifiedTime"`
	Name             string       `json:"Name"`
	Source           string       `json:"Source"`
	StateReason      *string      `json:"StateReason,omitempty"`
	Target           string       `json:"Target"`
}

func (p *pipeRecord) listEntry() listEntry {
	e := listEntry{Arn: p.arn(), CreationTime: epochSeconds(p.CreatedMs), CurrentState: p.Current,
		DesiredState: p.Desired, Enrichment: p.Enrichment, LastModifiedTime: epochSeconds(p.ModifiedMs),
		Name: p.Name, Source: p.Source, Target: p.Target}
	if p.StateReason != "" {
		r := p.StateReason
		e.StateReason = &r
	}
	return e
}
