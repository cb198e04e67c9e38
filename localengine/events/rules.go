package events

import (
	"context"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// Rule states. ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS matches like
// ENABLED here: the engine has no CloudTrail events.
const (
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
	stateAllCT    = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
	maxRulesInBus = 300
	maxSchedule   = 256
)

func ruleEnabled(state string) bool { return state != stateDisabled }

func checkRuleName(v *validation, field string, name *string) {
	if v.required(field, name != nil) && v.length(field, *name, 1, maxRuleName) {
		v.pattern(field, *name, validName(*name), namePattern)
	}
}

// busExistsTx reports whether bus is in the store (the default bus always
// is).
func busExistsTx(tx *bolt.Tx, region, bus string) bool {
	return bus == defaultBus || bucket(tx, bucketBuses).Get(regionKey(region, bus)) != nil
}

type putRuleInput struct {
	Name               *string
	EventBusName       *string
	EventPattern       *string
	ScheduleExpression *string
	State              *string
	Description        *string
	RoleArn            *string
	Tags               []tag
}

type putRuleOutput struct {
	RuleArn string
}

// errScheduleUnsupported: the engine stores no scheduled rules, since it
// would never run them; a clear refusal beats a rule that silently never
// fires.
func errScheduleUnsupported() error {
	return validationError("ScheduleExpression is not supported by the sluice local engine: scheduled rules never run here. Use an EventPattern.")
}

func (s *Service) putRule(ctx context.Context, body []byte) (any, error) {
	var in putRuleInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkRuleName(&v, "name", in.Name)
	checkBusNameOrArn(&v, "eventBusName", in.EventBusName)
	v.optLength("eventPattern", in.EventPattern, 0, maxEventPattern)
	v.optLength("scheduleExpression", in.ScheduleExpression, 0, maxSchedule)
	if in.State != nil {
		v.enum("state", *in.State, stateEnabled, stateDisabled, stateAllCT)
	}
	v.optLength("description", in.Description, 0, maxDescription)
	v.optLength("roleArn", in.RoleArn, 1, maxArn)
	validateTags(&v, "tags", in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	if deref(in.ScheduleExpression) != "" {
		return nil, errScheduleUnsupported()
	}
	if deref(in.EventPattern) == "" {
		return nil, validationError("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	pat, err := compilePattern(*in.EventPattern)
	if err != nil {
		return nil, invalidPattern(err.Error())
	}
	region := wire.Region(ctx)
	bus, err := busName(region, in.EventBusName)
	if err != nil {
		return nil, err
	}
	name := *in.Name
	arn := ruleArn(region, bus, name)
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec ruleRecord
	var tags map[string]string
	err = s.store.Update(func(tx *bolt.Tx) error {
		if !busExistsTx(tx, region, bus) {
			return busNotFound(bus)
		}
		b := bucket(tx, bucketRules)
		key := ruleKey(region, bus, name)
		var old ruleRecord
		found, err := getJSON(b, key, &old)
		if err != nil {
			return err
		}
		if !found && countPrefix(b, append(regionKey(region, bus), 0)) >= maxRulesInBus {
			return limitExceeded("The requested resource exceeds the maximum number allowed.")
		}
		// PutRule replaces the rule; only its targets and creation time stay.
		rec = ruleRecord{
			Name: name, Bus: bus, EventPattern: *in.EventPattern, State: derefOr(in.State, stateEnabled),
			Description: deref(in.Description), RoleArn: deref(in.RoleArn), Created: now, Modified: now,
		}
		if found {
			rec.Created, rec.Targets = old.Created, old.Targets
		}
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		tags, err = putTagsTx(tx, arn, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if b := s.regionLocked(region).bus(bus); b != nil {
		b.rules[name] = &ruleState{rec: rec, pat: pat}
	}
	s.setTagsLocked(arn, tags)
	s.mu.Unlock()
	return putRuleOutput{RuleArn: arn}, nil
}

func countPrefix(b *bolt.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

type ruleInput struct {
	Name         *string
	EventBusName *string
	Force        bool
}

func (s *Service) decodeRuleInput(ctx context.Context, body []byte) (region, bus, name string, err error) {
	var in ruleInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return "", "", "", err
	}
	var v validation
	checkRuleName(&v, "name", in.Name)
	checkBusNameOrArn(&v, "eventBusName", in.EventBusName)
	if err := v.err(); err != nil {
		return "", "", "", err
	}
	region = wire.Region(ctx)
	bus, err = busName(region, in.EventBusName)
	return region, bus, *in.Name, err
}

type describeRuleOutput struct {
	Name               string
	Arn                string
	EventBusName       string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	CreatedBy          string
}

// lookupRule finds a rule under s.mu (read).
func (s *Service) lookupRule(region, bus, name string) (*ruleState, error) {
	b := s.region(region).bus(bus)
	if b == nil {
		return nil, busNotFound(bus)
	}
	r := b.rule(name)
	if r == nil {
		return nil, ruleNotFound(name, bus)
	}
	return r, nil
}

func (s *Service) describeRule(ctx context.Context, body []byte) (any, error) {
	region, bus, name, err := s.decodeRuleInput(ctx, body)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookupRule(region, bus, name)
	if err != nil {
		return nil, err
	}
	rec := r.rec
	return describeRuleOutput{
		Name: rec.Name, Arn: ruleArn(region, bus, rec.Name), EventBusName: bus, EventPattern: rec.EventPattern,
		ScheduleExpression: rec.ScheduleExpression, State: rec.State, Description: rec.Description,
		RoleArn: rec.RoleArn, CreatedBy: wire.Account,
	}, nil
}

type listRulesInput struct {
	NamePrefix   *string
	EventBusName *string
	Limit        *int64
	NextToken    *string
}

type ruleEntry struct {
	Name               string
	Arn                string
	EventBusName       string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
}

type listRulesOutput struct {
	Rules     []ruleEntry
	NextToken *string `json:",omitempty"`
}

func (s *Service) listRules(ctx context.Context, body []byte) (any, error) {
	var in listRulesInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if in.NamePrefix != nil && v.length("namePrefix", *in.NamePrefix, 1, maxRuleName) {
		v.pattern("namePrefix", *in.NamePrefix, validName(*in.NamePrefix), namePattern)
	}
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
	b := s.region(region).bus(bus)
	if b == nil {
		s.mu.RUnlock()
		return nil, busNotFound(bus)
	}
	var all []ruleEntry
	for _, r := range b.sortedRules() {
		if strings.HasPrefix(r.rec.Name, deref(in.NamePrefix)) {
			rec := r.rec
			all = append(all, ruleEntry{
				Name: rec.Name, Arn: ruleArn(region, bus, rec.Name), EventBusName: bus, EventPattern: rec.EventPattern,
				ScheduleExpression: rec.ScheduleExpression, State: rec.State, Description: rec.Description, RoleArn: rec.RoleArn,
			})
		}
	}
	s.mu.RUnlock()
	page, next, err := paginate(all, func(e ruleEntry) string { return e.Name }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listRulesOutput{Rules: nonNil(page), NextToken: next}, nil
}

func (s *Service) deleteRule(ctx context.Context, body []byte) (any, error) {
	region, bus, name, err := s.decodeRuleInput(ctx, body)
	if err != nil {
		return nil, err
	}
	arn := ruleArn(region, bus, name)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketRules)
		key := ruleKey(region, bus, name)
		var rec ruleRecord
		found, err := getJSON(b, key, &rec)
		if err != nil || !found {
			return err // deleting a rule that is not there succeeds, as on AWS
		}
		if len(rec.Targets) > 0 {
			return validationError("Rule can't be deleted since it has targets.")
		}
		if err := bucket(tx, bucketTags).Delete([]byte(arn)); err != nil {
			return err
		}
		return b.Delete(key)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if r := s.regions[region]; r != nil {
		if b := r.bus(bus); b != nil {
			delete(b.rules, name)
		}
	}
	delete(s.tags, arn)
	s.mu.Unlock()
	return struct{}{}, nil
}

func (s *Service) enableRule(ctx context.Context, body []byte) (any, error) {
	return s.setRuleState(ctx, body, stateEnabled)
}

func (s *Service) disableRule(ctx context.Context, body []byte) (any, error) {
	return s.setRuleState(ctx, body, stateDisabled)
}

func (s *Service) setRuleState(ctx context.Context, body []byte, state string) (any, error) {
	region, bus, name, err := s.decodeRuleInput(ctx, body)
	if err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	rec, err := s.updateRuleTx(region, bus, name, func(rec *ruleRecord) error {
		rec.State, rec.Modified = state, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.applyRule(region, rec)
	return struct{}{}, nil
}

// updateRuleTx changes a stored rule; s.wmu must be held.
func (s *Service) updateRuleTx(region, bus, name string, change func(*ruleRecord) error) (ruleRecord, error) {
	var rec ruleRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		if !busExistsTx(tx, region, bus) {
			return busNotFound(bus)
		}
		b := bucket(tx, bucketRules)
		key := ruleKey(region, bus, name)
		rec = ruleRecord{}
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			return ruleNotFound(name, bus)
		}
		if err := change(&rec); err != nil {
			return err
		}
		return putJSON(b, key, rec)
	})
	return rec, err
}

// applyRule puts a committed rule record into memory, keeping its
// compiled pattern when the pattern did not change.
func (s *Service) applyRule(region string, rec ruleRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.regionLocked(region).bus(rec.Bus)
	if b == nil {
		return
	}
	if old := b.rules[rec.Name]; old != nil && old.rec.EventPattern == rec.EventPattern {
		b.rules[rec.Name] = &ruleState{rec: rec, pat: old.pat}
		return
	}
	b.rules[rec.Name] = newRuleState(rec)
}

type listRuleNamesByTargetInput struct {
	TargetArn    *string
	EventBusName *string
	Limit        *int64
	NextToken    *string
}

type listRuleNamesByTargetOutput struct {
	RuleNames []string
	NextToken *string `json:",omitempty"`
}

func (s *Service) listRuleNamesByTarget(ctx context.Context, body []byte) (any, error) {
	var in listRuleNamesByTargetInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("targetArn", in.TargetArn != nil) {
		v.length("targetArn", *in.TargetArn, 1, maxArn)
	}
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
	b := s.region(region).bus(bus)
	if b == nil {
		s.mu.RUnlock()
		return nil, busNotFound(bus)
	}
	var names []string
	for _, r := range b.sortedRules() {
		for _, t := range r.rec.Targets {
			if deref(t.Arn) == *in.TargetArn {
				names = append(names, r.rec.Name)
				break
			}
		}
	}
	s.mu.RUnlock()
	page, next, err := paginate(names, func(n string) string { return n }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listRuleNamesByTargetOutput{RuleNames: nonNil(page), NextToken: next}, nil
}
