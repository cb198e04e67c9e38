package cloudwatch

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// CloudWatch is query-compatible: its modeled errors have a shape name
// (what CBOR and JSON bodies carry in __type) and a legacy query code
// (what the query protocol and the X-Amzn-Query-Error header carry, and
// what SDK errors report as their ErrorCode).

func invalidValue(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValueException", format, args...).
		WithQueryCode("InvalidParameterValue")
}

func missing(param string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MissingRequiredParameterException", "The parameter %s is required.", param).
		WithQueryCode("MissingParameter")
}

func combination(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterCombinationException", format, args...).
		WithQueryCode("InvalidParameterCombination")
}

func invalidNextToken() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidNextToken", "The NextToken is invalid or expired.")
}

// internalFault answers a failure of the engine itself; the cause is
// logged, never sent.
func internalFault() *awserr.Error {
	return awserr.New(http.StatusInternalServerError, "InternalServiceFault", "Internal service error.").
		WithQueryCode("InternalServiceError")
}

// unknownAction answers an operation this engine does not have: query
// clients expect InvalidAction, the others UnknownOperationException.
func unknownAction(proto Protocol, action string) *awserr.Error {
	if proto == Query {
		if action == "" {
			return missing("Action")
		}
		return awserr.New(http.StatusBadRequest, "InvalidAction",
			"The action %s is not valid for this web service.", clip(action, 128))
	}
	return awserr.UnknownOperation(clip(action, 128))
}

// clip shortens untrusted text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "..."
}

func quoteValue(v any) string {
	return clip(fmt.Sprint(v), 256)
}
