package backend_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

func TestLocalSessionKnowsWhoItIsAndLogsCalls(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := t.Context()
	id, err := s.Identity(ctx)
	if err != nil || id.Account != "000000000000" {
		t.Fatalf("identity %+v %v", id, err)
	}
	if s.Endpoint != e.URL || s.Region != "us-east-1" {
		t.Errorf("endpoint %q region %q", s.Endpoint, s.Region)
	}
	if _, err := s.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("nope")})
	if err == nil {
		t.Fatal("describe of a missing stream succeeded")
	}
	calls := s.Calls.Calls()
	if len(calls) != 3 {
		t.Fatalf("calls %+v", calls)
	}
	if c := calls[1]; c.Service != "Kinesis" || c.Operation != "CreateStream" || c.Resource != "orders" || c.Result != "ok" || c.Profile != "local" {
		t.Errorf("create call %+v", c)
	}
	if c := calls[2]; c.Result != "ResourceNotFoundException" || c.Resource != "nope" || c.Error == "" {
		t.Errorf("failed call %+v", c)
	}
}

func TestReadOnlyGuardRefusesWrites(t *testing.T) {
	_, e := backendtest.Open(t)
	s := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	err := s.Guard("purge orders-dlq")
	if !errors.Is(err, backend.ErrReadOnly) || !strings.Contains(err.Error(), "purge orders-dlq") {
		t.Fatalf("guard: %v", err)
	}
	if !strings.Contains(err.Error(), "drop --readonly") || s.ReadOnlyReason() == "" {
		t.Fatalf("the way out of --readonly is not said: %v", err)
	}
	rw := backendtest.OpenOn(t, e, backend.Env{})
	if err := rw.Guard("purge orders-dlq"); err != nil || rw.ReadOnlyReason() != "" {
		t.Fatalf("read-write guard: %v %q", err, rw.ReadOnlyReason())
	}
	// A profile the config makes read-only says so, not "drop --readonly".
	p := backend.Profile{Name: "prod", Kind: backend.KindLocal, Region: e.Region, ReadOnly: true}
	ro, err := backend.Open(t.Context(), p, backend.Env{Local: func(context.Context) (string, error) { return e.URL, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Guard("purge orders-dlq"); !errors.Is(err, backend.ErrReadOnly) || !strings.Contains(err.Error(), "profile prod is read-only in the sluice config") || strings.Contains(err.Error(), "--readonly") {
		t.Fatalf("config read-only: %v", err)
	}
}

func TestLocalProfileNeedsAnEngine(t *testing.T) {
	_, err := backend.Open(t.Context(), backend.Profile{Name: "local", Kind: backend.KindLocal}, backend.Env{})
	if err == nil {
		t.Fatal("opened local with no engine")
	}
	failing := func(context.Context) (string, error) { return "", errors.New("data directory locked") }
	_, err = backend.Open(t.Context(), backend.Profile{Name: "local", Kind: backend.KindLocal}, backend.Env{Local: failing})
	if err == nil || !strings.Contains(err.Error(), "data directory locked") {
		t.Fatalf("err = %v", err)
	}
}

// awsHome points the SDK's shared files at a temporary home.
func awsHome(t *testing.T, config string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

func profileNamed(t *testing.T, name string) backend.Profile {
	t.Helper()
	ps, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
	if err != nil {
		t.Fatal(err)
	}
	p, err := backend.FindProfile(ps, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRenewedCredentialsArePickedUpWithoutARestart runs a profile whose
// credentials come from a process, against an engine that checks
// signatures: the wrong key reads as one sentence with the fix, and once
// the process hands out the right key the same session works.
func TestRenewedCredentialsArePickedUpWithoutARestart(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDGOOD", Secret: "good-secret"}
	}))
	home := awsHome(t, "")
	creds := filepath.Join(home, "creds.json")
	write := func(key, secret string) {
		if err := os.WriteFile(creds, []byte(`{"Version":1,"AccessKeyId":"`+key+`","SecretAccessKey":"`+secret+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("AKIDOLD", "old-secret")
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[profile vault]\nregion = eu-west-1\ncredential_process = cat "+creds+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := backend.Open(t.Context(), profileNamed(t, "vault"), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Identity(t.Context())
	var ce *backend.CredentialsError
	// The key the process handed out is refused: said so, with AWS's
	// words, and no command to run (sluice cannot know what renews it).
	if !errors.As(err, &ce) || ce.Profile != "vault" || ce.Reason != backend.CredsInvalid ||
		!strings.Contains(err.Error(), "credential_process") || !strings.Contains(err.Error(), "InvalidClientTokenId") || strings.Contains(err.Error(), "aws configure") {
		t.Fatalf("err = %v, want a CredentialsError saying the process's key is refused", err)
	}
	write("AKIDGOOD", "good-secret")
	id, err := s.Identity(t.Context())
	if err != nil || id.Account != "000000000000" {
		t.Fatalf("after renewal: %+v %v", id, err)
	}
	if s.Region != "eu-west-1" {
		t.Errorf("region %q from the profile", s.Region)
	}
}

func TestExpiredSSOTokenSaysToLogIn(t *testing.T) {
	home := awsHome(t, `
[profile prod]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.example.invalid/start
sso_region = eu-west-1
`)
	cache := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	// The SDK names a session's token file by the SHA-1 of the session name.
	if err := os.WriteFile(filepath.Join(cache, "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
		[]byte(`{"accessToken":"x","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.example.invalid/start"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	e := enginetest.Start(t)
	s, err := backend.Open(t.Context(), profileNamed(t, "prod"), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Identity(t.Context())
	var ce *backend.CredentialsError
	if !errors.As(err, &ce) || ce.Reason != backend.CredsExpired || !strings.Contains(err.Error(), "aws sso login --profile prod") {
		t.Fatalf("err = %v, want the sso login command", err)
	}
}
