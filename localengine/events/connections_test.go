package events_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestConnections(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)

	cr, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("keyed"), Description: aws.String("d"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &types.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-key"), ApiKeyValue: aws.String("s3cret")},
			InvocationHttpParameters: &types.ConnectionHttpParameters{HeaderParameters: []types.ConnectionHeaderParameter{
				{Key: aws.String("x-open"), Value: aws.String("visible")},
				{Key: aws.String("x-hidden"), Value: aws.String("hidden-value"), IsValueSecret: true},
			}},
		},
	})
	must(t, err)
	if !strings.HasPrefix(*cr.ConnectionArn, "arn:aws:events:us-east-1:000000000000:connection/keyed/") || cr.ConnectionState != types.ConnectionStateAuthorized || cr.CreationTime == nil {
		t.Fatalf("create: %+v", cr)
	}
	_, err = c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("keyed"), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{BasicAuthParameters: &types.CreateConnectionBasicAuthRequestParameters{
			Username: aws.String("u"), Password: aws.String("p")}},
	})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate: %v", err)
	}
	// The parameters must be the authorization type's.
	_, err = c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("mismatch"), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("k"), ApiKeyValue: aws.String("v")}},
	})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("bad-key"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("a:b"), ApiKeyValue: aws.String("v")}},
	})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("oauth"), AuthorizationType: types.ConnectionAuthorizationTypeOauthClientCredentials,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{OAuthParameters: &types.CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: aws.String("https://auth.example.com/token"), HttpMethod: types.ConnectionOAuthHttpMethodPost,
			ClientParameters: &types.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("id"), ClientSecret: aws.String("oauth-secret")},
		}},
	})
	must(t, err)

	d, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("keyed")})
	must(t, err)
	if *d.ConnectionArn != *cr.ConnectionArn || d.AuthorizationType != types.ConnectionAuthorizationTypeApiKey ||
		*d.AuthParameters.ApiKeyAuthParameters.ApiKeyName != "x-key" || aws.ToString(d.Description) != "d" || aws.ToString(d.SecretArn) == "" {
		t.Fatalf("describe: %+v", d)
	}
	hp := d.AuthParameters.InvocationHttpParameters.HeaderParameters
	if len(hp) != 2 || aws.ToString(hp[0].Value) != "visible" || hp[1].Value != nil || !hp[1].IsValueSecret {
		t.Fatalf("header parameters: %+v", hp)
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), "hidden-value") {
		t.Fatalf("describe leaks a secret: %s", raw)
	}
	od, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("oauth")})
	must(t, err)
	if *od.AuthParameters.OAuthParameters.ClientParameters.ClientID != "id" {
		t.Fatalf("oauth describe: %+v", od.AuthParameters.OAuthParameters)
	}
	_, err = c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("describe missing: %v", err)
	}

	u, err := c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("keyed"),
		AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.UpdateConnectionAuthRequestParameters{BasicAuthParameters: &types.UpdateConnectionBasicAuthRequestParameters{
			Username: aws.String("u"), Password: aws.String("p")}}})
	must(t, err)
	if *u.ConnectionArn != *cr.ConnectionArn || u.ConnectionState != types.ConnectionStateAuthorized {
		t.Fatalf("update: %+v", u)
	}
	d, _ = c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("keyed")})
	if d.AuthorizationType != types.ConnectionAuthorizationTypeBasic || *d.AuthParameters.BasicAuthParameters.Username != "u" || d.AuthParameters.ApiKeyAuthParameters != nil {
		t.Fatalf("after update: %+v", d.AuthParameters)
	}
	// Changing the type needs the new type's parameters.
	_, err = c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("keyed"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey})
	wantCode(t, err, "ValidationException")
	_, err = c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("nope"), Description: aws.String("x")})
	wantCode(t, err, "ResourceNotFoundException")

	l, err := c.ListConnections(ctx, &eventbridge.ListConnectionsInput{})
	must(t, err)
	if len(l.Connections) != 2 || *l.Connections[0].Name != "keyed" || *l.Connections[1].Name != "oauth" {
		t.Fatalf("list: %+v", l.Connections)
	}
	l, _ = c.ListConnections(ctx, &eventbridge.ListConnectionsInput{NamePrefix: aws.String("oa"), Limit: aws.Int32(1)})
	if len(l.Connections) != 1 || *l.Connections[0].Name != "oauth" {
		t.Fatalf("list by prefix: %+v", l.Connections)
	}

	da, err := c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("oauth")})
	must(t, err)
	if da.ConnectionState != types.ConnectionStateDeauthorized {
		t.Fatalf("deauthorize: %+v", da)
	}
	l, _ = c.ListConnections(ctx, &eventbridge.ListConnectionsInput{ConnectionState: types.ConnectionStateDeauthorized})
	if len(l.Connections) != 1 {
		t.Fatalf("list deauthorized: %+v", l.Connections)
	}
	del, err := c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("oauth")})
	must(t, err)
	if del.ConnectionState != types.ConnectionStateDeleting {
		t.Fatalf("delete: %+v", del)
	}
	_, err = c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("oauth")})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestAPIDestinations(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	conn, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("conn"), AuthorizationType: types.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &types.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("k"), ApiKeyValue: aws.String("v")}},
	})
	must(t, err)

	cr, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("dest"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://api.example.com/hook"),
		HttpMethod: types.ApiDestinationHttpMethodPost, Description: aws.String("d"),
	})
	must(t, err)
	if !strings.HasPrefix(*cr.ApiDestinationArn, "arn:aws:events:us-east-1:000000000000:api-destination/dest/") || cr.ApiDestinationState != types.ApiDestinationStateActive {
		t.Fatalf("create: %+v", cr)
	}
	d, err := c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("dest")})
	must(t, err)
	if *d.ConnectionArn != *conn.ConnectionArn || *d.InvocationEndpoint != "https://api.example.com/hook" || d.HttpMethod != types.ApiDestinationHttpMethodPost ||
		*d.InvocationRateLimitPerSecond != 300 || aws.ToString(d.Description) != "d" || *d.ApiDestinationArn != *cr.ApiDestinationArn {
		t.Fatalf("describe: %+v", d)
	}

	bad := []*eventbridge.CreateApiDestinationInput{
		{Name: aws.String("x"), ConnectionArn: aws.String(*conn.ConnectionArn + "0"), InvocationEndpoint: aws.String("https://a"), HttpMethod: "POST"},
		{Name: aws.String("x"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("ftp://a"), HttpMethod: "POST"},
		{Name: aws.String("x"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://a"), HttpMethod: "TRACE"},
		{Name: aws.String("x"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://a"), HttpMethod: "POST", InvocationRateLimitPerSecond: aws.Int32(0)},
		{Name: aws.String("x"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://a"), HttpMethod: "POST", InvocationRateLimitPerSecond: aws.Int32(301)},
		{Name: aws.String("x"), ConnectionArn: aws.String("arn:aws:events:us-east-1:000000000000:rule/x"), InvocationEndpoint: aws.String("https://a"), HttpMethod: "POST"},
	}
	want := []string{"ResourceNotFoundException", "ValidationException", "ValidationException", "ValidationException", "ValidationException", "ValidationException"}
	for i, in := range bad {
		_, err := c.CreateApiDestination(ctx, in)
		if errCode(err) != want[i] {
			t.Errorf("bad destination %d: %v, want %s", i, err, want[i])
		}
	}
	_, err = c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("dest"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://a"), HttpMethod: "GET"})
	wantCode(t, err, "ResourceAlreadyExistsException")

	u, err := c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String("dest"),
		InvocationRateLimitPerSecond: aws.Int32(10), HttpMethod: types.ApiDestinationHttpMethodPut})
	must(t, err)
	if *u.ApiDestinationArn != *cr.ApiDestinationArn {
		t.Fatalf("update: %+v", u)
	}
	d, _ = c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("dest")})
	if *d.InvocationRateLimitPerSecond != 10 || d.HttpMethod != types.ApiDestinationHttpMethodPut || *d.InvocationEndpoint != "https://api.example.com/hook" {
		t.Fatalf("after update: %+v", d)
	}
	_, err = c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String("nope"), HttpMethod: "GET"})
	wantCode(t, err, "ResourceNotFoundException")

	_, err = c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("other"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String("https://b"), HttpMethod: "GET"})
	must(t, err)
	l, err := c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{Limit: aws.Int32(1)})
	must(t, err)
	if len(l.ApiDestinations) != 1 || *l.ApiDestinations[0].Name != "dest" || l.NextToken == nil {
		t.Fatalf("list page 1: %+v", l)
	}
	l, err = c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{Limit: aws.Int32(1), NextToken: l.NextToken})
	must(t, err)
	if len(l.ApiDestinations) != 1 || *l.ApiDestinations[0].Name != "other" || l.NextToken != nil {
		t.Fatalf("list page 2: %+v", l)
	}
	l, _ = c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{ConnectionArn: conn.ConnectionArn, NamePrefix: aws.String("o")})
	if len(l.ApiDestinations) != 1 {
		t.Fatalf("list filtered: %+v", l)
	}

	_, err = c.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("dest")})
	must(t, err)
	_, err = c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("dest")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("dest")})
	wantCode(t, err, "ResourceNotFoundException")
}

// TestEventPatternTable runs every case of testdata/patterns.json through
// TestEventPattern.
func TestEventPatternTable(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	raw, err := os.ReadFile("testdata/patterns.json")
	must(t, err)
	var tab struct {
		Event json.RawMessage `json:"event"`
		Cases []struct {
			Name    string          `json:"name"`
			Pattern json.RawMessage `json:"pattern"`
			Match   bool            `json:"match"`
		} `json:"cases"`
		Invalid []struct {
			Pattern string `json:"pattern"`
			Error   string `json:"error"`
		} `json:"invalid"`
	}
	must(t, json.Unmarshal(raw, &tab))
	event := string(tab.Event)
	for _, tc := range tab.Cases {
		out, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(string(tc.Pattern)), Event: aws.String(event)})
		if err != nil {
			t.Errorf("%s: %v", tc.Name, err)
			continue
		}
		if out.Result != tc.Match {
			t.Errorf("%s: result %v, want %v", tc.Name, out.Result, tc.Match)
		}
	}
	for _, tc := range tab.Invalid {
		_, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(tc.Pattern), Event: aws.String(event)})
		var ip *types.InvalidEventPatternException
		if !errors.As(err, &ip) || !strings.Contains(ip.ErrorMessage(), tc.Error) {
			t.Errorf("pattern %s: %v, want InvalidEventPatternException with %q", tc.Pattern, err, tc.Error)
		}
	}
	// The event must be an event.
	_, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(ordersPattern), Event: aws.String(`{"source":"x"}`)})
	wantCode(t, err, "ValidationException")
	_, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(ordersPattern), Event: aws.String(`[]`)})
	wantCode(t, err, "ValidationException")
}
