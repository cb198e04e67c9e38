package tail

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// isThrottle reports a read over the shard's budget.
func isThrottle(err error) bool {
	if err == nil {
		return false
	}
	var pte *types.ProvisionedThroughputExceededException
	var kms *types.KMSThrottlingException
	return errors.As(err, &pte) || errors.As(err, &kms)
}

func isExpired(err error) bool {
	var e *types.ExpiredIteratorException
	return errors.As(err, &e)
}

// withoutThrottleRetries keeps the SDK from retrying a throttled call by
// itself: the tail backs off and counts throttles, and the SDK's quick
// retries would only spend more of the shard's budget. Other errors are
// still retried by the SDK.
func withoutThrottleRetries(o *kinesis.Options) {
	if r, ok := o.Retryer.(aws.RetryerV2); ok {
		o.Retryer = throttleNotRetried{r}
	}
}

type throttleNotRetried struct{ aws.RetryerV2 }

func (r throttleNotRetried) IsErrorRetryable(err error) bool {
	return !isThrottle(err) && r.RetryerV2.IsErrorRetryable(err)
}
