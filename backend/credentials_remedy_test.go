package backend

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// apiErr is an error as the SDK returns AWS's answer to an operation.
func apiErr(service, op, code, msg string) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}

// TestRemedyFollowsTheCredentialSource: the fix depends on where the
// credentials come from, through source_profile, and is absent where
// sluice cannot know it.
func TestRemedyFollowsTheCredentialSource(t *testing.T) {
	files := AWSConfigFiles{Config: writeFile(t, t.TempDir(), "config", `
[profile base]
region = us-east-1
[profile ops]
role_arn = arn:aws:iam::111122223333:role/ops
source_profile = base
[profile ci]
role_arn = arn:aws:iam::111122223333:role/ci
web_identity_token_file = /var/run/secrets/token
[profile env-role]
role_arn = arn:aws:iam::111122223333:role/x
credential_source = Environment
`)}
	ps, err := AWSProfiles(files)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) Profile { p, _ := FindProfile(ps, name); return p }
	invalid := apiErr("Kinesis", "ListStreams", "InvalidClientTokenId", "The security token included in the request is invalid.")
	expired := apiErr("STS", "AssumeRoleWithWebIdentity", "ExpiredTokenException", "Token expired: current date/time 1700000000 must be before the expiration date/time 1600000000")
	for _, c := range []struct {
		profile string
		err     error
		want    string
	}{
		{"ops", invalid, "run `aws configure --profile base` to set a valid key"},
		{"ci", expired, "renew the web identity token in /var/run/secrets/token"},
		{"env-role", invalid, ""},
	} {
		var ce *CredentialsError
		if !errors.As(classifyCredentials(c.err, get(c.profile), nil), &ce) {
			t.Fatalf("%s: not a credentials error", c.profile)
		}
		if (c.want == "") != (ce.Fix == "") || !strings.Contains(ce.Fix, c.want) {
			t.Errorf("%s: fix %q, want %q", c.profile, ce.Fix, c.want)
		}
		var api smithy.APIError
		errors.As(c.err, &api)
		if !strings.Contains(ce.Error(), api.ErrorCode()+": "+api.ErrorMessage()) {
			t.Errorf("%s: %q drops AWS's words", c.profile, ce.Error())
		}
	}
	// A signature refused because the clock is off is not a bad key.
	skew := apiErr("Kinesis", "ListStreams", "InvalidSignatureException", "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z")
	if got := classifyCredentials(skew, get("base"), nil); got != nil {
		t.Errorf("clock skew read as %v", got)
	}
	// On a custom endpoint, UnrecognizedClientException is a service the
	// endpoint lacks; on AWS's, a key it does not know.
	unrec := apiErr("Pipes", "ListPipes", "UnrecognizedClientException", "The security token included in the request is invalid.")
	if got := classifyCredentials(unrec, get("base"), func(svc string) bool { return svc == "pipes" }); got != nil {
		t.Errorf("custom endpoint: %v", got)
	}
	if got := classifyCredentials(unrec, get("base"), func(string) bool { return false }); got == nil {
		t.Error("AWS endpoint: UnrecognizedClientException is not a credentials error")
	}
}
