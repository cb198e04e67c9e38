package events

import (
	"context"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	destActive        = "ACTIVE"
	defaultRateLimit  = 300
	maxRateLimit      = 300
	connectionArnPatt = `^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$`
)

var httpMethods = []string{"POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}

func validConnectionArn(s string) bool {
	a, ok := parseArn(s)
	if !ok || a.service != "events" {
		return false
	}
	rest, ok := strings.CutPrefix(a.resource, "connection/")
	if !ok {
		return false
	}
	name, id, ok := strings.Cut(rest, "/")
	return ok && validName(name) && id != "" && !strings.ContainsAny(id, "/:")
}

type apiDestinationInput struct {
	Name                         *string
	Description                  *string
	ConnectionArn                *string
	InvocationEndpoint           *string
	HttpMethod                   *string
	InvocationRateLimitPerSecond *int64
}

// check validates the fields; create requires the mandatory ones.
func (in *apiDestinationInput) check(create bool) error {
	var v validation
	checkConnectionName(&v, in.Name)
	v.optLength("description", in.Description, 0, maxDescription)
	if in.ConnectionArn != nil || create {
		if v.required("connectionArn", in.ConnectionArn != nil) && v.length("connectionArn", *in.ConnectionArn, 1, maxArn) {
			v.pattern("connectionArn", *in.ConnectionArn, validConnectionArn(*in.ConnectionArn), connectionArnPatt)
		}
	}
	if in.InvocationEndpoint != nil || create {
		if v.required("invocationEndpoint", in.InvocationEndpoint != nil) && v.length("invocationEndpoint", *in.InvocationEndpoint, 1, maxEndpoint) {
			v.pattern("invocationEndpoint", *in.InvocationEndpoint, validEndpoint(*in.InvocationEndpoint), httpsPattern)
		}
	}
	if in.HttpMethod != nil || create {
		if v.required("httpMethod", in.HttpMethod != nil) {
			v.enum("httpMethod", *in.HttpMethod, httpMethods...)
		}
	}
	v.intRange("invocationRateLimitPerSecond", in.InvocationRateLimitPerSecond, 1, maxRateLimit)
	return v.err()
}

type apiDestinationStateOutput struct {
	ApiDestinationArn   string
	ApiDestinationState string
	CreationTime        *awsTime `json:",omitempty"`
	LastModifiedTime    *awsTime `json:",omitempty"`
}

func destStateOutput(region string, d *apiDestinationRecord) apiDestinationStateOutput {
	return apiDestinationStateOutput{
		ApiDestinationArn: apiDestinationArn(region, d.Name, d.ID), ApiDestinationState: d.State,
		CreationTime: timeOrNil(d.Created), LastModifiedTime: timeOrNil(d.Modified),
	}
}

// connectionExistsTx checks a connection ARN against the store.
func connectionExistsTx(tx *bolt.Tx, region, arn string) error {
	a, _ := parseArn(arn)
	rest, _ := strings.CutPrefix(a.resource, "connection/")
	name, id, _ := strings.Cut(rest, "/")
	var c connectionRecord
	found, err := getJSON(bucket(tx, bucketConns), regionKey(region, name), &c)
	if err != nil {
		return err
	}
	if !found || c.ID != id || a.region != region || a.account != wire.Account {
		return notFound("Connection '%s' does not exist.", name)
	}
	return nil
}

func (s *Service) createAPIDestination(ctx context.Context, body []byte) (any, error) {
	var in apiDestinationInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(true); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	now := s.now().UnixMilli()
	rec := &apiDestinationRecord{
		Name: *in.Name, ID: wire.NewRequestID(), Description: deref(in.Description), ConnectionArn: *in.ConnectionArn,
		InvocationEndpoint: *in.InvocationEndpoint, HttpMethod: *in.HttpMethod, RateLimit: defaultRateLimit,
		State: destActive, Created: now, Modified: now,
	}
	if in.InvocationRateLimitPerSecond != nil {
		rec.RateLimit = *in.InvocationRateLimitPerSecond
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.store.Update(func(tx *bolt.Tx) error {
		if err := connectionExistsTx(tx, region, rec.ConnectionArn); err != nil {
			return err
		}
		b := bucket(tx, bucketDests)
		key := regionKey(region, rec.Name)
		if b.Get(key) != nil {
			return alreadyExists("An api-destination '%s' already exists.", rec.Name)
		}
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.regionLocked(region).dests[rec.Name] = rec
	s.mu.Unlock()
	return destStateOutput(region, rec), nil
}

type describeAPIDestinationOutput struct {
	Name                         string
	ApiDestinationArn            string
	Description                  string `json:",omitempty"`
	ConnectionArn                string
	InvocationEndpoint           string
	HttpMethod                   string
	InvocationRateLimitPerSecond int64
	ApiDestinationState          string
	CreationTime                 *awsTime `json:",omitempty"`
	LastModifiedTime             *awsTime `json:",omitempty"`
}

func describeDest(region string, d *apiDestinationRecord) describeAPIDestinationOutput {
	return describeAPIDestinationOutput{
		Name: d.Name, ApiDestinationArn: apiDestinationArn(region, d.Name, d.ID), Description: d.Description,
		ConnectionArn: d.ConnectionArn, InvocationEndpoint: d.InvocationEndpoint, HttpMethod: d.HttpMethod,
		InvocationRateLimitPerSecond: d.RateLimit, ApiDestinationState: d.State,
		CreationTime: timeOrNil(d.Created), LastModifiedTime: timeOrNil(d.Modified),
	}
}

func (s *Service) describeAPIDestination(ctx context.Context, body []byte) (any, error) {
	var in busNameInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkConnectionName(&v, in.Name)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.region(region).dests[*in.Name]
	if d == nil {
		return nil, apiDestinationNotFound(*in.Name)
	}
	return describeDest(region, d), nil
}

type listAPIDestinationsInput struct {
	NamePrefix    *string
	ConnectionArn *string
	Limit         *int64
	NextToken     *string
}

type apiDestinationEntry struct {
	Name                         string
	ApiDestinationArn            string
	ConnectionArn                string
	InvocationEndpoint           string
	HttpMethod                   string
	InvocationRateLimitPerSecond int64
	ApiDestinationState          string
	CreationTime                 *awsTime `json:",omitempty"`
	LastModifiedTime             *awsTime `json:",omitempty"`
}

type listAPIDestinationsOutput struct {
	ApiDestinations []apiDestinationEntry
	NextToken       *string `json:",omitempty"`
}

func (s *Service) listAPIDestinations(ctx context.Context, body []byte) (any, error) {
	var in listAPIDestinationsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if in.NamePrefix != nil && v.length("namePrefix", *in.NamePrefix, 1, maxRuleName) {
		v.pattern("namePrefix", *in.NamePrefix, validName(*in.NamePrefix), namePattern)
	}
	if in.ConnectionArn != nil && v.length("connectionArn", *in.ConnectionArn, 1, maxArn) {
		v.pattern("connectionArn", *in.ConnectionArn, validConnectionArn(*in.ConnectionArn), connectionArnPatt)
	}
	checkPaging(&v, in.Limit, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	s.mu.RLock()
	var all []apiDestinationEntry
	for _, d := range s.region(region).dests {
		if !strings.HasPrefix(d.Name, deref(in.NamePrefix)) || in.ConnectionArn != nil && d.ConnectionArn != *in.ConnectionArn {
			continue
		}
		all = append(all, apiDestinationEntry{
			Name: d.Name, ApiDestinationArn: apiDestinationArn(region, d.Name, d.ID), ConnectionArn: d.ConnectionArn,
			InvocationEndpoint: d.InvocationEndpoint, HttpMethod: d.HttpMethod, InvocationRateLimitPerSecond: d.RateLimit,
			ApiDestinationState: d.State, CreationTime: timeOrNil(d.Created), LastModifiedTime: timeOrNil(d.Modified),
		})
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b apiDestinationEntry) int { return compareStrings(a.Name, b.Name) })
	page, next, err := paginate(all, func(e apiDestinationEntry) string { return e.Name }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listAPIDestinationsOutput{ApiDestinations: nonNil(page), NextToken: next}, nil
}

func (s *Service) updateAPIDestination(ctx context.Context, body []byte) (any, error) {
	var in apiDestinationInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(false); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec apiDestinationRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketDests)
		key := regionKey(region, *in.Name)
		rec = apiDestinationRecord{}
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			return apiDestinationNotFound(*in.Name)
		}
		if in.ConnectionArn != nil {
			if err := connectionExistsTx(tx, region, *in.ConnectionArn); err != nil {
				return err
			}
			rec.ConnectionArn = *in.ConnectionArn
		}
		if in.Description != nil {
			rec.Description = *in.Description
		}
		if in.InvocationEndpoint != nil {
			rec.InvocationEndpoint = *in.InvocationEndpoint
		}
		if in.HttpMethod != nil {
			rec.HttpMethod = *in.HttpMethod
		}
		if in.InvocationRateLimitPerSecond != nil {
			rec.RateLimit = *in.InvocationRateLimitPerSecond
		}
		rec.Modified = now
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.regionLocked(region).dests[rec.Name] = &rec
	s.mu.Unlock()
	s.limits.forget(apiDestinationArn(region, rec.Name, rec.ID))
	return destStateOutput(region, &rec), nil
}

func (s *Service) deleteAPIDestination(ctx context.Context, body []byte) (any, error) {
	var in busNameInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkConnectionName(&v, in.Name)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec apiDestinationRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketDests)
		key := regionKey(region, *in.Name)
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			return apiDestinationNotFound(*in.Name)
		}
		return b.Delete(key)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.regionLocked(region).dests, rec.Name)
	s.mu.Unlock()
	s.limits.forget(apiDestinationArn(region, rec.Name, rec.ID))
	return struct{}{}, nil
}

// destinationByArn finds an API destination by its ARN under s.mu.
func (s *Service) destinationByArn(arn string) (string, *apiDestinationRecord) {
	kind, a, name := classifyTarget(arn)
	if kind != kindAPIDestination || a.account != wire.Account {
		return "", nil
	}
	d := s.region(a.region).dests[name]
	if d == nil || apiDestinationArn(a.region, d.Name, d.ID) != arn {
		return "", nil
	}
	return a.region, d
}
