package tail

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func isExpired(err error) bool {
	var e *types.ExpiredIteratorException
	return errors.As(err, &e)
}
