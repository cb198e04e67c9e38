package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The configuration (buses, rules and their targets, connections, API
// destinations, tags) is small and bounded by AWS's quotas, so it is kept
// in memory for matching and answering. The store is the truth: a change
// is written first (under s.wmu, so that memory applies changes in the
// order the store committed them) and reaches memory once it is durable.

type regionState struct {
	buses map[string]*busState
	conns map[string]*connectionRecord
	dests map[string]*apiDestinationRecord
}

type busState struct {
	rec    busRecord
	stored bool // a record exists (custom buses, an updated default bus)
	rules  map[string]*ruleState
}

type ruleState struct {
	rec ruleRecord
	pat *pattern // nil when the rule has no usable pattern
}

func newRegionState() *regionState {
	r := &regionState{
		buses: map[string]*busState{},
		conns: map[string]*connectionRecord{},
		dests: map[string]*apiDestinationRecord{},
	}
	r.buses[defaultBus] = &busState{rec: busRecord{Name: defaultBus}, rules: map[string]*ruleState{}}
	return r
}

// regionLocked returns region's state, creating it; s.mu must be held for
// writing, or the caller must not keep a missing region (see region).
func (s *Service) regionLocked(region string) *regionState {
	r := s.regions[region]
	if r == nil {
		r = newRegionState()
		s.regions[region] = r
	}
	return r
}

// region returns region's state for reading under s.mu.RLock: a region
// never written to has only the default bus.
func (s *Service) region(region string) *regionState {
	if r := s.regions[region]; r != nil {
		return r
	}
	return s.emptyRegion
}

func (r *regionState) bus(name string) *busState { return r.buses[name] }

func (b *busState) rule(name string) *ruleState { return b.rules[name] }

func newRuleState(rec ruleRecord) *ruleState {
	rs := &ruleState{rec: rec}
	if rec.EventPattern != "" {
		// Stored patterns were validated when they were put.
		rs.pat, _ = compilePattern(rec.EventPattern)
	}
	return rs
}

// sortedRules lists a bus's rules by name.
func (b *busState) sortedRules() []*ruleState {
	out := make([]*ruleState, 0, len(b.rules))
	for _, r := range b.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *ruleState) int { return compareStrings(a.rec.Name, b.rec.Name) })
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// load rebuilds the configuration from the store.
func (s *Service) load() error {
	s.regions = map[string]*regionState{}
	s.tags = map[string]map[string]string{}
	return s.store.View(func(tx *bolt.Tx) error {
		err := bucket(tx, bucketBuses).ForEach(func(k, v []byte) error {
			region, _, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return nil
			}
			var rec busRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("bus %q: %w", k, err)
			}
			r := s.regionLocked(string(region))
			b := r.buses[rec.Name]
			if b == nil {
				b = &busState{rules: map[string]*ruleState{}}
				r.buses[rec.Name] = b
			}
			b.rec, b.stored = rec, true
			return nil
		})
		if err != nil {
			return err
		}
		err = bucket(tx, bucketRules).ForEach(func(k, v []byte) error {
			region, _, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return nil
			}
			var rec ruleRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("rule %q: %w", k, err)
			}
			r := s.regionLocked(string(region))
			b := r.buses[rec.Bus]
			if b == nil {
				b = &busState{rec: busRecord{Name: rec.Bus}, rules: map[string]*ruleState{}}
				r.buses[rec.Bus] = b
			}
			b.rules[rec.Name] = newRuleState(rec)
			return nil
		})
		if err != nil {
			return err
		}
		err = bucket(tx, bucketConns).ForEach(func(k, v []byte) error {
			region, _, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return nil
			}
			rec := &connectionRecord{}
			if err := json.Unmarshal(v, rec); err != nil {
				return fmt.Errorf("connection %q: %w", k, err)
			}
			s.regionLocked(string(region)).conns[rec.Name] = rec
			return nil
		})
		if err != nil {
			return err
		}
		err = bucket(tx, bucketDests).ForEach(func(k, v []byte) error {
			region, _, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return nil
			}
			rec := &apiDestinationRecord{}
			if err := json.Unmarshal(v, rec); err != nil {
				return fmt.Errorf("api destination %q: %w", k, err)
			}
			s.regionLocked(string(region)).dests[rec.Name] = rec
			return nil
		})
		if err != nil {
			return err
		}
		return bucket(tx, bucketTags).ForEach(func(k, v []byte) error {
			var m map[string]string
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("tags %q: %w", k, err)
			}
			s.tags[string(k)] = m
			return nil
		})
	})
}
