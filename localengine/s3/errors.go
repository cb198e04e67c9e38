package s3

import (
	"net/http"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// S3's error answers, worded as S3 words them so that clients matching on
// codes or messages behave as they do against AWS.

func errNoSuchBucket() *awserr.Error {
	return awserr.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
}

func errNoSuchKey() *awserr.Error {
	return awserr.New(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func errBucketOwned() *awserr.Error {
	return awserr.New(http.StatusConflict, "BucketAlreadyOwnedByYou",
		"Your previous request to create the named bucket succeeded and you already own it.")
}

func errBucketNotEmpty() *awserr.Error {
	return awserr.New(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
}

func errInvalidBucketName() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
}

func errInvalidRange() *awserr.Error {
	return awserr.New(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
}

func errEntityTooLarge() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
}

func errPreconditionFailed() *awserr.Error {
	return awserr.New(http.StatusPreconditionFailed, "PreconditionFailed",
		"At least one of the pre-conditions you specified did not hold")
}

func errBadDigestMD5() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
}

func errInvalidDigest() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
}

func errSHA256Mismatch() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.")
}

func errInvalidArgument(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func errInvalidRequest(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidRequest", format, args...)
}

func errIncompleteBody() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header")
}

func errMalformedXML() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errMethodNotAllowed() *awserr.Error {
	return awserr.New(http.StatusMethodNotAllowed, "MethodNotAllowed",
		"The specified method is not allowed against this resource.")
}

func errNotImplemented() *awserr.Error {
	return awserr.New(http.StatusNotImplemented, "NotImplemented",
		"A header you provided implies functionality that is not implemented")
}

func errKeyTooLong() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
}

func errMetadataTooLarge() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MetadataTooLarge",
		"Your metadata headers exceed the maximum allowed metadata size")
}

func errInvalidTag(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidTag", format, args...)
}

func errMissingContentLength() *awserr.Error {
	return awserr.New(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
}

// newErr builds an error with a fixed message (never a format string, since
// messages may quote client input).
func newErr(status int, code, msg string) *awserr.Error {
	return awserr.New(status, code, "%s", msg)
}

func errInternal(msg string) *awserr.Error {
	return newErr(http.StatusInternalServerError, "InternalError", msg)
}
