package events

import (
	"context"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const maxKmsKey = 2048

type createEventBusInput struct {
	Name             *string
	Description      *string
	EventSourceName  *string
	KmsKeyIdentifier *string
	DeadLetterConfig *deadLetterConfig
	LogConfig        *logConfig
	Tags             []tag
}

type createEventBusOutput struct {
	EventBusArn      string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig `json:",omitempty"`
	LogConfig        *logConfig        `json:",omitempty"`
}

// validateBusSettings checks the settings CreateEventBus and UpdateEventBus
// share.
func validateBusSettings(v *validation, desc, kms *string, dlq *deadLetterConfig, lc *logConfig) {
	v.optLength("description", desc, 0, maxDescription)
	v.optLength("kmsKeyIdentifier", kms, 0, maxKmsKey)
	if dlq != nil {
		v.optLength("deadLetterConfig.arn", dlq.Arn, 1, maxArn)
	}
	if lc != nil {
		if lc.Level != "" {
			v.enum("logConfig.level", lc.Level, "OFF", "ERROR", "INFO", "TRACE")
		}
		if lc.IncludeDetail != "" {
			v.enum("logConfig.includeDetail", lc.IncludeDetail, "NONE", "FULL")
		}
	}
}

func (s *Service) createEventBus(ctx context.Context, body []byte) (any, error) {
	var in createEventBusInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("name", in.Name != nil) && v.length("name", *in.Name, 1, maxBusName) {
		v.pattern("name", *in.Name, validBusName(*in.Name), busNamePattern)
	}
	v.optLength("eventSourceName", in.EventSourceName, 1, 256)
	validateBusSettings(&v, in.Description, in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig)
	validateTags(&v, "tags", in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	name := *in.Name
	switch {
	case in.EventSourceName != nil:
		// Partner event sources do not exist here.
		return nil, notFound("Event source %s does not exist.", *in.EventSourceName)
	case strings.Contains(name, "/"):
		return nil, validationError("Event bus name must not contain '/'.")
	case strings.HasPrefix(name, "aws."):
		return nil, validationError("Event bus name must not start with 'aws.'.")
	case name == defaultBus:
		return nil, alreadyExists("Event bus %s already exists.", name)
	}
	region := wire.Region(ctx)
	now := s.now().UnixMilli()
	rec := busRecord{
		Name: name, Description: deref(in.Description), KmsKeyIdentifier: deref(in.KmsKeyIdentifier),
		DeadLetterConfig: in.DeadLetterConfig, LogConfig: in.LogConfig, Created: now, Modified: now,
	}
	arn := busArn(region, name)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var tags map[string]string
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketBuses)
		key := regionKey(region, name)
		if b.Get(key) != nil {
			return alreadyExists("Event bus %s already exists.", name)
		}
		if err := putJSON(b, key, rec); err != nil {
			return err
		}
		var err error
		tags, err = putTagsTx(tx, arn, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.regionLocked(region).buses[name] = &busState{rec: rec, stored: true, rules: map[string]*ruleState{}}
	s.setTagsLocked(arn, tags)
	s.mu.Unlock()
	return createEventBusOutput{
		EventBusArn: arn, Description: rec.Description, KmsKeyIdentifier: rec.KmsKeyIdentifier,
		DeadLetterConfig: rec.DeadLetterConfig, LogConfig: rec.LogConfig,
	}, nil
}

type busNameInput struct {
	Name *string
}

type describeEventBusOutput struct {
	Name             string
	Arn              string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig `json:",omitempty"`
	LogConfig        *logConfig        `json:",omitempty"`
	CreationTime     *awsTime          `json:",omitempty"`
	LastModifiedTime *awsTime          `json:",omitempty"`
}

func describeBus(region string, b *busState) describeEventBusOutput {
	return describeEventBusOutput{
		Name: b.rec.Name, Arn: busArn(region, b.rec.Name), Description: b.rec.Description,
		KmsKeyIdentifier: b.rec.KmsKeyIdentifier, DeadLetterConfig: b.rec.DeadLetterConfig,
		LogConfig: b.rec.LogConfig, CreationTime: timeOrNil(b.rec.Created), LastModifiedTime: timeOrNil(b.rec.Modified),
	}
}

// checkBusNameOrArn validates an optional EventBusName (name or ARN).
func checkBusNameOrArn(v *validation, field string, s *string) {
	if s != nil && v.length(field, *s, 1, maxBusNameOrArn) {
		v.pattern(field, *s, validBusNameOrArn(*s), busOrArnPattern)
	}
}

func (s *Service) describeEventBus(ctx context.Context, body []byte) (any, error) {
	var in busNameInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkBusNameOrArn(&v, "name", in.Name)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	name, err := busName(region, in.Name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.region(region).bus(name)
	if b == nil {
		return nil, busNotFound(name)
	}
	return describeBus(region, b), nil
}

type listEventBusesInput struct {
	NamePrefix *string
	Limit      *int64
	NextToken  *string
}

type eventBusEntry struct {
	Name             string
	Arn              string
	Description      string   `json:",omitempty"`
	CreationTime     *awsTime `json:",omitempty"`
	LastModifiedTime *awsTime `json:",omitempty"`
}

type listEventBusesOutput struct {
	EventBuses []eventBusEntry
	NextToken  *string `json:",omitempty"`
}

func (s *Service) listEventBuses(ctx context.Context, body []byte) (any, error) {
	var in listEventBusesInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if in.NamePrefix != nil && v.length("namePrefix", *in.NamePrefix, 1, maxBusName) {
		v.pattern("namePrefix", *in.NamePrefix, validBusName(*in.NamePrefix), busNamePattern)
	}
	checkPaging(&v, in.Limit, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	s.mu.RLock()
	var all []eventBusEntry
	for name, b := range s.region(region).buses {
		if strings.HasPrefix(name, deref(in.NamePrefix)) {
			all = append(all, eventBusEntry{
				Name: name, Arn: busArn(region, name), Description: b.rec.Description,
				CreationTime: timeOrNil(b.rec.Created), LastModifiedTime: timeOrNil(b.rec.Modified),
			})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b eventBusEntry) int { return compareStrings(a.Name, b.Name) })
	page, next, err := paginate(all, func(e eventBusEntry) string { return e.Name }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listEventBusesOutput{EventBuses: nonNil(page), NextToken: next}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type updateEventBusInput struct {
	Name             *string
	Description      *string
	KmsKeyIdentifier *string
	DeadLetterConfig *deadLetterConfig
	LogConfig        *logConfig
}

type updateEventBusOutput struct {
	Arn              string
	Name             string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig `json:",omitempty"`
	LogConfig        *logConfig        `json:",omitempty"`
}

func (s *Service) updateEventBus(ctx context.Context, body []byte) (any, error) {
	var in updateEventBusInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if in.Name != nil && v.length("name", *in.Name, 1, maxBusName) {
		v.pattern("name", *in.Name, validBusName(*in.Name), busNamePattern)
	}
	validateBusSettings(&v, in.Description, in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	name := derefOr(in.Name, defaultBus)
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec busRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketBuses)
		key := regionKey(region, name)
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			if name != defaultBus {
				return busNotFound(name)
			}
			rec = busRecord{Name: defaultBus}
		}
		if in.Description != nil {
			rec.Description = *in.Description
		}
		if in.KmsKeyIdentifier != nil {
			rec.KmsKeyIdentifier = *in.KmsKeyIdentifier
		}
		if in.DeadLetterConfig != nil {
			rec.DeadLetterConfig = in.DeadLetterConfig
		}
		if in.LogConfig != nil {
			rec.LogConfig = in.LogConfig
		}
		rec.Modified = now
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	r := s.regionLocked(region)
	if b := r.buses[name]; b != nil {
		b.rec, b.stored = rec, true
	}
	s.mu.Unlock()
	return updateEventBusOutput{
		Arn: busArn(region, name), Name: name, Description: rec.Description, KmsKeyIdentifier: rec.KmsKeyIdentifier,
		DeadLetterConfig: rec.DeadLetterConfig, LogConfig: rec.LogConfig,
	}, nil
}

func (s *Service) deleteEventBus(ctx context.Context, body []byte) (any, error) {
	var in busNameInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("name", in.Name != nil) && v.length("name", *in.Name, 1, maxBusName) {
		v.pattern("name", *in.Name, validBusName(*in.Name), busNamePattern)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	name := *in.Name
	if name == defaultBus {
		return nil, validationError("Cannot delete event bus default.")
	}
	region := wire.Region(ctx)
	arn := busArn(region, name)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketBuses)
		key := regionKey(region, name)
		if b.Get(key) == nil {
			return nil // deleting a bus that is not there succeeds, as on AWS
		}
		prefix := append(regionKey(region, name), 0)
		if k, _ := bucket(tx, bucketRules).Cursor().Seek(prefix); k != nil && hasPrefix(k, prefix) {
			return validationError("EventBus can't be deleted since it has rules.")
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
		delete(r.buses, name)
	}
	delete(s.tags, arn)
	s.mu.Unlock()
	return struct{}{}, nil
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}
