package sqs

import (
	"net/http"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// The errors below carry the code the SDK's type registry maps to a typed
// error (JSON __type) and, where SQS's legacy query code differs, that code:
// the Go SDK reports it from ErrorCode(), and query clients read it in XML.

func errQueueDoesNotExist() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "QueueDoesNotExist",
		"The specified queue does not exist.").WithQueryCode("AWS.SimpleQueueService.NonExistentQueue")
}

func errQueueNameExists(attr string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "QueueNameExists",
		"A queue already exists with the same name and a different value for attribute %s", attr).
		WithQueryCode("QueueAlreadyExists")
}

func errInvalidAttributeName(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidAttributeName", format, args...)
}

func errInvalidAttributeValue(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidAttributeValue", format, args...)
}

func errInvalidParameter(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

// errInvalidValue is AWS's wording for a parameter outside its range.
func errInvalidValue(value any, param, reason string) *awserr.Error {
	return errInvalidParameter("Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}

func errMissing(param string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MissingParameter",
		"The request must contain the parameter %s.", param)
}

func errReceiptHandleInvalid(handle string) *awserr.Error {
	return awserr.New(http.StatusNotFound, "ReceiptHandleIsInvalid",
		"The input receipt handle %q is not a valid receipt handle.", clip(handle, 256))
}

func errMessageNotInflight() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MessageNotInflight",
		"The message referred to isn't in flight.").WithQueryCode("AWS.SimpleQueueService.MessageNotInflight")
}

func errPurgeInProgress(name string) *awserr.Error {
	return awserr.New(http.StatusForbidden, "PurgeQueueInProgress",
		"Only one PurgeQueue operation on %s is allowed every 60 seconds.", name).
		WithQueryCode("AWS.SimpleQueueService.PurgeQueueInProgress")
}

func errTooManyEntries(n int) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "TooManyEntriesInBatchRequest",
		"Maximum number of entries per request are 10. You have sent %d.", n).
		WithQueryCode("AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
}

func errEmptyBatch(entry string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "EmptyBatchRequest",
		"There should be at least one %s in the request.", entry).
		WithQueryCode("AWS.SimpleQueueService.EmptyBatchRequest")
}

func errIdsNotDistinct(id string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "BatchEntryIdsNotDistinct",
		"Id %s repeated.", clip(id, 100)).WithQueryCode("AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
}

func errInvalidBatchEntryID() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.").
		WithQueryCode("AWS.SimpleQueueService.InvalidBatchEntryId")
}

func errBatchTooLong(n int) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "BatchRequestTooLong",
		"Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchBytes, n).
		WithQueryCode("AWS.SimpleQueueService.BatchRequestTooLong")
}

func errInvalidMessageContents(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidMessageContents", format, args...)
}

func errUnsupported(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "UnsupportedOperation", format, args...).
		WithQueryCode("AWS.SimpleQueueService.UnsupportedOperation")
}

func errResourceNotFound(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func errOverLimit(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusForbidden, "OverLimit", format, args...)
}

func errInvalidAddress(addr string) *awserr.Error {
	return awserr.New(http.StatusNotFound, "InvalidAddress",
		"The address %s is not valid for this endpoint.", clip(addr, 256))
}

// clip bounds client input quoted back in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func errInvalidAction(action string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidAction",
		"The action %s is not valid for this endpoint.", clip(action, 128))
}
