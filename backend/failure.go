package backend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// FailureKind is what a failed call means to an operator: the few answers
// that decide what to do next.
type FailureKind string

const (
	// FailDenied: the profile may not make this call (IAM, SCP, a
	// resource policy).
	FailDenied FailureKind = "denied"
	// FailThrottled: over the account's API quota, after the SDK's retries.
	FailThrottled FailureKind = "throttled"
	// FailNotServed: the endpoint lacks the service or the operation (a
	// region without Pipes, a LocalStack without Lambda).
	FailNotServed FailureKind = "not served"
	// FailUnreachable: no connection (DNS, refused, reset, TLS).
	FailUnreachable FailureKind = "unreachable"
	// FailTimedOut: no answer within the bound.
	FailTimedOut FailureKind = "timed out"
	// FailNotFound: the resource does not exist.
	FailNotFound FailureKind = "not found"
	// FailCredentials: missing, invalid or expired credentials.
	FailCredentials FailureKind = "credentials"
	// FailOther: anything else; the code and message say what.
	FailOther FailureKind = "failed"
)

// Failure is one thing a listing could not read, kept beside what it
// could, so that one failure never hides the rest.
type Failure struct {
	// Service is the SDK's name of the service: "kinesis", "sqs", "s3",
	// "pipes", "lambda", "eventbridge", "cloudwatch", "sts".
	Service string `json:"service"`
	// Resource names what was being read ("stream orders"); "" when the
	// service's listing itself failed.
	Resource string      `json:"resource,omitempty"`
	Kind     FailureKind `json:"kind"`
	// Code is AWS's error code, when the answer carried one.
	Code string `json:"code,omitempty"`
	// Message is the whole error, AWS's own message included.
	Message string `json:"message"`
	// Answer is what came back, without the caller's context: AWS's code
	// and message ("AccessDenied: Access Denied"), or the network's
	// ("no answer in time"), for a place too small for Message.
	Answer string `json:"answer,omitempty"`
	Err    error  `json:"-"`
}

func (f Failure) Error() string {
	what := f.Service
	if f.Resource != "" {
		what += " " + f.Resource
	}
	return fmt.Sprintf("%s: %s: %s", what, f.Kind, f.Message)
}

func (f Failure) Unwrap() error { return f.Err }

// Failure classifies err, met while reading resource (may be "") of
// service, for a listing's failures.
func (s *Session) Failure(service, resource string, err error) Failure {
	explained := s.Explain(err)
	kind := s.Classify(service, explained)
	var ce *CredentialsError
	var ne *NetworkError
	var msg string
	switch {
	case errors.As(explained, &ce):
		msg = explained.Error()
	case errors.As(explained, &ne) && !errors.As(err, &ne):
		// Explained here: the host not reached may be another service's
		// (STS, while getting credentials), which only the explanation
		// names.
		msg = s.failureMessage(service, kind, explained)
	default:
		// The raw chain holds the caller's context ("list pipes").
		msg = s.failureMessage(service, kind, err)
	}
	return Failure{
		Service: service, Resource: resource,
		Kind: kind, Code: ErrorCode(explained),
		Message: msg, Answer: answerOf(kind, explained), Err: explained,
	}
}

// Classify says what err from a call to service means. A raw SDK error
// and one Explain returned classify alike.
func (s *Session) Classify(service string, err error) FailureKind {
	err = s.explain(err)
	var ce *CredentialsError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return FailCredentials
	case s.NotServed(service, err):
		return FailNotServed
	case isDenied(err):
		return FailDenied
	case isThrottled(err):
		return FailThrottled
	case isNotFound(err):
		return FailNotFound
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return FailTimedOut
	case errors.As(err, &dns), errors.As(err, &op):
		return FailUnreachable
	}
	return FailOther
}

// NotServed reports whether err means the endpoint lacks the service or
// the operation. UnrecognizedClientException and a bare 404 mean that only
// on a custom endpoint (LocalStack answers them for services it lacks); on
// AWS the first means a bad key and the second a missing resource. A 501
// means it anywhere.
func (s *Session) NotServed(service string, err error) bool {
	switch ErrorCode(err) {
	case "UnknownOperationException", "UnsupportedOperation", "NotImplemented", "InvalidAction":
		return true
	case "UnrecognizedClientException":
		return s.CustomEndpoint(service)
	case "ResourceNotFoundException", "NotFoundException", "NoSuchBucket", "NoSuchKey",
		"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
		return false
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	switch re.HTTPStatusCode() {
	case http.StatusNotImplemented:
		return true
	case http.StatusNotFound:
		return s.CustomEndpoint(service)
	}
	return false
}

var deniedCodes = []string{
	"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation",
	"AuthorizationErrorException", "Forbidden", "KMSAccessDeniedException",
}

var throttledCodes = []string{
	"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
	"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
	"ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException",
	"RequestThrottledException", "PriorRequestNotComplete", "BandwidthLimitExceeded",
}

var notFoundCodes = []string{
	"ResourceNotFoundException", "NotFoundException", "NoSuchBucket", "NoSuchKey",
	"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFound",
}

func isDenied(err error) bool {
	if IsCode(err, deniedCodes...) {
		return true
	}
	var re *awshttp.ResponseError
	return ErrorCode(err) == "" && errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden
}

func isThrottled(err error) bool {
	if IsCode(err, throttledCodes...) {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests
}

func isNotFound(err error) bool { return IsCode(err, notFoundCodes...) }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	if errors.As(err, &t) && t.Timeout() {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && strings.Contains(strings.ToLower(api.ErrorCode()), "timeout")
}

// Failures are a listing's failures, in the order met.
type Failures []Failure

// Of keeps the failures of one service.
func (fs Failures) Of(service string) Failures {
	var out Failures
	for _, f := range fs {
		if f.Service == service {
			out = append(out, f)
		}
	}
	return out
}

// Err is nil when there are no failures, else an error naming them all,
// for a caller that needs the whole or nothing.
func (fs Failures) Err() error {
	if len(fs) == 0 {
		return nil
	}
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = f
	}
	return errors.Join(errs...)
}
