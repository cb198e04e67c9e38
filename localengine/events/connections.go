package events

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// Authorization types and connection states.
const (
	authAPIKey = "API_KEY"
	authBasic  = "BASIC"
	authOAuth  = "OAUTH_CLIENT_CREDENTIALS"

	connAuthorized   = "AUTHORIZED"
	connDeauthorized = "DEAUTHORIZED"
	connDeleting     = "DELETING"

	maxAuthValue     = 512
	maxEndpoint      = 2048
	maxConnParams    = 100
	authValuePattern = `^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$`
	secretPattern    = `^[ \t]*[^\x00-\x1F\x7F]+([ \t]+[^\x00-\x1F\x7F]+)*[ \t]*$`
	headerKeyPattern = "^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$"
	httpsPattern     = `^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$`
)

var connectionStates = []string{"CREATING", "UPDATING", "DELETING", "AUTHORIZED", "DEAUTHORIZED", "AUTHORIZING", "DEAUTHORIZING", "ACTIVE", "FAILED_CONNECTIVITY"}

// validAuthValue checks AWS's patterns for header-borne values: printable,
// not blank; colons are refused where the value names a header (or goes
// before the colon of basic auth).
func validAuthValue(s string, allowColon bool) bool {
	if strings.TrimLeft(s, " \t") == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7F || c == ':' && !allowColon {
			return false
		}
	}
	return true
}

func validHeaderKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validEndpoint takes an http(s) URL with a host. AWS requires HTTPS; the
// engine also takes HTTP, since local test servers rarely have
// certificates.
func validEndpoint(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func checkAuthValue(v *validation, field string, s *string, secret bool) {
	if !v.required(field, s != nil) || !v.length(field, *s, 1, maxAuthValue) {
		return
	}
	if secret {
		v.pattern(field, "*****", validAuthValue(*s, true), secretPattern)
	} else {
		v.pattern(field, *s, validAuthValue(*s, false), authValuePattern)
	}
}

func checkConnParams(v *validation, field string, p *connectionHTTPParams) {
	if p == nil {
		return
	}
	check := func(name string, list []connectionParam, header bool) {
		f := field + "." + name
		v.count(f, len(list), 0, maxConnParams)
		for i, kv := range list {
			g := f + "." + itoa(i+1) + ".member."
			if v.required(g+"key", kv.Key != nil) && v.length(g+"key", *kv.Key, 1, maxAuthValue) && header {
				v.pattern(g+"key", *kv.Key, validHeaderKey(*kv.Key), headerKeyPattern)
			}
			if kv.Value != nil && v.length(g+"value", *kv.Value, 0, maxAuthValue) && header {
				v.pattern(g+"value", *kv.Value, validHeaderValue(*kv.Value), headerValuePattern)
			}
		}
	}
	check("headerParameters", p.HeaderParameters, true)
	check("queryStringParameters", p.QueryStringParameters, false)
	check("bodyParameters", p.BodyParameters, false)
}

// checkAuth validates AuthParameters; full means every field of the
// chosen type is required (CreateConnection, or a change of type).
func checkAuth(v *validation, authType string, a *connectionAuth, full bool) {
	const f = "authParameters."
	if a == nil {
		if full {
			v.required("authParameters", false)
		}
		return
	}
	if p := a.ApiKeyAuthParameters; p != nil && (full || p.ApiKeyName != nil) {
		checkAuthValue(v, f+"apiKeyAuthParameters.apiKeyName", p.ApiKeyName, false)
	}
	if p := a.ApiKeyAuthParameters; p != nil && (full || p.ApiKeyValue != nil) {
		checkAuthValue(v, f+"apiKeyAuthParameters.apiKeyValue", p.ApiKeyValue, true)
	}
	if p := a.BasicAuthParameters; p != nil && (full || p.Username != nil) {
		checkAuthValue(v, f+"basicAuthParameters.username", p.Username, false)
	}
	if p := a.BasicAuthParameters; p != nil && (full || p.Password != nil) {
		checkAuthValue(v, f+"basicAuthParameters.password", p.Password, true)
	}
	if p := a.OAuthParameters; p != nil {
		g := f + "oAuthParameters."
		if p.AuthorizationEndpoint != nil || full {
			if v.required(g+"authorizationEndpoint", p.AuthorizationEndpoint != nil) && v.length(g+"authorizationEndpoint", *p.AuthorizationEndpoint, 1, maxEndpoint) {
				v.pattern(g+"authorizationEndpoint", *p.AuthorizationEndpoint, validEndpoint(*p.AuthorizationEndpoint), httpsPattern)
			}
		}
		if p.HttpMethod != nil || full {
			if v.required(g+"httpMethod", p.HttpMethod != nil) {
				v.enum(g+"httpMethod", *p.HttpMethod, "GET", "POST", "PUT")
			}
		}
		if c := p.ClientParameters; c != nil {
			if full || c.ClientID != nil {
				checkAuthValue(v, g+"clientParameters.clientID", c.ClientID, false)
			}
			if full || c.ClientSecret != nil {
				checkAuthValue(v, g+"clientParameters.clientSecret", c.ClientSecret, true)
			}
		} else if full {
			v.required(g+"clientParameters", false)
		}
		checkConnParams(v, g+"oAuthHttpParameters", p.OAuthHttpParameters)
	}
	checkConnParams(v, f+"invocationHttpParameters", a.InvocationHttpParameters)
}

// authMatchesType checks that the parameters given are the chosen type's.
func authMatchesType(authType string, a *connectionAuth, full bool) error {
	if a == nil {
		return nil
	}
	has := map[string]bool{
		authAPIKey: a.ApiKeyAuthParameters != nil,
		authBasic:  a.BasicAuthParameters != nil,
		authOAuth:  a.OAuthParameters != nil,
	}
	for t, set := range has {
		if set && t != authType {
			return validationError("The AuthParameters do not match the AuthorizationType %s.", authType)
		}
	}
	if full && !has[authType] {
		names := map[string]string{authAPIKey: "ApiKeyAuthParameters", authBasic: "BasicAuthParameters", authOAuth: "OAuthParameters"}
		return validationError("%s must be specified for the AuthorizationType %s.", names[authType], authType)
	}
	return nil
}

type createConnectionInput struct {
	Name                             *string
	Description                      *string
	AuthorizationType                *string
	AuthParameters                   *connectionAuth
	InvocationConnectivityParameters json.RawMessage
	KmsKeyIdentifier                 *string
}

type connectionStateOutput struct {
	ConnectionArn      string
	ConnectionState    string
	CreationTime       *awsTime `json:",omitempty"`
	LastModifiedTime   *awsTime `json:",omitempty"`
	LastAuthorizedTime *awsTime `json:",omitempty"`
}

func stateOutput(region string, c *connectionRecord) connectionStateOutput {
	return connectionStateOutput{
		ConnectionArn: connectionArn(region, c.Name, c.ID), ConnectionState: c.State,
		CreationTime: timeOrNil(c.Created), LastModifiedTime: timeOrNil(c.Modified), LastAuthorizedTime: timeOrNil(c.Authorized),
	}
}

func checkConnectionName(v *validation, name *string) {
	if v.required("name", name != nil) && v.length("name", *name, 1, maxRuleName) {
		v.pattern("name", *name, validName(*name), namePattern)
	}
}

func (s *Service) createConnection(ctx context.Context, body []byte) (any, error) {
	var in createConnectionInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkConnectionName(&v, in.Name)
	v.optLength("description", in.Description, 0, maxDescription)
	v.optLength("kmsKeyIdentifier", in.KmsKeyIdentifier, 0, maxKmsKey)
	if v.required("authorizationType", in.AuthorizationType != nil) {
		v.enum("authorizationType", *in.AuthorizationType, authAPIKey, authBasic, authOAuth)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	checkAuth(&v, *in.AuthorizationType, in.AuthParameters, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := authMatchesType(*in.AuthorizationType, in.AuthParameters, true); err != nil {
		return nil, err
	}
	if len(in.InvocationConnectivityParameters) > 0 && string(in.InvocationConnectivityParameters) != "null" {
		return nil, validationError("InvocationConnectivityParameters (private APIs) are not supported by the sluice local engine.")
	}
	region := wire.Region(ctx)
	now := s.now().UnixMilli()
	rec := &connectionRecord{
		Name: *in.Name, ID: wire.NewRequestID(), Description: deref(in.Description),
		AuthorizationType: *in.AuthorizationType, Auth: *in.AuthParameters,
		State: connAuthorized, Created: now, Modified: now, Authorized: now,
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketConns)
		key := regionKey(region, rec.Name)
		if b.Get(key) != nil {
			return alreadyExists("Connection '%s' already exists.", rec.Name)
		}
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.regionLocked(region).conns[rec.Name] = rec
	s.mu.Unlock()
	return stateOutput(region, rec), nil
}

type describeConnectionOutput struct {
	Name              string
	ConnectionArn     string
	Description       string `json:",omitempty"`
	AuthorizationType string
	AuthParameters    *connectionAuth `json:",omitempty"`
	ConnectionState   string
	SecretArn         string
	CreationTime      *awsTime `json:",omitempty"`
	LastModifiedTime  *awsTime `json:",omitempty"`
	LastAuthorized    *awsTime `json:"LastAuthorizedTime,omitempty"`
}

// redacted copies auth parameters without their secrets, as Describe
// answers them.
func redacted(a connectionAuth) *connectionAuth {
	out := connectionAuth{}
	if p := a.ApiKeyAuthParameters; p != nil {
		out.ApiKeyAuthParameters = &apiKeyAuth{ApiKeyName: p.ApiKeyName}
	}
	if p := a.BasicAuthParameters; p != nil {
		out.BasicAuthParameters = &basicAuth{Username: p.Username}
	}
	if p := a.OAuthParameters; p != nil {
		o := &oauthParameters{AuthorizationEndpoint: p.AuthorizationEndpoint, HttpMethod: p.HttpMethod,
			OAuthHttpParameters: redactedParams(p.OAuthHttpParameters)}
		if p.ClientParameters != nil {
			o.ClientParameters = &oauthClient{ClientID: p.ClientParameters.ClientID}
		}
		out.OAuthParameters = o
	}
	out.InvocationHttpParameters = redactedParams(a.InvocationHttpParameters)
	return &out
}

func redactedParams(p *connectionHTTPParams) *connectionHTTPParams {
	if p == nil {
		return nil
	}
	strip := func(list []connectionParam) []connectionParam {
		out := make([]connectionParam, 0, len(list))
		for _, kv := range list {
			if kv.IsValueSecret {
				kv.Value = nil
			}
			out = append(out, kv)
		}
		return out
	}
	return &connectionHTTPParams{
		HeaderParameters: strip(p.HeaderParameters), QueryStringParameters: strip(p.QueryStringParameters),
		BodyParameters: strip(p.BodyParameters),
	}
}

func (s *Service) describeConnection(ctx context.Context, body []byte) (any, error) {
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
	c := s.region(region).conns[*in.Name]
	if c == nil {
		return nil, connectionNotFound(*in.Name)
	}
	return describeConnectionOutput{
		Name: c.Name, ConnectionArn: connectionArn(region, c.Name, c.ID), Description: c.Description,
		AuthorizationType: c.AuthorizationType, AuthParameters: redacted(c.Auth), ConnectionState: c.State,
		SecretArn:    connectionSecretArn(region, c.Name, c.ID),
		CreationTime: timeOrNil(c.Created), LastModifiedTime: timeOrNil(c.Modified), LastAuthorized: timeOrNil(c.Authorized),
	}, nil
}

type listConnectionsInput struct {
	NamePrefix      *string
	ConnectionState *string
	Limit           *int64
	NextToken       *string
}

type connectionEntry struct {
	Name               string
	ConnectionArn      string
	AuthorizationType  string
	ConnectionState    string
	CreationTime       *awsTime `json:",omitempty"`
	LastModifiedTime   *awsTime `json:",omitempty"`
	LastAuthorizedTime *awsTime `json:",omitempty"`
}

type listConnectionsOutput struct {
	Connections []connectionEntry
	NextToken   *string `json:",omitempty"`
}

func (s *Service) listConnections(ctx context.Context, body []byte) (any, error) {
	var in listConnectionsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if in.NamePrefix != nil && v.length("namePrefix", *in.NamePrefix, 1, maxRuleName) {
		v.pattern("namePrefix", *in.NamePrefix, validName(*in.NamePrefix), namePattern)
	}
	if in.ConnectionState != nil {
		v.enum("connectionState", *in.ConnectionState, connectionStates...)
	}
	checkPaging(&v, in.Limit, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	s.mu.RLock()
	var all []connectionEntry
	for _, c := range s.region(region).conns {
		if !strings.HasPrefix(c.Name, deref(in.NamePrefix)) || in.ConnectionState != nil && c.State != *in.ConnectionState {
			continue
		}
		all = append(all, connectionEntry{
			Name: c.Name, ConnectionArn: connectionArn(region, c.Name, c.ID), AuthorizationType: c.AuthorizationType,
			ConnectionState: c.State, CreationTime: timeOrNil(c.Created), LastModifiedTime: timeOrNil(c.Modified),
			LastAuthorizedTime: timeOrNil(c.Authorized),
		})
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b connectionEntry) int { return compareStrings(a.Name, b.Name) })
	page, next, err := paginate(all, func(e connectionEntry) string { return e.Name }, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return listConnectionsOutput{Connections: nonNil(page), NextToken: next}, nil
}

type updateConnectionInput struct {
	Name                             *string
	Description                      *string
	AuthorizationType                *string
	AuthParameters                   *connectionAuth
	InvocationConnectivityParameters json.RawMessage
	KmsKeyIdentifier                 *string
}

func (s *Service) updateConnection(ctx context.Context, body []byte) (any, error) {
	var in updateConnectionInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkConnectionName(&v, in.Name)
	v.optLength("description", in.Description, 0, maxDescription)
	v.optLength("kmsKeyIdentifier", in.KmsKeyIdentifier, 0, maxKmsKey)
	if in.AuthorizationType != nil {
		v.enum("authorizationType", *in.AuthorizationType, authAPIKey, authBasic, authOAuth)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(in.InvocationConnectivityParameters) > 0 && string(in.InvocationConnectivityParameters) != "null" {
		return nil, validationError("InvocationConnectivityParameters (private APIs) are not supported by the sluice local engine.")
	}
	region := wire.Region(ctx)
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec connectionRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketConns)
		key := regionKey(region, *in.Name)
		rec = connectionRecord{}
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			return connectionNotFound(*in.Name)
		}
		typeChanged := in.AuthorizationType != nil && *in.AuthorizationType != rec.AuthorizationType
		authType := derefOr(in.AuthorizationType, rec.AuthorizationType)
		var v validation
		checkAuth(&v, authType, in.AuthParameters, typeChanged)
		if err := v.err(); err != nil {
			return err
		}
		if err := authMatchesType(authType, in.AuthParameters, typeChanged); err != nil {
			return err
		}
		if in.Description != nil {
			rec.Description = *in.Description
		}
		if typeChanged {
			rec.AuthorizationType, rec.Auth = authType, connectionAuth{InvocationHttpParameters: rec.Auth.InvocationHttpParameters}
		}
		if in.AuthParameters != nil {
			mergeAuth(&rec.Auth, in.AuthParameters)
		}
		rec.State, rec.Modified, rec.Authorized = connAuthorized, now, now
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.regionLocked(region).conns[rec.Name] = &rec
	s.mu.Unlock()
	s.tokens.forget(connectionArn(region, rec.Name, rec.ID))
	return stateOutput(region, &rec), nil
}

// mergeAuth applies the fields UpdateConnection gives.
func mergeAuth(dst *connectionAuth, src *connectionAuth) {
	if p := src.ApiKeyAuthParameters; p != nil {
		if dst.ApiKeyAuthParameters == nil {
			dst.ApiKeyAuthParameters = &apiKeyAuth{}
		}
		setIf(&dst.ApiKeyAuthParameters.ApiKeyName, p.ApiKeyName)
		setIf(&dst.ApiKeyAuthParameters.ApiKeyValue, p.ApiKeyValue)
	}
	if p := src.BasicAuthParameters; p != nil {
		if dst.BasicAuthParameters == nil {
			dst.BasicAuthParameters = &basicAuth{}
		}
		setIf(&dst.BasicAuthParameters.Username, p.Username)
		setIf(&dst.BasicAuthParameters.Password, p.Password)
	}
	if p := src.OAuthParameters; p != nil {
		if dst.OAuthParameters == nil {
			dst.OAuthParameters = &oauthParameters{}
		}
		o := dst.OAuthParameters
		setIf(&o.AuthorizationEndpoint, p.AuthorizationEndpoint)
		setIf(&o.HttpMethod, p.HttpMethod)
		if c := p.ClientParameters; c != nil {
			if o.ClientParameters == nil {
				o.ClientParameters = &oauthClient{}
			}
			setIf(&o.ClientParameters.ClientID, c.ClientID)
			setIf(&o.ClientParameters.ClientSecret, c.ClientSecret)
		}
		if p.OAuthHttpParameters != nil {
			o.OAuthHttpParameters = p.OAuthHttpParameters
		}
	}
	if src.InvocationHttpParameters != nil {
		dst.InvocationHttpParameters = src.InvocationHttpParameters
	}
}

func setIf(dst **string, v *string) {
	if v != nil {
		*dst = v
	}
}

func (s *Service) deleteConnection(ctx context.Context, body []byte) (any, error) {
	return s.endConnection(ctx, body, true)
}

func (s *Service) deauthorizeConnection(ctx context.Context, body []byte) (any, error) {
	return s.endConnection(ctx, body, false)
}

// endConnection deletes or deauthorizes a connection.
func (s *Service) endConnection(ctx context.Context, body []byte, del bool) (any, error) {
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
	now := s.now().UnixMilli()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rec connectionRecord
	err := s.store.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, bucketConns)
		key := regionKey(region, *in.Name)
		rec = connectionRecord{}
		found, err := getJSON(b, key, &rec)
		if err != nil {
			return err
		}
		if !found {
			return connectionNotFound(*in.Name)
		}
		if del {
			rec.State = connDeleting
			return b.Delete(key)
		}
		rec.State, rec.Modified = connDeauthorized, now
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if del {
		delete(s.regionLocked(region).conns, rec.Name)
	} else {
		s.regionLocked(region).conns[rec.Name] = &rec
	}
	s.mu.Unlock()
	s.tokens.forget(connectionArn(region, rec.Name, rec.ID))
	return stateOutput(region, &rec), nil
}

// connectionByArn finds a connection of region by its ARN under s.mu.
func (s *Service) connectionByArn(region, arn string) *connectionRecord {
	a, ok := parseArn(arn)
	rest, isConn := strings.CutPrefix(a.resource, "connection/")
	if !ok || !isConn || a.service != "events" || a.account != wire.Account {
		return nil
	}
	name, id, _ := strings.Cut(rest, "/")
	c := s.region(a.region).conns[name]
	if c == nil || c.ID != id || a.region != region {
		return nil
	}
	return c
}
