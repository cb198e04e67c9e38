package backend

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// CredentialsReason is what is wrong with a profile's credentials.
type CredentialsReason string

const (
	// CredsInvalid: AWS does not accept the key (unknown key id, wrong
	// secret, revoked token).
	CredsInvalid CredentialsReason = "invalid"
	// CredsExpired: the key or token was good and has run out.
	CredsExpired CredentialsReason = "expired"
	// CredsMissing: the SDK found no credentials at all.
	CredsMissing CredentialsReason = "missing"
	// CredsNotLoggedIn: an SSO profile with no cached token: never
	// logged in on this machine, or logged out.
	CredsNotLoggedIn CredentialsReason = "not logged in"
	// CredsSourceFailed: what makes the credentials failed (the
	// credential_process command, AssumeRole refused).
	CredsSourceFailed CredentialsReason = "source failed"
)

// CredentialsError says in one sentence what is wrong with a profile's
// credentials, with AWS's own words, and what fixes it when that is known.
type CredentialsError struct {
	Profile string
	Reason  CredentialsReason
	// Source is where the credentials come from (for an assume-role
	// profile, the profile it starts from).
	Source ProfileKind
	// Detail is AWS's code and message, or the credential source's error.
	Detail string
	// Fix is what to do, a command or a step; "" when none is known for
	// this source.
	Fix string
	Err error
}

func (e *CredentialsError) Error() string {
	var b strings.Builder
	b.WriteString("profile " + e.Profile + " " + e.state())
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	if e.Fix != "" {
		b.WriteString(": " + e.Fix)
	}
	return b.String()
}

// state says what is wrong, in the source's terms: a credential_process
// profile is told about its command, never about keys it has none of.
func (e *CredentialsError) state() string {
	if e.Source == KindProcess {
		switch e.Reason {
		case CredsExpired:
			return "got expired credentials from its credential_process command"
		case CredsInvalid:
			return "got credentials AWS does not accept from its credential_process command"
		default:
			return "could not get credentials: its credential_process command failed"
		}
	}
	switch e.Reason {
	case CredsInvalid:
		return "has credentials AWS does not accept"
	case CredsExpired:
		return "has expired credentials"
	case CredsNotLoggedIn:
		return "is not logged in to AWS SSO"
	case CredsMissing:
		return "has no credentials"
	}
	return "could not get credentials"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// invalidCodes are AWS's answers to a key it does not accept.
var invalidCodes = []string{
	"InvalidAccessKeyId", "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidClientTokenId",
	"InvalidSignatureException", "IncompleteSignature", "AuthFailure", "InvalidToken", "InvalidIdentityToken",
}

// expiredCodes are AWS's answers to a token that has run out.
var expiredCodes = []string{"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"}

// retrievalPhrases are how the SDK wraps a failure to get credentials
// (the credentials cache, the signer, the auth resolver): a failure met
// there is about credentials, unless it is the network's.
var retrievalPhrases = []string{
	"failed to refresh cached credentials", "failed to retrieve credentials", "get identity:",
}

// ssoExpiredPhrases are what the SSO token provider says when the cached
// token has run out and cannot be refreshed.
var ssoExpiredPhrases = []string{
	"cached sso token is expired", "refresh cached sso token failed", "sso session has expired",
}

// Explain turns a credentials failure into a CredentialsError, and drops
// the cached credentials so that the renewed ones are read on the next
// call; a network failure into a NetworkError naming the host; other
// errors come back as they are.
func (s *Session) Explain(err error) error {
	out := s.explain(err)
	var ce *CredentialsError
	if errors.As(out, &ce) {
		s.RefreshCredentials()
	}
	return out
}

// explain is Explain without dropping the cached credentials.
func (s *Session) explain(err error) error {
	if out := classifyCredentials(err, s.Profile, s.CustomEndpoint); out != nil {
		return out
	}
	return err
}

func explainConfig(err error, p Profile) error {
	if out := classifyCredentials(err, p, nil); out != nil {
		return out
	}
	return err
}

// classifyCredentials reads err as a credentials or network failure of
// p, or returns nil when it is neither. custom reports whether a service
// is at a custom endpoint (nil: none is).
func classifyCredentials(err error, p Profile, custom func(service string) bool) error {
	if err == nil || p.IsLocal() {
		return nil
	}
	var already *CredentialsError
	var net *NetworkError
	if errors.As(err, &already) || errors.As(err, &net) {
		return nil
	}
	msg := strings.ToLower(err.Error())
	retrieving := containsAny(msg, retrievalPhrases)
	if ne := networkError(err, p, retrieving); ne != nil {
		if retrieving && isMetadataHost(ne.Host) {
			// The SDK asks the instance metadata service last, when
			// it found nothing else; off EC2 that fails to connect.
			return newCredentialsError(p, CredsMissing, sourceDetail(err), err)
		}
		return ne
	}
	if retrieving {
		// SSO first: a failed token refresh carries the OIDC
		// service's own code, which would read as a key problem.
		var invalidToken *ssocreds.InvalidTokenError
		switch {
		case errors.Is(err, fs.ErrNotExist) && strings.Contains(msg, "sso token"):
			return newCredentialsError(p, CredsNotLoggedIn, sourceDetail(err), err)
		case containsAny(msg, ssoExpiredPhrases), errors.As(err, &invalidToken),
			IsCode(err, "UnauthorizedException", "InvalidGrantException", "ExpiredTokenException"):
			return newCredentialsError(p, CredsExpired, sourceDetail(err), err)
		}
	}
	if code := ErrorCode(err); code != "" {
		var api smithy.APIError
		errors.As(err, &api)
		detail := code + ": " + api.ErrorMessage()
		switch {
		case strings.Contains(strings.ToLower(api.ErrorMessage()), "signature expired"):
			return nil // the clock is off, not the key: AWS's message says so
		case code == "UnrecognizedClientException" && !retrieving && custom != nil && custom(serviceOf(err)):
			return nil // a custom endpoint's answer for a service it lacks
		case IsCode(err, invalidCodes...):
			return newCredentialsError(p, CredsInvalid, detail, err)
		case IsCode(err, expiredCodes...):
			return newCredentialsError(p, CredsExpired, detail, err)
		case retrieving:
			return newCredentialsError(p, CredsSourceFailed, detail, err)
		}
		return nil
	}
	if !retrieving {
		return nil
	}
	var pe *processcreds.ProviderError
	switch {
	case errors.As(err, &pe):
		return newCredentialsError(p, CredsSourceFailed, pe.Error(), err)
	case strings.Contains(msg, "no ec2 imds role found"), strings.Contains(msg, "anonymous credentials"):
		return newCredentialsError(p, CredsMissing, sourceDetail(err), err)
	}
	return newCredentialsError(p, CredsSourceFailed, sourceDetail(err), err)
}

// serviceOf is the session's name of the service err came from.
func serviceOf(err error) string {
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return serviceKey(op.ServiceID)
	}
	return ""
}

// sourceDetail is what a credential provider said, without the layers of
// SDK wrapping around it.
func sourceDetail(err error) string {
	msg := err.Error()
	for _, p := range retrievalPhrases {
		if i := strings.LastIndex(strings.ToLower(msg), p); i >= 0 {
			msg = strings.TrimLeft(msg[i+len(p):], ",: ")
		}
	}
	return msg
}

func newCredentialsError(p Profile, reason CredentialsReason, detail string, err error) *CredentialsError {
	src := credentialSource(p)
	return &CredentialsError{
		Profile: p.Name, Reason: reason, Source: src.Kind, Detail: detail,
		Fix: remedy(src, reason), Err: err,
	}
}

// remedy is what renews the credentials of src for reason, or "" when no
// step is known to be right: sluice never guesses a command.
func remedy(src CredentialSource, reason CredentialsReason) string {
	if reason == CredsSourceFailed {
		return "" // AWS's or the source's own message says what failed
	}
	switch src.Kind {
	case KindSSO:
		return "run `aws sso login --profile " + src.Profile + "`, then retry"
	case KindStatic:
		switch reason {
		case CredsInvalid:
			return "run `aws configure --profile " + src.Profile + "` to set a valid key, then retry"
		case CredsExpired:
			return "get a new session token (aws sts get-session-token, or your identity provider) and set aws_session_token of profile " + src.Profile + ", then retry"
		case CredsMissing:
			return "run `aws configure --profile " + src.Profile + "`, then retry"
		}
	case KindWebIdentity:
		if src.TokenFile != "" {
			return "renew the web identity token in " + src.TokenFile + ", then retry"
		}
		return "renew the web identity token of profile " + src.Profile + " (web_identity_token_file), then retry"
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
