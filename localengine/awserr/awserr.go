// Package awserr is the engine's error type: an AWS error code, message and
// HTTP status that every protocol writer turns into the shape its SDK parses.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error the engine reports to a client.
type Error struct {
	// Code is the error code clients switch on, e.g. "ResourceNotFoundException".
	Code string
	// Message is human readable and may quote client input.
	Message string
	// Status is the HTTP status code.
	Status int
	// QueryCode is the legacy code that query-compatible services (SQS)
	// report in the X-Amzn-Query-Error header and in query-protocol XML,
	// e.g. "AWS.SimpleQueueService.NonExistentQueue". Empty means Code.
	QueryCode string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Fault is "Sender" for 4xx errors and "Receiver" for 5xx, as query
// protocols report it.
func (e *Error) Fault() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// LegacyCode is the query-protocol code: QueryCode when set, else Code.
func (e *Error) LegacyCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// New returns an error with a formatted message.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// WithQueryCode returns a copy of e that reports code to query clients.
func (e *Error) WithQueryCode(code string) *Error {
	c := *e
	c.QueryCode = code
	return &c
}

// From turns any error into an *Error; an error that is not one becomes an
// InternalFailure so that nothing internal leaks as a Go error string.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error."}
}

// Common errors shared by the JSON services.

// Serialization reports a body that could not be decoded.
func Serialization(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "SerializationException", format, args...)
}

// UnknownOperation reports an action the service does not have.
func UnknownOperation(action string) *Error {
	return New(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %q", action)
}

// RequestTooLarge reports a body over the service's limit.
func RequestTooLarge(limit int64) *Error {
	return New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		"Request body is larger than the limit of %d bytes", limit)
}
