package inventory_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
)

// fakeLambda answers every request with status and body, as a LocalStack
// without Lambda (or AWS refusing a key) would.
func fakeLambda(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// redirect sends every request to srv, whatever host the SDK resolved.
type redirect struct{ to *url.URL }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

func openEndpointProfile(t *testing.T, srv *httptest.Server, endpoint string) *backend.Session {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	to, _ := url.Parse(srv.URL)
	p := backend.Profile{Name: "elsewhere", Kind: backend.KindStatic, Region: "us-east-1", Endpoint: endpoint}
	s, err := backend.Open(context.Background(), p, backend.Env{HTTPClient: &http.Client{Transport: redirect{to}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLambdaMissingFromALocalStackIsNotServed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"404", http.StatusNotFound, `{"message":"not found"}`},
		{"501", http.StatusNotImplemented, `{"__type":"InternalFailure","message":"API for service 'lambda' not yet implemented or pro feature"}`},
		{"unrecognized client", http.StatusBadRequest, `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeLambda(t, tc.status, tc.body)
			s := openEndpointProfile(t, srv, srv.URL)
			_, err := inventory.EventSourceMappings(context.Background(), s)
			if !errors.Is(err, inventory.ErrNotServed) {
				t.Fatalf("got %v, want ErrNotServed", err)
			}
		})
	}
}

func TestABadKeyOnAWSIsACredentialsError(t *testing.T) {
	srv := fakeLambda(t, http.StatusForbidden, `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`)
	s := openEndpointProfile(t, srv, "") // AWS's own endpoints, redirected
	_, err := inventory.EventSourceMappings(context.Background(), s)
	var ce *backend.CredentialsError
	if errors.Is(err, inventory.ErrNotServed) || !errors.As(err, &ce) {
		t.Fatalf("got %v, want a credentials error", err)
	}
}
