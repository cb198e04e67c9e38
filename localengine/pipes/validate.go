package pipes

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Patterns of AWS's Pipes API model.
var (
	roleArnPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z0-9+=,.@\-_/]+$`)
	arnPattern     = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-]+):([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.+)$`)
)

const (
	roleArnRule = `Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z0-9+=,.@\-_/]+`
	arnRule     = `Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-]+):([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.+)`
	nameRule    = `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`
)

const (
	maxTags        = 50
	maxDescription = 512
	maxArnLength   = 1600
)

// decodeBody decodes a JSON request body; an empty body is an empty
// object. A body that is not JSON of the right shape is a
// ValidationException, the only client error the Pipes SDK types.
func decodeBody(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		msg := "Could not parse the request body: invalid JSON"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			msg = "Could not parse the request body: field " + te.Field + " has the wrong type"
		}
		return &apiError{status: http.StatusBadRequest, code: "ValidationException", message: msg}
	}
	return nil
}

// pipeInput is the body of CreatePipe and UpdatePipe.
type pipeInput struct {
	Description          *string
	DesiredState         *string
	Enrichment           *string
	EnrichmentParameters json.RawMessage
	KmsKeyIdentifier     *string
	LogConfiguration     json.RawMessage
	RoleArn              *string
	Source               *string
	SourceParameters     json.RawMessage
	Tags                 map[string]string
	Target               *string
	TargetParameters     json.RawMessage
}

// kinesisInput is SourceParameters.KinesisStreamParameters as sent; in
// UpdatePipe it has no StartingPosition.
type kinesisInput struct {
	BatchSize                      *int64
	DeadLetterConfig               *struct{ Arn *string }
	MaximumBatchingWindowInSeconds *int64
	MaximumRecordAgeInSeconds      *int64
	MaximumRetryAttempts           *int64
	OnPartialBatchItemFailure      *string
	ParallelizationFactor          *int64
	StartingPosition               *string
	StartingPositionTimestamp      *float64
}

// Source parameters of sources other than Kinesis; a pipe of this engine
// reads Kinesis streams only.
var otherSources = []string{"ActiveMQBrokerParameters", "DynamoDBStreamParameters",
	"ManagedStreamingKafkaParameters", "RabbitMQBrokerParameters", "SelfManagedKafkaParameters",
	"SqsQueueParameters"}

// Target parameters of targets this engine does not deliver to.
var otherTargets = []string{"BatchJobParameters", "CloudWatchLogsParameters", "EcsTaskParameters",
	"LambdaFunctionParameters", "RedshiftDataParameters", "SageMakerPipelineParameters",
	"StepFunctionStateMachineParameters", "TimestreamParameters"}

// checkCommon validates the fields CreatePipe and UpdatePipe share.
func checkCommon(v *validation, in *pipeInput) {
	v.length(in.Description, "description", 0, maxDescription)
	v.enum(in.DesiredState, "desiredState", stateRunning, stateStopped)
	v.length(in.Enrichment, "enrichment", 0, maxArnLength)
	if in.Enrichment != nil && *in.Enrichment != "" && !arnPattern.MatchString(*in.Enrichment) {
		v.constraint("enrichment", *in.Enrichment, arnRule)
	}
	v.length(in.KmsKeyIdentifier, "kmsKeyIdentifier", 0, 2048)
	v.required(in.RoleArn != nil, "roleArn")
	v.length(in.RoleArn, "roleArn", 1, maxArnLength)
	if in.RoleArn != nil && len(*in.RoleArn) <= maxArnLength && !roleArnPattern.MatchString(*in.RoleArn) {
		v.constraint("roleArn", *in.RoleArn, roleArnRule)
	}
	v.length(in.Target, "target", 1, maxArnLength)
	checkObject(v, in.EnrichmentParameters, "enrichmentParameters")
	checkObject(v, in.LogConfiguration, "logConfiguration")
}

// checkObject accepts an absent value or a JSON object; the engine keeps
// such parameters to report them but does not act on them.
func checkObject(v *validation, raw json.RawMessage, field string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		v.fail(field, "Value at '"+field+"' failed to satisfy constraint: Member must be an object")
	}
}

func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

// checkUnsupported refuses features the engine would otherwise ignore
// silently, since a pipe that skips its filter or enrichment delivers
// other events than AWS would.
func checkUnsupported(v *validation, in *pipeInput, filter json.RawMessage, tp *targetParams) {
	if in.Enrichment != nil && *in.Enrichment != "" {
		v.fail("enrichment", "Enrichment is not supported by the local engine.")
	}
	if present(filter) {
		var fc struct{ Filters []json.RawMessage }
		if err := json.Unmarshal(filter, &fc); err != nil {
			v.fail("sourceParameters.filterCriteria", "Value at 'sourceParameters.filterCriteria' failed to satisfy constraint: Member must be an object")
		} else if len(fc.Filters) > 0 {
			v.fail("sourceParameters.filterCriteria", "Event filtering (FilterCriteria) is not supported by the local engine.")
		}
	}
	if tp != nil && tp.InputTemplate != nil && *tp.InputTemplate != "" {
		v.fail("targetParameters.inputTemplate", "Input transformation (InputTemplate) is not supported by the local engine.")
	}
}

// splitSource decodes SourceParameters into the Kinesis parameters and
// the filter criteria.
func splitSource(v *validation, raw json.RawMessage) (kin json.RawMessage, filter json.RawMessage) {
	if !present(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		v.fail("sourceParameters", "Value at 'sourceParameters' failed to satisfy constraint: Member must be an object")
		return nil, nil
	}
	for _, k := range otherSources {
		if present(m[k]) {
			v.fail("sourceParameters", "The source of a pipe must be a Kinesis stream in the local engine; "+k+" is not supported.")
		}
	}
	return m["KinesisStreamParameters"], m["FilterCriteria"]
}

// decodeKinesis validates Kinesis source parameters. With create, the
// defaults fill what is absent and StartingPosition is required; on update
// prev supplies StartingPosition and its timestamp, which cannot change.
func decodeKinesis(v *validation, raw json.RawMessage, create bool, prev *kinesisParams) (kinesisParams, bool) {
	const f = "sourceParameters.kinesisStreamParameters"
	var in kinesisInput
	if present(raw) {
		if err := json.Unmarshal(raw, &in); err != nil {
			v.fail(f, "Value at '"+f+"' failed to satisfy constraint: Member must be a KinesisStreamParameters object with fields of the right types")
			return kinesisParams{}, false
		}
	}
	if create {
		v.required(in.StartingPosition != nil, f+".startingPosition")
		v.enum(in.StartingPosition, f+".startingPosition", posTrimHorizon, posLatest, posAtTimestamp)
	}
	v.intRange(in.BatchSize, f+".batchSize", 1, 10000)
	v.intRange(in.MaximumBatchingWindowInSeconds, f+".maximumBatchingWindowInSeconds", 0, 300)
	v.intRange(in.MaximumRecordAgeInSeconds, f+".maximumRecordAgeInSeconds", -1, 604800)
	if n := in.MaximumRecordAgeInSeconds; n != nil && *n >= 0 && *n < 60 {
		v.constraint(f+".maximumRecordAgeInSeconds", strconv.FormatInt(*n, 10),
			"Member must be -1 (infinite) or between 60 and 604800")
	}
	v.intRange(in.MaximumRetryAttempts, f+".maximumRetryAttempts", -1, 10000)
	v.intRange(in.ParallelizationFactor, f+".parallelizationFactor", 1, 10)
	v.enum(in.OnPartialBatchItemFailure, f+".onPartialBatchItemFailure", bisectOnFailure)
	if d := in.DeadLetterConfig; d != nil && d.Arn != nil {
		v.length(d.Arn, f+".deadLetterConfig.arn", 1, maxArnLength)
		if _, _, ok := queueARNParts(*d.Arn); !ok && len(*d.Arn) <= maxArnLength {
			v.constraint(f+".deadLetterConfig.arn", *d.Arn,
				"Member must be the ARN of an SQS queue (the local engine has no SNS)")
		}
	}
	if ts := in.StartingPositionTimestamp; ts != nil && (math.IsNaN(*ts) || *ts < 0 || *ts > 1e11) {
		v.constraint(f+".startingPositionTimestamp", strconv.FormatFloat(*ts, 'f', -1, 64), "Member must be a valid timestamp")
	}
	if create && in.StartingPosition != nil && *in.StartingPosition == posAtTimestamp && in.StartingPositionTimestamp == nil {
		v.fail(f+".startingPositionTimestamp", "StartingPositionTimestamp is required when StartingPosition is AT_TIMESTAMP.")
	}
	if !create && in.StartingPosition != nil {
		v.fail(f+".startingPosition", "The starting position of a pipe cannot be updated.")
	}

	out := kinesisParams{BatchSize: defaultBatchSize, MaximumRetryAttempts: defaultRetries,
		MaximumRecordAgeInSeconds: defaultMaxAge, ParallelizationFactor: defaultParallelism}
	if prev != nil {
		out.StartingPosition, out.StartingPositionTimestamp = prev.StartingPosition, prev.StartingPositionTimestamp
	}
	set := func(dst *int32, src *int64) {
		if src != nil && *src >= math.MinInt32 && *src <= math.MaxInt32 {
			*dst = int32(*src)
		}
	}
	set(&out.BatchSize, in.BatchSize)
	set(&out.MaximumBatchingWindowInSeconds, in.MaximumBatchingWindowInSeconds)
	set(&out.MaximumRecordAgeInSeconds, in.MaximumRecordAgeInSeconds)
	set(&out.MaximumRetryAttempts, in.MaximumRetryAttempts)
	set(&out.ParallelizationFactor, in.ParallelizationFactor)
	if in.OnPartialBatchItemFailure != nil {
		out.OnPartialBatchItemFailure = *in.OnPartialBatchItemFailure
	}
	if d := in.DeadLetterConfig; d != nil && d.Arn != nil && *d.Arn != "" {
		out.DeadLetterConfig = &deadLetterConfig{Arn: *d.Arn}
	}
	if create {
		if in.StartingPosition != nil {
			out.StartingPosition = *in.StartingPosition
		}
		if ts := in.StartingPositionTimestamp; ts != nil && out.StartingPosition == posAtTimestamp {
			ms := epochSeconds(int64(*ts*1000 + 0.5))
			out.StartingPositionTimestamp = &ms
		}
	}
	return out, true
}

// decodeTarget validates TargetParameters. It also returns which of its
// members were present, since UpdatePipe replaces only those.
func decodeTarget(v *validation, raw json.RawMessage) (targetParams, map[string]bool) {
	const f = "targetParameters"
	var out targetParams
	seen := map[string]bool{}
	if !present(raw) {
		return out, seen
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		v.fail(f, "Value at '"+f+"' failed to satisfy constraint: Member must be an object")
		return out, seen
	}
	for k, val := range m {
		seen[k] = present(val)
	}
	for _, k := range otherTargets {
		if seen[k] {
			v.fail(f, "The local engine delivers to SQS queues, Kinesis streams, event buses and API destinations; "+k+" is not supported.")
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		v.fail(f, "Value at '"+f+"' failed to satisfy constraint: Member must be a PipeTargetParameters object with fields of the right types")
		return targetParams{}, seen
	}
	v.length(out.InputTemplate, f+".inputTemplate", 0, 8192)
	if p := out.SqsQueueParameters; p != nil {
		v.length(p.MessageGroupId, f+".sqsQueueParameters.messageGroupId", 0, 256)
		v.length(p.MessageDeduplicationId, f+".sqsQueueParameters.messageDeduplicationId", 0, 256)
	}
	if p := out.KinesisStreamParameters; p != nil {
		v.required(p.PartitionKey != nil, f+".kinesisStreamParameters.partitionKey")
		v.length(p.PartitionKey, f+".kinesisStreamParameters.partitionKey", 0, 256)
	}
	if p := out.EventBridgeEventBusParameters; p != nil {
		const b = f + ".eventBridgeEventBusParameters"
		v.length(p.DetailType, b+".detailType", 0, 128)
		v.length(p.EndpointId, b+".endpointId", 1, 50)
		v.length(p.Source, b+".source", 1, 256)
		v.length(p.Time, b+".time", 1, 256)
		if len(p.Resources) > 10 {
			v.constraint(b+".resources", strconv.Itoa(len(p.Resources))+" items", "Member must have length less than or equal to 10")
		}
		for i := range p.Resources {
			v.length(&p.Resources[i], b+".resources", 1, maxArnLength)
		}
	}
	if p := out.HttpParameters; p != nil {
		checkStringMap(v, p.HeaderParameters, f+".httpParameters.headerParameters", 512, 512)
		checkStringMap(v, p.QueryStringParameters, f+".httpParameters.queryStringParameters", 512, 512)
		if len(p.PathParameterValues) > 1 {
			v.constraint(f+".httpParameters.pathParameterValues", strconv.Itoa(len(p.PathParameterValues))+" items", "Member must have length less than or equal to 1")
		}
	}
	return out, seen
}

// checkTargetKind makes sure the target parameters fit the target: each
// kind's parameters only with that kind, and a Kinesis target's
// PartitionKey, which AWS requires.
func checkTargetKind(v *validation, tp *targetParams, kind targetKind) {
	const f = "targetParameters"
	mismatch := func(name string, want targetKind) {
		v.fail(f+"."+name, name+" apply only to a target of type "+want.String()+"; the target is of type "+kind.String()+".")
	}
	if tp.SqsQueueParameters != nil && kind != targetSQS {
		mismatch("SqsQueueParameters", targetSQS)
	}
	if tp.KinesisStreamParameters != nil && kind != targetKinesis {
		mismatch("KinesisStreamParameters", targetKinesis)
	}
	if tp.EventBridgeEventBusParameters != nil && kind != targetEventBus {
		mismatch("EventBridgeEventBusParameters", targetEventBus)
	}
	if tp.HttpParameters != nil && kind != targetAPIDestination {
		mismatch("HttpParameters", targetAPIDestination)
	}
	if kind == targetKinesis && (tp.KinesisStreamParameters == nil || tp.KinesisStreamParameters.PartitionKey == nil) {
		v.fail(f+".kinesisStreamParameters.partitionKey", "A Kinesis stream target needs TargetParameters.KinesisStreamParameters.PartitionKey.")
	}
}

func checkStringMap(v *validation, m map[string]string, field string, maxKey, maxValue int) {
	if len(m) > 100 {
		v.constraint(field, strconv.Itoa(len(m))+" entries", "Member must have at most 100 entries")
		return
	}
	for k, val := range m {
		if len(k) > maxKey || len(val) > maxValue {
			v.constraint(field, k, "Member must have keys and values of at most "+strconv.Itoa(maxKey)+" characters")
		}
	}
}

// checkTags applies AWS's tag rules: at most 50, keys 1–128 and values
// 0–256 characters.
func checkTags(v *validation, tags map[string]string, field string) {
	if len(tags) > maxTags {
		v.constraint(field, strconv.Itoa(len(tags))+" tags", "Member must have length less than or equal to 50")
		return
	}
	for k, val := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.constraint(field, k, "Member must satisfy constraint: tag keys have length between 1 and 128")
		}
		if utf8.RuneCountInString(val) > 256 {
			v.constraint(field, val, "Member must satisfy constraint: tag values have length less than or equal to 256")
		}
	}
}

func checkName(v *validation, name string) {
	switch {
	case name == "":
		v.constraint("name", name, "Member must have length greater than or equal to 1")
	case len(name) > 64:
		v.constraint("name", name, "Member must have length less than or equal to 64")
	case !validPipeName(name):
		v.constraint("name", name, nameRule)
	}
}
