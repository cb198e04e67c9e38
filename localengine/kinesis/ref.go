package kinesis

import (
	"context"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// streamIDInput is how every stream action names its stream: by name, by
// ARN, or both. StreamId (for streams created in another account's
// channel) is accepted and ignored.
type streamIDInput struct {
	StreamName *string
	StreamARN  *string
	StreamId   *string
}

type streamRef struct{ region, name string }

func streamNameOK(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

const (
	streamNamePattern = "[a-zA-Z0-9_.-]+"
	streamARNPattern  = `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`
	shardIDPattern    = "[a-zA-Z0-9_.-]+"
)

func streamARNOK(s string) bool {
	_, _, _, ok := splitARN(s)
	return ok
}

// splitARN splits arn:<partition>:kinesis:<region>:<account>:stream/<name>.
func splitARN(s string) (region, account, name string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return "", "", "", false
	}
	account = parts[4]
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return "", "", "", false
	}
	name, found := strings.CutPrefix(parts[5], "stream/")
	if !found || name == "" || strings.ContainsAny(name, " \t\r\n\f\v") {
		return "", "", "", false
	}
	return parts[3], account, name, true
}

// check adds the constraint violations of the stream's name and ARN.
func (in *streamIDInput) check(v *validation) {
	v.lengthBetween(in.StreamName, "streamName", 1, 128)
	v.pattern(in.StreamName, "streamName", streamNamePattern, streamNameOK)
	v.lengthBetween(in.StreamARN, "streamARN", 1, 2048)
	v.pattern(in.StreamARN, "streamARN", streamARNPattern, streamARNOK)
}

// resolve names the stream the request is about, in the request's region.
// An ARN must be of this engine's account and of the request's region.
func (in *streamIDInput) resolve(ctx context.Context) (streamRef, error) {
	region := wire.Region(ctx)
	if in.StreamARN == nil {
		if in.StreamName == nil {
			return streamRef{}, invalidArgument("Either StreamName or StreamARN must be provided.")
		}
		return streamRef{region: region, name: *in.StreamName}, nil
	}
	arnRegion, account, name, ok := splitARN(*in.StreamARN)
	if !ok {
		return streamRef{}, invalidArgument("Invalid StreamARN %s.", *in.StreamARN)
	}
	if arnRegion != region {
		return streamRef{}, invalidArgument("Invalid StreamARN %s: the region %s does not match the region of the request, %s.", *in.StreamARN, arnRegion, region)
	}
	if !streamNameOK(name) || len(name) > 128 {
		return streamRef{}, invalidArgument("Invalid StreamARN %s.", *in.StreamARN)
	}
	if account != wire.Account {
		return streamRef{}, awsNotFoundInAccount(name, account)
	}
	if in.StreamName != nil && *in.StreamName != name {
		return streamRef{}, invalidArgument("StreamARN %s and StreamName %s do not name the same stream.", *in.StreamARN, *in.StreamName)
	}
	return streamRef{region: region, name: name}, nil
}
