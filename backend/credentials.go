package backend

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// CredentialsError says in one sentence that a profile's credentials are
// missing or expired, and which command fixes it.
type CredentialsError struct {
	Profile string
	Expired bool
	Fix     string
	Err     error
}

func (e *CredentialsError) Error() string {
	state := "has no usable credentials"
	if e.Expired {
		state = "has expired credentials"
	}
	return fmt.Sprintf("profile %s %s: run `%s`, then retry", e.Profile, state, e.Fix)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// expiredCodes are the error codes AWS answers to an expired or revoked
// token.
var expiredCodes = map[string]bool{
	"ExpiredToken": true, "ExpiredTokenException": true, "RequestExpired": false,
	"InvalidClientTokenId": true, "UnrecognizedClientException": true,
	"InvalidSignatureException": true, "SignatureDoesNotMatch": true,
	"InvalidAccessKeyId": true, "InvalidToken": true,
}

// expiredPhrases are what the SDK's credential providers say when a cached
// SSO token or a role session has run out.
var expiredPhrases = []string{
	"token is expired", "token has expired", "sso session has expired", "cached sso token is expired",
	"refresh cached sso token failed", "expiredtoken",
}

// missingPhrases are what the SDK says when it found no credentials.
var missingPhrases = []string{
	"failed to retrieve credentials", "no ec2 imds role found", "failed to refresh cached credentials",
	"anonymous credentials", "failed to load shared config", "failed to get shared config profile",
	"credential_process", "read cached sso token",
}

// Explain turns a credentials failure into a CredentialsError, and drops
// the cached credentials so that the renewed ones are read on the next
// call; other errors come back as they are.
func (s *Session) Explain(err error) error {
	ce := classifyCredentials(err, s.Profile)
	if ce == nil {
		return err
	}
	s.RefreshCredentials()
	return ce
}

func explainConfig(err error, p Profile) error {
	if ce := classifyCredentials(err, p); ce != nil {
		return ce
	}
	return err
}

func classifyCredentials(err error, p Profile) *CredentialsError {
	if err == nil || p.IsLocal() {
		return nil
	}
	var already *CredentialsError
	if errors.As(err, &already) {
		return already
	}
	expired := false
	var api smithy.APIError
	if errors.As(err, &api) {
		if !expiredCodes[api.ErrorCode()] {
			return nil
		}
		expired = true
	} else {
		msg := strings.ToLower(err.Error())
		switch {
		case containsAny(msg, expiredPhrases):
			expired = true
		case containsAny(msg, missingPhrases):
		default:
			return nil
		}
	}
	return &CredentialsError{Profile: p.Name, Expired: expired, Fix: fixFor(p), Err: err}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// fixFor is the command that renews p's credentials.
func fixFor(p Profile) string {
	if p.Renew != "" {
		return p.Renew
	}
	name := firstNonEmpty(p.AWSProfile, p.Name)
	if p.Kind == KindSSO {
		return "aws sso login --profile " + name
	}
	return "aws configure --profile " + name
}
