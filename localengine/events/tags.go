package events

import (
	"context"
	"maps"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const maxTags = 50

func validateTags(v *validation, field string, tags []tag) {
	v.count(field, len(tags), 0, maxTags)
	for i, t := range tags {
		f := field + "." + itoa(i+1) + ".member."
		if v.required(f+"key", t.Key != nil) {
			v.length(f+"key", *t.Key, 1, 128)
		}
		if v.required(f+"value", t.Value != nil) {
			v.length(f+"value", *t.Value, 0, 256)
		}
	}
}

// taggable is a resource TagResource accepts: an event bus or a rule.
type taggable struct {
	bus, rule string
}

// parseTaggable reads an event bus or rule ARN of region.
func parseTaggable(region, arn string) (taggable, bool) {
	a, ok := parseArn(arn)
	if !ok || a.service != "events" || a.region != region || a.account != wire.Account {
		return taggable{}, false
	}
	if name, ok := strings.CutPrefix(a.resource, "event-bus/"); ok && validBusName(name) {
		return taggable{bus: name}, true
	}
	if rest, ok := strings.CutPrefix(a.resource, "rule/"); ok {
		bus, rule := defaultBus, rest
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			bus, rule = rest[:i], rest[i+1:]
		}
		if validBusName(bus) && validName(rule) {
			return taggable{bus: bus, rule: rule}, true
		}
	}
	return taggable{}, false
}

// existsTx reports whether the resource is in the store.
func (t taggable) existsTx(tx *bolt.Tx, region string) bool {
	if t.rule != "" {
		return bucket(tx, bucketRules).Get(ruleKey(region, t.bus, t.rule)) != nil
	}
	return t.bus == defaultBus || bucket(tx, bucketBuses).Get(regionKey(region, t.bus)) != nil
}

func resourceNotFound(arn string) error {
	return notFound("Resource %s does not exist.", arn)
}

type tagResourceInput struct {
	ResourceARN *string
	Tags        []tag
}

func (s *Service) tagResource(ctx context.Context, body []byte) (any, error) {
	var in tagResourceInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("resourceARN", in.ResourceARN != nil) {
		v.length("resourceARN", *in.ResourceARN, 1, maxArn)
	}
	v.required("tags", in.Tags != nil)
	validateTags(&v, "tags", in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	return s.changeTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, t := range in.Tags {
			m[*t.Key] = *t.Value
		}
	})
}

type untagResourceInput struct {
	ResourceARN *string
	TagKeys     []string
}

func (s *Service) untagResource(ctx context.Context, body []byte) (any, error) {
	var in untagResourceInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("resourceARN", in.ResourceARN != nil) {
		v.length("resourceARN", *in.ResourceARN, 1, maxArn)
	}
	v.required("tagKeys", in.TagKeys != nil)
	for i, k := range in.TagKeys {
		v.length("tagKeys."+itoa(i+1)+".member", k, 1, 128)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return s.changeTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
	})
}

// changeTags applies change to a resource's tags.
func (s *Service) changeTags(ctx context.Context, arn string, change func(map[string]string)) (any, error) {
	region := wire.Region(ctx)
	res, ok := parseTaggable(region, arn)
	if !ok {
		return nil, resourceNotFound(arn)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var next map[string]string
	err := s.store.Update(func(tx *bolt.Tx) error {
		if !res.existsTx(tx, region) {
			return resourceNotFound(arn)
		}
		b := bucket(tx, bucketTags)
		next = map[string]string{}
		if _, err := getJSON(b, []byte(arn), &next); err != nil {
			return err
		}
		change(next)
		if len(next) > maxTags {
			return limitExceeded("The number of tags exceeds the limit of %d.", maxTags)
		}
		if len(next) == 0 {
			return b.Delete([]byte(arn))
		}
		return putJSON(b, []byte(arn), next)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.setTagsLocked(arn, next)
	s.mu.Unlock()
	return struct{}{}, nil
}

func (s *Service) setTagsLocked(arn string, m map[string]string) {
	if len(m) == 0 {
		delete(s.tags, arn)
		return
	}
	s.tags[arn] = m
}

type listTagsInput struct {
	ResourceARN *string
}

type listTagsOutput struct {
	Tags []tag
}

func (s *Service) listTagsForResource(ctx context.Context, body []byte) (any, error) {
	var in listTagsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("resourceARN", in.ResourceARN != nil) {
		v.length("resourceARN", *in.ResourceARN, 1, maxArn)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	arn := *in.ResourceARN
	res, ok := parseTaggable(region, arn)
	if !ok {
		return nil, resourceNotFound(arn)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.region(region).bus(res.bus)
	if b == nil || res.rule != "" && b.rule(res.rule) == nil {
		return nil, resourceNotFound(arn)
	}
	m := s.tags[arn]
	out := listTagsOutput{Tags: make([]tag, 0, len(m))}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out.Tags = append(out.Tags, tag{Key: ptr(k), Value: ptr(m[k])})
	}
	return out, nil
}

// putTagsTx merges tags given at creation into the resource's tags.
func putTagsTx(tx *bolt.Tx, arn string, tags []tag) (map[string]string, error) {
	b := bucket(tx, bucketTags)
	m := map[string]string{}
	if _, err := getJSON(b, []byte(arn), &m); err != nil {
		return nil, err
	}
	for _, t := range tags {
		m[*t.Key] = *t.Value
	}
	if len(m) == 0 {
		return m, nil
	}
	return m, putJSON(b, []byte(arn), m)
}
