package backend

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// ErrorCode is the AWS error code err carries, such as
// "ResourceNotFoundException", or "" when it carries none.
func ErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// IsCode reports whether err carries one of the AWS error codes.
func IsCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	return c != "" && slices.Contains(codes, c)
}
