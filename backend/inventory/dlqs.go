package inventory

import (
	"context"
	"fmt"
	"sort"

	"github.com/sluicehq/sluice/backend"
)

// ArchiveTag is the tag, on a DLQ or a pipe, whose value
// (s3://bucket/prefix) says where the pipeline's failed events are
// archived.
const ArchiveTag = "sluice:archive"

// SourceKind is what sends failures to a DLQ.
type SourceKind string

const (
	SourceSQS    SourceKind = "sqs"    // a queue's RedrivePolicy
	SourcePipe   SourceKind = "pipe"   // a pipe's DeadLetterConfig
	SourceLambda SourceKind = "lambda" // an event source mapping's OnFailure destination
	SourceRule   SourceKind = "rule"   // an EventBridge rule target's DeadLetterConfig
)

// Source is one thing whose failures land in a DLQ.
type Source struct {
	Kind SourceKind `json:"kind"`
	Name string     `json:"name"`
	ARN  string     `json:"arn,omitempty"`
}

// DLQ is a queue that receives failures, with what sends them.
type DLQ struct {
	Queue   Queue    `json:"queue"`
	Sources []Source `json:"sources"`
	// Archived is set for a queue tagged sluice:archive.
	Archived bool `json:"archived,omitempty"`
	// Notes say which kinds of source could not be checked (Lambda on an
	// endpoint without it), so that Sources may be incomplete.
	Notes []string `json:"notes,omitempty"`
}

// DLQs finds every queue that is a dead-letter target: of a queue's
// RedrivePolicy, a pipe's DeadLetterConfig, a Lambda event source
// mapping's OnFailure destination or an EventBridge rule target's
// DeadLetterConfig; and every queue tagged sluice:archive, which is
// meant to be one. Sources that this endpoint does not serve, or that
// the profile may not list, are noted rather than failing the whole.
func DLQs(ctx context.Context, s *backend.Session) ([]DLQ, error) {
	urls, err := ListQueues(s).All(ctx)
	if err != nil {
		return nil, err
	}
	queues, err := describeAll(ctx, queueConcurrency, urls, func(ctx context.Context, u string) (Queue, error) {
		return DescribeQueue(ctx, s, u)
	}, isQueueMissing)
	if err != nil {
		return nil, err
	}
	sources := map[string][]Source{} // by DLQ ARN
	for _, q := range queues {
		if r := q.RedrivePolicy; r != nil && r.DeadLetterTargetARN != "" {
			sources[r.DeadLetterTargetARN] = append(sources[r.DeadLetterTargetARN], Source{Kind: SourceSQS, Name: q.Name, ARN: q.ARN})
		}
	}
	var notes []string
	note := func(n string) { notes = append(notes, n) }

	switch pipes, err := DescribePipes(ctx, s); {
	case err == nil:
		for _, p := range pipes {
			if p.DLQARN != "" {
				sources[p.DLQARN] = append(sources[p.DLQARN], Source{Kind: SourcePipe, Name: p.Name, ARN: p.ARN})
			}
		}
	default:
		n, err := skippable(s, "pipes", err)
		if err != nil {
			return nil, err
		}
		note(n)
	}
	switch esms, err := EventSourceMappings(ctx, s); {
	case err == nil:
		for _, m := range esms {
			if isSQSARN(m.OnFailureARN) {
				sources[m.OnFailureARN] = append(sources[m.OnFailureARN], Source{Kind: SourceLambda, Name: m.Function, ARN: m.FunctionARN})
			}
		}
	default:
		n, err := skippable(s, "Lambda event source mappings", err)
		if err != nil {
			return nil, err
		}
		note(n)
	}
	switch rules, err := ruleDLQs(ctx, s); {
	case err == nil:
		for arn, src := range rules {
			sources[arn] = append(sources[arn], src...)
		}
	default:
		n, err := skippable(s, "EventBridge rules", err)
		if err != nil {
			return nil, err
		}
		note(n)
	}
	return collectDLQs(queues, sources, notes), nil
}

// collectDLQs pairs the sources with their queues; a target that is not
// among the queues listed (another account, or deleted) is kept with
// what its ARN says.
func collectDLQs(queues []Queue, sources map[string][]Source, notes []string) []DLQ {
	var out []DLQ
	seen := map[string]bool{}
	for _, q := range queues {
		src, targeted := sources[q.ARN]
		_, tagged := q.Tags[ArchiveTag]
		if !targeted && !tagged {
			continue
		}
		seen[q.ARN] = true
		out = append(out, DLQ{Queue: q, Sources: sortSources(src), Archived: tagged})
	}
	for arn, src := range sources {
		if seen[arn] {
			continue
		}
		out = append(out, DLQ{
			Queue: Queue{Name: QueueName(arn), ARN: arn}, Sources: sortSources(src),
			Notes: []string{fmt.Sprintf("queue %s is not among this profile's queues (another account or region, or deleted)", arn)},
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Queue.Name < out[j].Queue.Name })
	for i := range out {
		out[i].Notes = append(out[i].Notes, notes...)
	}
	return out
}

func sortSources(src []Source) []Source {
	if src == nil {
		return []Source{}
	}
	sort.Slice(src, func(i, j int) bool {
		if src[i].Kind != src[j].Kind {
			return src[i].Kind < src[j].Kind
		}
		return src[i].Name < src[j].Name
	})
	return src
}
