package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxResponseRead bounds how much of an endpoint's answer is read (and
// thrown away) so that connections can be reused.
const maxResponseRead = 1 << 20

// destinationCall is everything one API destination call needs, copied
// out of the configuration so that no lock is held while calling.
type destinationCall struct {
	arn      string
	dest     apiDestinationRecord
	connArn  string
	conn     connectionRecord
	pathVals []string
	headers  map[string]string
	query    map[string]string
}

// resolveDestination copies an API destination and its connection.
func (s *Service) resolveDestination(arn string) (*destinationCall, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	region, d := s.destinationByArn(arn)
	if d == nil {
		return nil, notFound("API destination %s does not exist.", arn)
	}
	c := s.connectionByArn(region, d.ConnectionArn)
	if c == nil {
		return nil, notFound("Connection %s of API destination %s does not exist.", d.ConnectionArn, d.Name)
	}
	if c.State != connAuthorized {
		return nil, validationError("Connection %s is %s.", c.Name, c.State)
	}
	return &destinationCall{arn: arn, dest: *d, connArn: d.ConnectionArn, conn: *c}, nil
}

// InvokeAPIDestination sends body to the API destination arn as
// EventBridge would (its endpoint, method, connection's auth headers and
// rate limit), once, and returns the HTTP status. ctx carries the region.
// Pipes use it for API-destination targets. A non-2xx status is not an
// error; a network error or timeout is.
func (s *Service) InvokeAPIDestination(ctx context.Context, arn string, body []byte) (int, error) {
	call, err := s.resolveDestination(arn)
	if err != nil {
		return 0, err
	}
	if err := s.limits.wait(ctx, arn, call.dest.RateLimit); err != nil {
		return 0, err
	}
	return s.callDestination(ctx, call, body)
}

// callDestination makes one HTTP call.
func (s *Service) callDestination(ctx context.Context, call *destinationCall, body []byte) (int, error) {
	req, err := s.buildRequest(ctx, call, body)
	if err != nil {
		return 0, err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized && call.conn.AuthorizationType == authOAuth {
		// The token may have been revoked: fetch a new one next time.
		s.tokens.forget(call.connArn)
	}
	return resp.StatusCode, nil
}

func methodHasBody(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch || m == http.MethodDelete
}

func (s *Service) buildRequest(ctx context.Context, call *destinationCall, body []byte) (*http.Request, error) {
	endpoint := call.dest.InvocationEndpoint
	for _, v := range call.pathVals {
		if !strings.Contains(endpoint, "*") {
			break
		}
		endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("invocation endpoint %q: %w", endpoint, err)
	}
	auth := call.conn.Auth
	q := u.Query()
	if p := auth.InvocationHttpParameters; p != nil {
		for _, kv := range p.QueryStringParameters {
			q.Set(deref(kv.Key), deref(kv.Value))
		}
	}
	for k, v := range call.query {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	method := call.dest.HttpMethod
	var reader io.Reader
	if methodHasBody(method) {
		if p := auth.InvocationHttpParameters; p != nil && len(p.BodyParameters) > 0 {
			body = mergeBodyParams(body, p.BodyParameters)
		}
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return nil, fmt.Errorf("api destination request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Amazon/EventBridge/ApiDestinations")
	h.Set("Range", "bytes=0-1048575")
	for k, v := range call.headers {
		h.Set(k, v)
	}
	if p := auth.InvocationHttpParameters; p != nil {
		for _, kv := range p.HeaderParameters {
			h.Set(deref(kv.Key), deref(kv.Value))
		}
	}
	// The connection's authorization goes last, so that nothing overrides it.
	switch call.conn.AuthorizationType {
	case authAPIKey:
		if p := auth.ApiKeyAuthParameters; p != nil {
			h.Set(strings.TrimSpace(deref(p.ApiKeyName)), deref(p.ApiKeyValue))
		}
	case authBasic:
		if p := auth.BasicAuthParameters; p != nil {
			req.SetBasicAuth(strings.TrimSpace(deref(p.Username)), deref(p.Password))
		}
	case authOAuth:
		token, err := s.oauthToken(ctx, call)
		if err != nil {
			return nil, err
		}
		h.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// mergeBodyParams adds a connection's body parameters to a JSON object
// body; other bodies are sent as they are.
func mergeBodyParams(body []byte, params []connectionParam) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return body
	}
	for _, kv := range params {
		obj[deref(kv.Key)] = json.RawMessage(appendJSONString(nil, deref(kv.Value)))
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// oauthTokens caches client-credentials tokens by connection ARN.
type oauthTokens struct {
	mu sync.Mutex
	m  map[string]oauthToken
}

type oauthToken struct {
	value   string
	expires time.Time
}

func newOAuthTokens() *oauthTokens { return &oauthTokens{m: map[string]oauthToken{}} }

func (o *oauthTokens) get(key string, now time.Time) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.m[key]
	if !ok || !now.Before(t.expires) {
		return "", false
	}
	return t.value, true
}

func (o *oauthTokens) put(key string, t oauthToken) {
	o.mu.Lock()
	o.m[key] = t
	o.mu.Unlock()
}

func (o *oauthTokens) forget(key string) {
	o.mu.Lock()
	delete(o.m, key)
	o.mu.Unlock()
}

const (
	defaultTokenLife = time.Hour
	tokenMargin      = 10 * time.Second
	maxTokenResponse = 64 << 10
)

// oauthToken returns a token from the connection's authorization endpoint:
// the client id and secret as basic auth, the OAuth HTTP parameters as
// headers, query string and form body, and the access_token of the JSON
// answer.
func (s *Service) oauthToken(ctx context.Context, call *destinationCall) (string, error) {
	if t, ok := s.tokens.get(call.connArn, time.Now()); ok {
		return t, nil
	}
	p := call.conn.Auth.OAuthParameters
	if p == nil {
		return "", fmt.Errorf("connection %s has no OAuth parameters", call.conn.Name)
	}
	u, err := url.Parse(deref(p.AuthorizationEndpoint))
	if err != nil {
		return "", fmt.Errorf("authorization endpoint: %w", err)
	}
	q := u.Query()
	form := url.Values{}
	var headers []connectionParam
	if hp := p.OAuthHttpParameters; hp != nil {
		for _, kv := range hp.QueryStringParameters {
			q.Set(deref(kv.Key), deref(kv.Value))
		}
		for _, kv := range hp.BodyParameters {
			form.Set(deref(kv.Key), deref(kv.Value))
		}
		headers = hp.HeaderParameters
	}
	u.RawQuery = q.Encode()
	method := derefOr(p.HttpMethod, http.MethodPost)
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return "", fmt.Errorf("authorization request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	for _, kv := range headers {
		req.Header.Set(deref(kv.Key), deref(kv.Value))
	}
	if c := p.ClientParameters; c != nil {
		req.SetBasicAuth(deref(c.ClientID), deref(c.ClientSecret))
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return "", fmt.Errorf("authorization endpoint answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("authorization endpoint answered HTTP %d", resp.StatusCode)
	}
	var tok struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("authorization endpoint answered no access_token")
	}
	life := defaultTokenLife
	if tok.ExpiresIn > 0 && tok.ExpiresIn < 1e7 {
		life = time.Duration(tok.ExpiresIn * float64(time.Second))
	}
	s.tokens.put(call.connArn, oauthToken{value: tok.AccessToken, expires: time.Now().Add(life - tokenMargin)})
	return tok.AccessToken, nil
}
