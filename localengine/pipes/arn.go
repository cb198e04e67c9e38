package pipes

import (
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// arn is a parsed Amazon Resource Name.
type arn struct {
	partition, service, region, account, resource string
}

// parseARN splits arn:<partition>:<service>:<region>:<account>:<resource>;
// the resource may itself hold colons.
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") ||
		parts[2] == "" || parts[5] == "" {
		return arn{}, false
	}
	return arn{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// targetKind names what a pipe delivers to.
type targetKind int

const (
	targetUnknown targetKind = iota
	targetSQS
	targetKinesis
	targetEventBus
	targetAPIDestination
)

func (k targetKind) String() string {
	switch k {
	case targetSQS:
		return "sqs"
	case targetKinesis:
		return "kinesis"
	case targetEventBus:
		return "event-bus"
	case targetAPIDestination:
		return "api-destination"
	}
	return "unknown"
}

// classifyTarget tells which of the supported targets an ARN names, and
// the resource name within it (queue, stream, bus or API destination).
func classifyTarget(s string) (targetKind, arn) {
	a, ok := parseARN(s)
	if !ok || a.region == "" {
		return targetUnknown, a
	}
	switch a.service {
	case "sqs":
		if validQueueName(a.resource) {
			return targetSQS, a
		}
	case "kinesis":
		if name, ok := strings.CutPrefix(a.resource, "stream/"); ok && validStreamName(name) {
			return targetKinesis, a
		}
	case "events":
		if name, ok := strings.CutPrefix(a.resource, "event-bus/"); ok && name != "" {
			return targetEventBus, a
		}
		if rest, ok := strings.CutPrefix(a.resource, "api-destination/"); ok && rest != "" {
			return targetAPIDestination, a
		}
	}
	return targetUnknown, a
}

// streamARNParts splits a Kinesis stream ARN into region and stream name.
func streamARNParts(s string) (region, name string, ok bool) {
	a, ok := parseARN(s)
	if !ok || a.service != "kinesis" || a.region == "" {
		return "", "", false
	}
	name, ok = strings.CutPrefix(a.resource, "stream/")
	if !ok || !validStreamName(name) {
		return "", "", false
	}
	return a.region, name, true
}

// queueARNParts splits an SQS queue ARN into region and queue name.
func queueARNParts(s string) (region, name string, ok bool) {
	a, ok := parseARN(s)
	if !ok || a.service != "sqs" || a.region == "" || !validQueueName(a.resource) {
		return "", "", false
	}
	return a.region, a.resource, true
}

// queueURL is the URL the SQS service resolves to the queue; only its
// path matters to the engine.
func queueURL(name string) string { return "/" + wire.Account + "/" + name }

func validQueueName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 80 {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validStreamName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func pipeARN(region, name string) string {
	return "arn:aws:pipes:" + region + ":" + wire.Account + ":pipe/" + name
}

// pipeFromARN takes the region and pipe name from a pipe ARN.
func pipeFromARN(s string) (region, name string, ok bool) {
	a, ok := parseARN(s)
	if !ok || a.service != "pipes" || a.region == "" || a.account != wire.Account {
		return "", "", false
	}
	name, ok = strings.CutPrefix(a.resource, "pipe/")
	if !ok || !validPipeName(name) {
		return "", "", false
	}
	return a.region, name, true
}

// validPipeName is AWS's rule: 1–64 of [.\-_A-Za-z0-9].
func validPipeName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
