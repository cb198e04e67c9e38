package events

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxTargetsPerCall = 100
	maxInput          = 8192
	maxInputPathsMap  = 100
	maxHTTPParamValue = 512
)

// targetKind is what the engine delivers to.
type targetKind int

const (
	kindUnsupported targetKind = iota
	kindSQS
	kindKinesis
	kindAPIDestination
	kindEventBus
)

// classifyTarget tells a target's kind from its ARN and returns the name
// of the queue, stream, API destination or bus it names.
func classifyTarget(arn string) (targetKind, arnParts, string) {
	a, ok := parseArn(arn)
	if !ok {
		return kindUnsupported, a, ""
	}
	switch a.service {
	case "sqs":
		if a.resource != "" && !strings.Contains(a.resource, "/") {
			return kindSQS, a, a.resource
		}
	case "kinesis":
		if name, ok := strings.CutPrefix(a.resource, "stream/"); ok && name != "" {
			return kindKinesis, a, name
		}
	case "events":
		if rest, ok := strings.CutPrefix(a.resource, "api-destination/"); ok {
			name, _, _ := strings.Cut(rest, "/")
			if name != "" {
				return kindAPIDestination, a, name
			}
		}
		if name, ok := strings.CutPrefix(a.resource, "event-bus/"); ok && name != "" {
			return kindEventBus, a, name
		}
	}
	return kindUnsupported, a, ""
}

type putTargetsInput struct {
	Rule         *string
	EventBusName *string
	Targets      []target
}

type targetResultEntry struct {
	TargetId     string
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putTargetsOutput struct {
	FailedEntryCount int
	FailedEntries    []targetResultEntry
}

// validateTarget checks one target's shape (request-level errors).
func validateTarget(v *validation, i int, t *target) {
	f := "targets." + itoa(i+1) + ".member."
	if v.required(f+"id", t.Id != nil) && v.length(f+"id", *t.Id, 1, maxRuleName) {
		v.pattern(f+"id", *t.Id, validName(*t.Id), namePattern)
	}
	if v.required(f+"arn", t.Arn != nil) {
		v.length(f+"arn", *t.Arn, 1, maxArn)
	}
	v.optLength(f+"roleArn", t.RoleArn, 1, maxArn)
	v.optLength(f+"input", t.Input, 0, maxInput)
	v.optLength(f+"inputPath", t.InputPath, 0, maxPathLen)
	if it := t.InputTransformer; it != nil {
		if v.required(f+"inputTransformer.inputTemplate", it.InputTemplate != nil) {
			v.length(f+"inputTransformer.inputTemplate", *it.InputTemplate, 1, maxInput)
		}
		if len(it.InputPathsMap) > maxInputPathsMap {
			v.fail("", f+"inputTransformer.inputPathsMap", "Member must have length less than or equal to "+itoa(maxInputPathsMap))
		}
		for k, p := range it.InputPathsMap {
			if v.length(f+"inputTransformer.inputPathsMap.key", k, 1, 256) {
				v.pattern(f+"inputTransformer.inputPathsMap.key", k, validPathsMapKey(k), `[A-Za-z0-9\_\-]+`)
			}
			v.length(f+"inputTransformer.inputPathsMap.value", p, 0, maxPathLen)
		}
	}
	if rp := t.RetryPolicy; rp != nil {
		v.intRange(f+"retryPolicy.maximumRetryAttempts", rp.MaximumRetryAttempts, 0, defaultMaxRetries)
		v.intRange(f+"retryPolicy.maximumEventAgeInSeconds", rp.MaximumEventAgeInSeconds, minEventAgeSeconds, defaultMaxAgeSecs)
	}
	if t.DeadLetterConfig != nil {
		v.optLength(f+"deadLetterConfig.arn", t.DeadLetterConfig.Arn, 1, maxArn)
	}
	if kp := t.KinesisParameters; kp != nil {
		if v.required(f+"kinesisParameters.partitionKeyPath", kp.PartitionKeyPath != nil) {
			v.length(f+"kinesisParameters.partitionKeyPath", *kp.PartitionKeyPath, 0, maxPathLen)
		}
	}
	if sp := t.SqsParameters; sp != nil {
		v.optLength(f+"sqsParameters.messageGroupId", sp.MessageGroupId, 0, 128)
	}
	if hp := t.HttpParameters; hp != nil {
		for j, p := range hp.PathParameterValues {
			v.length(f+"httpParameters.pathParameterValues."+itoa(j+1)+".member", p, 0, maxHTTPParamValue)
		}
		for k, val := range hp.HeaderParameters {
			if v.length(f+"httpParameters.headerParameters.key", k, 1, maxHTTPParamValue) {
				v.pattern(f+"httpParameters.headerParameters.key", k, validHeaderKey(k), headerKeyPattern)
			}
			if v.length(f+"httpParameters.headerParameters.value", val, 0, maxHTTPParamValue) {
				v.pattern(f+"httpParameters.headerParameters.value", val, validHeaderValue(val), headerValuePattern)
			}
		}
		for k, val := range hp.QueryStringParameters {
			v.length(f+"httpParameters.queryStringParameters.key", k, 0, maxHTTPParamValue)
			v.length(f+"httpParameters.queryStringParameters.value", val, 0, maxHTTPParamValue)
		}
	}
}

const headerValuePattern = `^[ \t]*[\x20-\x7E]+([ \t]+[\x20-\x7E]+)*[ \t]*$`

// validHeaderValue takes printable ASCII and tabs.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 || c > 0x7E) && c != '\t' {
			return false
		}
	}
	return true
}

func validPathsMapKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return k != ""
}

// checkTargetInput checks what a target sends: one of Input (JSON),
// InputPath or InputTransformer, with valid paths.
func checkTargetInput(t *target) error {
	n := 0
	for _, set := range []bool{t.Input != nil, t.InputPath != nil, t.InputTransformer != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return validationError("Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	if t.Input != nil && !json.Valid([]byte(*t.Input)) {
		return validationError("Target %s: Input is not valid JSON text.", *t.Id)
	}
	if t.InputPath != nil && *t.InputPath != "" {
		if _, ok := parseJSONPath(*t.InputPath); !ok {
			return validationError("Target %s: InputPath %s is not a valid JSON path.", *t.Id, *t.InputPath)
		}
	}
	if it := t.InputTransformer; it != nil {
		for k, p := range it.InputPathsMap {
			if isPredefinedVar(k) || strings.HasPrefix(k, "aws.") {
				return validationError("Target %s: InputPathsMap key %s is reserved.", *t.Id, k)
			}
			if _, ok := parseJSONPath(p); !ok {
				return validationError("Target %s: InputPathsMap value %s is not a valid JSON path.", *t.Id, p)
			}
		}
	}
	if kp := t.KinesisParameters; kp != nil && *kp.PartitionKeyPath != "" {
		if _, ok := parseJSONPath(*kp.PartitionKeyPath); !ok {
			return validationError("Target %s: PartitionKeyPath %s is not a valid JSON path.", *t.Id, *kp.PartitionKeyPath)
		}
	}
	for _, raw := range []*json.RawMessage{&t.EcsParameters, &t.BatchParameters, &t.RunCommandParameters,
		&t.RedshiftDataParameters, &t.SageMakerPipelineParameters, &t.AppSyncParameters} {
		if string(*raw) == "null" {
			*raw = nil
		}
	}
	return nil
}

// targetEntryError is a per-target failure: the target is skipped, the
// others are put.
func targetEntryError(t *target) string {
	kind, _, name := classifyTarget(*t.Arn)
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != nil {
		if k, _, _ := classifyTarget(*t.DeadLetterConfig.Arn); k != kindSQS {
			return "The dead-letter queue ARN " + *t.DeadLetterConfig.Arn + " is not an SQS queue ARN."
		}
	}
	if kind == kindSQS && strings.HasSuffix(name, ".fifo") && (t.SqsParameters == nil || deref(t.SqsParameters.MessageGroupId) == "") {
		return "SqsParameters.MessageGroupId must be set for the FIFO queue " + *t.Arn + "."
	}
	return ""
}

func (s *Service) putTargets(ctx context.Context, body []byte) (any, error) {
	var in putTargetsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkRuleName(&v, "rule", in.Rule)
	checkBusNameOrArn(&v, "eventBusName", in.EventBusName)
	if v.required("targets", in.Targets != nil) {
		v.count("targets", len(in.Targets), 1, maxTargetsPerCall)
	}
	for i := range in.Targets {
		validateTarget(&v, i, &in.Targets[i])
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	for i := range in.Targets {
		if err := checkTargetInput(&in.Targets[i]); err != nil {
			return nil, err
		}
	}
	out := putTargetsOutput{FailedEntries: []targetResultEntry{}}
	var accepted []target
	for _, t := range in.Targets {
		if msg := targetEntryError(&t); msg != "" {
			out.FailedEntries = append(out.FailedEntries, targetResultEntry{TargetId: *t.Id, ErrorCode: "ValidationException", ErrorMessage: msg})
			continue
		}
		accepted = append(accepted, t)
	}
	out.FailedEntryCount = len(out.FailedEntries)
	region := wire.Region(ctx)
	bus, err := busName(region, in.EventBusName)
	if err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	rec, err := s.updateRuleTx(region, bus, *in.Rule, func(rec *ruleRecord) error {
		targets := slices.Clone(rec.Targets)
		for _, t := range accepted {
			i := slices.IndexFunc(targets, func(o target) bool { return *o.Id == *t.Id })
			if i >= 0 {
				targets[i] = t
			} else {
				targets = append(targets, t)
			}
		}
		if len(targets) > maxTargetsInRule {
			return limitExceeded("The requested resource exceeds the maximum number allowed.")
		}
		rec.Targets, rec.Modified = targets, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.applyRule(region, rec)
	return out, nil
}

type removeTargetsInput struct {
	Rule         *string
	EventBusName *string
	Ids          []string
	Force        bool
}

func (s *Service) removeTargets(ctx context.Context, body []byte) (any, error) {
	var in removeTargetsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkRuleName(&v, "rule", in.Rule)
	checkBusNameOrArn(&v, "eventBusName", in.EventBusName)
	if v.required("ids", in.Ids != nil) {
		v.count("ids", len(in.Ids), 1, maxTargetsPerCall)
	}
	for i, id := range in.Ids {
		f := "ids." + itoa(i+1) + ".member"
		if v.length(f, id, 1, maxRuleName) {
			v.pattern(f, id, validName(id), namePattern)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	bus, err := busName(region, in.EventBusName)
	if err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	rec, err := s.updateRuleTx(region, bus, *in.Rule, func(rec *ruleRecord) error {
		rec.Targets = slices.DeleteFunc(slices.Clone(rec.Targets), func(t target) bool { return slices.Contains(in.Ids, *t.Id) })
		rec.Modified = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.applyRule(region, rec)
	return putTargetsOutput{FailedEntries: []targetResultEntry{}}, nil
}

type listTargetsByRuleInput struct {
	Rule         *string
	EventBusName *string
	Limit        *int64
	NextToken    *string
}

type listTargetsByRuleOutput struct {
	Targets   []target
	NextToken *string `json:",omitempty"`
}

func (s *Service) listTargetsByRule(ctx context.Context, body []byte) (any, error) {
	var in listTargetsByRuleInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkRuleName(&v, "rule", in.Rule)
	checkBusNameOrArn(&v, "eventBusName", in.EventBusName)
	checkPaging(&v, in.Limit, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	bus, err := busName(region, in.EventBusName)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	r, err := s.lookupRule(region, bus, *in.Rule)
	var targets []target
	if err == nil {
		targets = slices.Clone(r.rec.Targets)
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(targets, func(a, b target) int { return compareStrings(*a.Id, *b.Id) })
	page, next, err := paginate(targets, func(t target) string { return *t.Id }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listTargetsByRuleOutput{Targets: nonNil(page), NextToken: next}, nil
}

// findTarget returns a copy of a rule's target under s.mu (read).
func (s *Service) findTarget(region, bus, rule, id string) (ruleRecord, target, bool) {
	r, err := s.lookupRule(region, bus, rule)
	if err != nil {
		return ruleRecord{}, target{}, false
	}
	for _, t := range r.rec.Targets {
		if *t.Id == id {
			return r.rec, t, true
		}
	}
	return ruleRecord{}, target{}, false
}
