package backend

import (
	"errors"
	"net"
	"strings"

	"github.com/aws/smithy-go"
)

// failureMessage says in a line what went wrong, for a listing's failure:
// the caller's context, the operation, then AWS's code and message, or
// where no answer came from. The SDK's own chain (status 0, empty request
// ids, "https response error", "deserialization failed") says nothing an
// operator can act on; it stays in Failure.Err, for the log.
func (s *Session) failureMessage(service string, kind FailureKind, err error) string {
	var ne *NetworkError
	if errors.As(err, &ne) {
		// Explained on the way up already: it names the host.
		return joinContext(callerContext(err, ne), ne.Error())
	}
	var op *smithy.OperationError
	if !errors.As(err, &op) {
		return err.Error()
	}
	what := joinContext(callerContext(err, op), op.OperationName)
	where := s.EndpointOf(service)
	if where == "" {
		where = "AWS"
	}
	var api smithy.APIError
	hasAPI := errors.As(err, &api)
	answer := ""
	if hasAPI {
		answer = api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			answer += ": " + m
		}
	}
	switch {
	case kind == FailTimedOut:
		return what + ": no answer from " + where + " in time"
	case kind == FailUnreachable:
		return what + ": cannot reach " + where + ": " + netCause(err)
	case kind == FailNotServed && hasAPI:
		return what + ": " + where + " does not serve it (" + answer + ")"
	case kind == FailNotServed:
		return what + ": " + where + " does not serve it"
	case hasAPI:
		return what + ": " + answer
	}
	return err.Error()
}

// callerContext is what the callers wrapped around inner ("list
// pipes"), without the words a not-served wrapper repeats.
func callerContext(err, inner error) string {
	context, ok := strings.CutSuffix(err.Error(), inner.Error())
	if !ok {
		return ""
	}
	context = strings.TrimSuffix(strings.TrimSpace(context), ":")
	return strings.TrimSuffix(context, ": not served by this endpoint")
}

func joinContext(context, what string) string {
	if context == "" {
		return what
	}
	return context + ": " + what
}

// netCause is the network error at the bottom of err: "lookup
// pipes.example: no such host", "dial tcp 127.0.0.1:1: connect:
// connection refused".
func netCause(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	return err.Error()
}

// answerOf is what came back for err, without the caller's context.
func answerOf(kind FailureKind, err error) string {
	var api smithy.APIError
	switch {
	case errors.As(err, &api):
		if m := api.ErrorMessage(); m != "" {
			return api.ErrorCode() + ": " + m
		}
		return api.ErrorCode()
	case kind == FailTimedOut:
		return "no answer in time"
	case kind == FailUnreachable:
		return netCause(err)
	}
	return err.Error()
}
