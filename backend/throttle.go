package backend

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// IsKinesisThrottle reports a Kinesis read over the shard's budget.
func IsKinesisThrottle(err error) bool {
	if err == nil {
		return false
	}
	var pte *types.ProvisionedThroughputExceededException
	var kms *types.KMSThrottlingException
	return errors.As(err, &pte) || errors.As(err, &kms)
}

// WithoutThrottleRetries keeps the SDK from retrying a throttled Kinesis
// call by itself: the caller backs off (and counts throttles), and the
// SDK's quick retries would only spend more of a shard's budget of reads,
// which production consumers share. Other errors are still retried by the
// SDK.
func WithoutThrottleRetries(o *kinesis.Options) {
	if r, ok := o.Retryer.(aws.RetryerV2); ok {
		o.Retryer = throttleNotRetried{r}
	}
}

type throttleNotRetried struct{ aws.RetryerV2 }

func (r throttleNotRetried) IsErrorRetryable(err error) bool {
	return !IsKinesisThrottle(err) && r.RetryerV2.IsErrorRetryable(err)
}
