package backend_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func wantCredentials(t *testing.T, err error, reason backend.CredentialsReason) *backend.CredentialsError {
	t.Helper()
	var ce *backend.CredentialsError
	if !errors.As(err, &ce) || ce.Reason != reason {
		t.Fatalf("err = %v, want a CredentialsError %q", err, reason)
	}
	return ce
}

func mustContain(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%q lacks %q", msg, p)
		}
	}
}

func mustNotContain(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(msg, p) {
			t.Errorf("%q says %q", msg, p)
		}
	}
}

// TestAWSAnswersAreReadTruthfully: each of AWS's answers about keys and
// permissions, from the real SDK through faultproxy, keeps AWS's code and
// message, reads as what it is, and carries the fix for a static key.
func TestAWSAnswersAreReadTruthfully(t *testing.T) {
	home := awsHome(t, "[profile dev]\nregion = us-east-1\n")
	writeCredentials(t, home, "[dev]\naws_access_key_id = ASIADEV\naws_secret_access_key = dev-secret\naws_session_token = dev-token\n")
	clearEndpointEnv(t)
	e := enginetest.Start(t)
	p := faultproxy.Start(t, e.URL)
	s := openDev(t, backend.Env{Endpoint: p.URL, HTTPClient: enginetest.HTTPClient()})
	ctx := t.Context()
	once := func(o *sqs.Options) { o.RetryMaxAttempts = 1 }

	const badToken = "The security token included in the request is invalid."
	p.Add(&faultproxy.Rule{Service: "sts", Times: 1, Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: badToken}})
	_, err := s.Identity(ctx)
	ce := wantCredentials(t, err, backend.CredsInvalid)
	mustContain(t, err.Error(), "InvalidClientTokenId: "+badToken, "profile dev", "run `aws configure --profile dev` to set a valid key")
	mustNotContain(t, err.Error(), "expired")
	if s.Classify("sts", ce) != backend.FailCredentials {
		t.Errorf("invalid key classified %s", s.Classify("sts", ce))
	}

	const mismatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	p.Add(&faultproxy.Rule{Service: "s3", Times: 1, Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: mismatch}})
	_, err = s.S3().ListBuckets(ctx, &s3.ListBucketsInput{})
	f := s.Failure("s3", "", err)
	if f.Kind != backend.FailCredentials || f.Code != "SignatureDoesNotMatch" {
		t.Errorf("signature mismatch: %+v", f)
	}
	wantCredentials(t, f.Err, backend.CredsInvalid)
	mustContain(t, f.Message, "SignatureDoesNotMatch: "+mismatch, "to set a valid key")

	const expired = "The security token included in the request is expired"
	p.Add(&faultproxy.Rule{Service: "sqs", Times: 1, Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "ExpiredToken", Message: expired}})
	_, err = s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{}, once)
	if k := s.Classify("sqs", err); k != backend.FailCredentials {
		t.Errorf("expired token, raw error: %s", k)
	}
	err = s.Explain(err)
	wantCredentials(t, err, backend.CredsExpired)
	mustContain(t, err.Error(), "ExpiredToken: "+expired, "new session token", "profile dev")
	mustNotContain(t, err.Error(), "aws configure")

	denied := faultproxy.Denied("kinesis:ListStreams", "arn:aws:kinesis:us-east-1:000000000000:stream/*")
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "ListStreams", Times: 1, Fault: denied})
	_, err = s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{})
	f = s.Failure("kinesis", "", err)
	var notCreds *backend.CredentialsError
	if f.Kind != backend.FailDenied || errors.As(f.Err, &notCreds) {
		t.Errorf("denied: %+v", f)
	}
	mustContain(t, f.Message, "AccessDeniedException", denied.Message)

	p.Add(&faultproxy.Rule{Service: "sqs", Times: 1, Fault: faultproxy.Throttled()})
	_, err = s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{}, once)
	if f = s.Failure("sqs", "", err); f.Kind != backend.FailThrottled || !strings.Contains(f.Message, "Rate exceeded") {
		t.Errorf("throttled: %+v", f)
	}
}

// TestDNSFailureIsANetworkErrorNamingTheHost: a call that cannot resolve
// its host says so and names it, also when it was fetching credentials
// (the SDK then wraps it in "failed to refresh cached credentials").
func TestDNSFailureIsANetworkErrorNamingTheHost(t *testing.T) {
	home := awsHome(t, "[profile dev]\nregion = us-east-1\n\n[profile ops]\nregion = us-east-1\nrole_arn = arn:aws:iam::111122223333:role/ops\nsource_profile = dev\n")
	writeCredentials(t, home, devCredentials)
	clearEndpointEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")

	s := openDev(t, backend.Env{Endpoint: "http://nonexistent.invalid"})
	_, err := s.Identity(t.Context())
	var ne *backend.NetworkError
	var ce *backend.CredentialsError
	if !errors.As(err, &ne) || errors.As(err, &ce) || ne.Host != "nonexistent.invalid" {
		t.Fatalf("err = %v, want a NetworkError naming nonexistent.invalid", err)
	}
	mustContain(t, err.Error(), "STS GetCallerIdentity: cannot reach nonexistent.invalid")
	if k := s.Classify("sts", err); k != backend.FailUnreachable {
		t.Errorf("classified %s", k)
	}

	// The role's credentials come from STS, which the SDK's settings
	// send to a host that does not resolve; the calls themselves go to
	// the engine.
	e := enginetest.Start(t)
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://nonexistent.invalid")
	role, err := backend.Open(t.Context(), profileNamed(t, "ops"), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = role.Kinesis().ListStreams(t.Context(), &kinesis.ListStreamsInput{})
	f := role.Failure("kinesis", "", err)
	if !errors.As(f.Err, &ne) || errors.As(f.Err, &ce) || ne.Host != "nonexistent.invalid" || f.Kind != backend.FailUnreachable {
		t.Fatalf("failure %+v, want the network naming nonexistent.invalid", f)
	}
	mustContain(t, f.Message, "STS AssumeRole: cannot reach nonexistent.invalid", "credentials of profile ops")
	mustNotContain(t, f.Message, "aws configure", "no usable credentials")
}

const ssoConfig = `
[profile prod]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/deploy
source_profile = prod
region = eu-west-1

[profile legacy]
sso_start_url = https://corp.example.invalid/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.example.invalid/start
sso_region = eu-west-1
`

// TestSSONeverLoggedInSaysToLogIn: an SSO profile with no cached token on
// this machine is "not logged in", not "expired"; a role that starts from
// it gets the SSO profile's login.
func TestSSONeverLoggedInSaysToLogIn(t *testing.T) {
	awsHome(t, ssoConfig)
	clearEndpointEnv(t)
	e := enginetest.Start(t)
	for _, c := range []struct{ profile, login string }{
		{"prod", "prod"}, {"legacy", "legacy"}, {"deploy", "prod"},
	} {
		s, err := backend.Open(t.Context(), profileNamed(t, c.profile), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Identity(t.Context())
		wantCredentials(t, err, backend.CredsNotLoggedIn)
		mustContain(t, err.Error(), "profile "+c.profile+" is not logged in", "run `aws sso login --profile "+c.login+"`")
		mustNotContain(t, err.Error(), "has expired credentials")
	}
}

// TestCredentialProcessFailureSaysItsCommandFailed: a credential_process
// that fails is said to have failed, with what it said; there is no
// `aws configure get …` to run.
func TestCredentialProcessFailureSaysItsCommandFailed(t *testing.T) {
	home := awsHome(t, "")
	script := filepath.Join(home, "vault-creds")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'vault: permission denied' >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[profile vault]\nregion = eu-west-1\ncredential_process = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clearEndpointEnv(t)
	e := enginetest.Start(t)
	log, logged := debugLog()
	stderr := captureStderr(t)
	s, err := backend.Open(t.Context(), profileNamed(t, "vault"), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Identity(t.Context())
	// What the command prints goes to the log, never to the terminal the
	// TUI draws on.
	if got := stderr(); got != "" {
		t.Errorf("the credential_process wrote to the terminal: %q", got)
	}
	mustContain(t, logged.String(), "vault: permission denied")
	ce := wantCredentials(t, err, backend.CredsSourceFailed)
	mustContain(t, err.Error(), "profile vault", "credential_process command failed", "exit status 3")
	mustNotContain(t, err.Error(), "aws configure", "run `")
	if ce.Fix != "" || profileNamed(t, "vault").Renew != "" {
		t.Errorf("a fix is offered for a credential_process: %q / %q", ce.Fix, profileNamed(t, "vault").Renew)
	}
}
