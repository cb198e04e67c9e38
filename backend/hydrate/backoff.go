package hydrate

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// Backoff of throttled reads: full jitter over min(cap, base·2^n). A shard
// allows 5 reads a second shared with the production consumers, so
// hydrate yields to them rather than failing.
const (
	backoffBase     = 100 * time.Millisecond
	backoffCap      = 5 * time.Second
	backoffAttempts = 10
)

// withBackoff runs call again while it is throttled, up to
// backoffAttempts times.
func withBackoff(ctx context.Context, call func() error) error {
	for n := 0; ; n++ {
		err := call()
		if err == nil || !isThrottled(err) || n+1 >= backoffAttempts {
			return err
		}
		sleep := time.Duration(rand.Int64N(int64(min(backoffCap, backoffBase<<n)) + 1))
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func isThrottled(err error) bool {
	var pte *ktypes.ProvisionedThroughputExceededException
	var lee *ktypes.LimitExceededException
	if errors.As(err, &pte) || errors.As(err, &lee) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "Throttling", "RequestLimitExceeded", "SlowDown":
			return true
		}
	}
	return false
}
