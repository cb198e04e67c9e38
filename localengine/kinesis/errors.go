package kinesis

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Kinesis answers every client error with status 400; the SDK picks the
// typed error from the code. Messages follow AWS's wording where known.

func invalidArgument(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidArgumentException", format, args...)
}

func validationError(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ValidationException", format, args...)
}

func limitExceeded(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "LimitExceededException", format, args...)
}

func streamNotFound(name string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException",
		"Stream %s under account %s not found.", name, wire.Account)
}

func awsNotFoundInAccount(name, account string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException",
		"Stream %s under account %s not found.", name, account)
}

func streamExists(name string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceInUseException",
		"Stream %s under account %s already exists.", name, wire.Account)
}

func notActive(name, status string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceInUseException",
		"Stream %s under account %s not ACTIVE, instead in state %s", name, wire.Account, status)
}

// shardQuotaExceeded is AWS's answer to a request that would take the
// account's open shards in a region over its quota.
func shardQuotaExceeded(region string, current, limit, additional int) *awserr.Error {
	return limitExceeded("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		wire.Account, region, current, limit, additional)
}

func shardNotFound(shardID, stream string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException",
		"Shard %s in stream %s under account %s does not exist", shardID, stream, wire.Account)
}

func couldNotFindShard(shardID, stream string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException",
		"Could not find shard %s in stream %s under account %s.", shardID, stream, wire.Account)
}

func throughputExceeded(shardID, stream string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ProvisionedThroughputExceededException",
		"Rate exceeded for shard %s in stream %s under account %s.", shardID, stream, wire.Account)
}

func invalidIterator() *awserr.Error { return invalidArgument("Invalid ShardIterator.") }

func expiredIterator(issued, now time.Time) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ExpiredIteratorException",
		"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
		amzTime(issued), amzTime(now), iteratorTTL.Milliseconds())
}

func expiredNextToken() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ExpiredNextTokenException",
		"The timestamp of the last page token has expired.")
}

// amzTime formats t as AWS's iterator messages do: "Thu Jan 22 01:22:02 UTC 2015".
func amzTime(t time.Time) string { return t.UTC().Format("Mon Jan 2 15:04:05 MST 2006") }

// validation collects constraint violations and reports them in one
// ValidationException, worded as AWS's request validation does.
type validation struct{ msgs []string }

func (v *validation) fail(value, field, constraint string) {
	if len(v.msgs) < 10 {
		v.msgs = append(v.msgs, "Value "+value+" at '"+field+"' failed to satisfy constraint: "+constraint)
	}
}

// quote renders a value as AWS quotes it in a violation.
func quote(s string) string {
	if len(s) > 256 {
		s = s[:256] + "..."
	}
	return "'" + s + "'"
}

func (v *validation) required(present bool, field string) {
	if !present {
		v.fail("null", field, "Member must not be null")
	}
}

func (v *validation) lengthBetween(s *string, field string, lo, hi int) {
	if s == nil {
		return
	}
	n := len([]rune(*s))
	switch {
	case n < lo:
		v.fail(quote(*s), field, "Member must have length greater than or equal to "+itoa(int64(lo)))
	case n > hi:
		v.fail(quote(*s), field, "Member must have length less than or equal to "+itoa(int64(hi)))
	}
}

func (v *validation) rangeBetween(n *int64, field string, lo, hi int64) {
	if n == nil {
		return
	}
	switch {
	case *n < lo:
		v.fail(quote(itoa(*n)), field, "Member must have value greater than or equal to "+itoa(lo))
	case *n > hi:
		v.fail(quote(itoa(*n)), field, "Member must have value less than or equal to "+itoa(hi))
	}
}

func (v *validation) pattern(s *string, field, pattern string, ok func(string) bool) {
	if s != nil && !ok(*s) {
		v.fail(quote(*s), field, "Member must satisfy regular expression pattern: "+pattern)
	}
}

func (v *validation) enum(s *string, field string, values ...string) {
	if s == nil {
		return
	}
	for _, e := range values {
		if *s == e {
			return
		}
	}
	v.fail(quote(*s), field, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (v *validation) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: %s", v.msgs[0])
	default:
		return validationError("%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; "))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
