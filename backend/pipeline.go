package backend

import (
	"fmt"
	"net/url"
	"strings"
)

// Pipeline is the chain consumer → stream → DLQ → archive → replay target,
// discovered from pipes and Lambda event source mappings or declared in the
// config file.
type Pipeline struct {
	// Consumer is the pipe's or function's name; archive keys start with it.
	Consumer     string `json:"consumer"`
	ConsumerKind string `json:"consumerKind"` // "pipe", "lambda" or "config"
	ConsumerARN  string `json:"consumerArn,omitempty"`
	Stream       string `json:"stream,omitempty"`
	StreamARN    string `json:"streamArn,omitempty"`
	DLQ          string `json:"dlq,omitempty"` // queue name
	DLQURL       string `json:"dlqUrl,omitempty"`
	DLQARN       string `json:"dlqArn,omitempty"`
	// DLQTopicARN is set instead of the DLQ fields when the dead-letter
	// target is an SNS topic (AWS allows one for Kinesis sources): it is
	// no queue, and nothing browses or hydrates it.
	DLQTopicARN string          `json:"dlqTopicArn,omitempty"`
	Archive     ArchiveLocation `json:"archive"`
	Target      Target          `json:"target"`
}

// ArchiveLocation is where a pipeline's failed events are kept.
type ArchiveLocation struct {
	Bucket string `json:"bucket,omitempty"`
	// Prefix is empty or ends with "/".
	Prefix string `json:"prefix,omitempty"`
	// From says where the location came from: "config", "tag", "flag".
	From string `json:"from,omitempty"`
}

// IsSet reports whether the location names a bucket.
func (a ArchiveLocation) IsSet() bool { return a.Bucket != "" }

func (a ArchiveLocation) String() string {
	if a.Bucket == "" {
		return ""
	}
	return "s3://" + a.Bucket + "/" + a.Prefix
}

// TargetKind is what a replay sends to.
type TargetKind string

const (
	TargetNone     TargetKind = ""
	TargetKinesis  TargetKind = "kinesis"
	TargetSQS      TargetKind = "sqs"
	TargetEventBus TargetKind = "eventbus"
	TargetHTTP     TargetKind = "http"
)

// Target is where replayed events go.
type Target struct {
	Kind TargetKind `json:"kind,omitempty"`
	// ARN names a stream, queue or bus; URL an HTTP endpoint, or a
	// queue's URL.
	ARN string `json:"arn,omitempty"`
	URL string `json:"url,omitempty"`
}

func (t Target) String() string {
	if t.URL != "" && t.Kind == TargetHTTP {
		return t.URL
	}
	return t.ARN
}

// ParseTarget reads a replay target: a Kinesis stream, SQS queue or event
// bus ARN, or an http(s) URL.
func ParseTarget(s string) (Target, error) {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return Target{}, fmt.Errorf("replay target %q: not a valid URL", s)
		}
		return Target{Kind: TargetHTTP, URL: s}, nil
	}
	arn, err := ParseARN(s)
	if err != nil {
		return Target{}, fmt.Errorf("replay target: %w", err)
	}
	switch {
	case arn.Service == "kinesis" && strings.HasPrefix(arn.Resource, "stream/"):
		return Target{Kind: TargetKinesis, ARN: s}, nil
	case arn.Service == "sqs":
		return Target{Kind: TargetSQS, ARN: s}, nil
	case arn.Service == "events" && strings.HasPrefix(arn.Resource, "event-bus/"):
		return Target{Kind: TargetEventBus, ARN: s}, nil
	}
	return Target{}, fmt.Errorf("replay target %q: want a Kinesis stream, SQS queue or event bus ARN, or an http(s) URL", s)
}

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits arn:partition:service:region:account:resource.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] == "" {
		return ARN{}, fmt.Errorf("%q is not an ARN", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// Name is the last part of the resource: a stream's, queue's, bus's,
// pipe's or function's name.
func (a ARN) Name() string {
	r := a.Resource
	if i := strings.LastIndexAny(r, "/:"); i >= 0 {
		// function:NAME:qualifier keeps NAME.
		if a.Service == "lambda" {
			fields := strings.Split(r, ":")
			if len(fields) >= 2 {
				return fields[1]
			}
		}
		// api-destination/NAME/UUID and connection/NAME/UUID end in an
		// id no one knows them by.
		if kind, rest, ok := strings.Cut(r, "/"); ok && (kind == "api-destination" || kind == "connection") {
			name, _, _ := strings.Cut(rest, "/")
			return name
		}
		return r[i+1:]
	}
	return r
}
