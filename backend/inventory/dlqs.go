package inventory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
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
	SourceConfig SourceKind = "config" // a pipeline of the sluice config names it
)

// Source is one thing whose failures land in a DLQ.
type Source struct {
	Kind SourceKind `json:"kind"`
	Name string     `json:"name"`
	ARN  string     `json:"arn,omitempty"`
	// Stream is the Kinesis stream a pipe or a mapping reads, and
	// MaxRecordAgeSeconds its MaximumRecordAgeInSeconds (−1 for
	// infinite): what the data-loss countdown bounds a DLQ's deadline by
	// without receiving. Both are kept from the listing's own reads.
	Stream              string `json:"stream,omitempty"`
	MaxRecordAgeSeconds int    `json:"maximumRecordAgeSeconds,omitempty"`
}

// DLQ is a queue that receives failures, with what sends them.
type DLQ struct {
	Queue   Queue    `json:"queue"`
	Sources []Source `json:"sources"`
	// Archived is set for a queue tagged sluice:archive.
	Archived bool `json:"archived,omitempty"`
	// Notes say what is odd about the queue (not among this profile's
	// queues, deleted).
	Notes []string `json:"notes,omitempty"`
	// Failure is set when the queue itself could not be read (a
	// cross-account DLQ whose GetQueueUrl is denied): its counts are
	// unknown, and the same failure is among the listing's.
	Failure *backend.Failure `json:"failure,omitempty"`
}

// DeadLetterTopic is an SNS topic that receives failures: AWS lets a
// pipe or an event source mapping with a Kinesis source send its
// dead-letter metadata to one. It is no queue: there is nothing to
// browse or hydrate, so it is listed apart from the DLQs.
type DeadLetterTopic struct {
	ARN     string   `json:"arn"`
	Name    string   `json:"name"`
	Sources []Source `json:"sources"`
}

// DLQList is what ListDLQs could read, and each failure beside it.
type DLQList struct {
	DLQs     []DLQ             `json:"dlqs"`
	Topics   []DeadLetterTopic `json:"topics,omitempty"`
	Failures backend.Failures  `json:"failures,omitempty"`
}

// ListDLQs finds every queue that is a dead-letter target: of a queue's
// RedrivePolicy, a pipe's DeadLetterConfig, a Lambda event source
// mapping's OnFailure destination, an EventBridge rule target's
// DeadLetterConfig, or a pipeline of the config (declared); and every
// queue tagged sluice:archive, which is meant to be one.
//
// The four services are read at once, each bounded by ServiceTimeout (or
// Timeout): one that is denied, throttled, not served or silent is a
// Failure, and the others' DLQs are listed. A DLQ that is named (by a
// pipe, a mapping, a rule or the config) but not among the queues
// listed — another account, or ListQueues failed — is looked up by
// itself; when that fails too it is still listed, with its failure.
func ListDLQs(ctx context.Context, s *backend.Session, declared []config.Pipeline, opts ...Option) DLQList {
	d := timeoutOf(opts)
	var (
		mu      sync.Mutex
		queues  []Queue
		fs      backend.Failures
		sources = map[string][]Source{} // by DLQ ARN
	)
	add := func(arn string, src Source) {
		mu.Lock()
		defer mu.Unlock()
		sources[arn] = append(sources[arn], src)
	}
	failed := func(more ...backend.Failure) {
		mu.Lock()
		defer mu.Unlock()
		fs = append(fs, more...)
	}
	var g errgroup.Group
	g.Go(func() error {
		urls, err := bounded(ctx, d, ListQueues(s).All)
		if err != nil {
			failed(s.Failure("sqs", "", err))
		}
		qs, more := describeEach(ctx, s, "sqs", queueConcurrency, d, urls, QueueResource,
			func(ctx context.Context, u string) (Queue, error) { return describeQueue(ctx, s, u, opts) }, isQueueMissing)
		failed(more...)
		mu.Lock()
		queues = qs
		mu.Unlock()
		return nil
	})
	g.Go(func() error {
		pipes, more := describePipes(ctx, s, opts)
		failed(more...)
		for _, p := range pipes {
			if isDeadLetterARN(p.DLQARN) {
				src := Source{Kind: SourcePipe, Name: p.Name, ARN: p.ARN}
				if isKinesisStreamARN(p.Source) {
					src.Stream, src.MaxRecordAgeSeconds = p.Source, p.MaximumRecordAgeSeconds
				}
				add(p.DLQARN, src)
			}
		}
		return nil
	})
	g.Go(func() error {
		esms, err := eventSourceMappings(ctx, s, d, opts)
		if err != nil {
			failed(s.Failure("lambda", "", err))
		}
		for _, m := range esms {
			if isDeadLetterARN(m.OnFailureARN) {
				add(m.OnFailureARN, Source{Kind: SourceLambda, Name: m.Function, ARN: m.FunctionARN,
					Stream: m.StreamARN, MaxRecordAgeSeconds: m.MaximumRecordAgeSeconds})
			}
		}
		return nil
	})
	g.Go(func() error {
		rules, more := ruleDLQs(ctx, s, d)
		failed(more...)
		for arn, src := range rules {
			for _, x := range src {
				add(arn, x)
			}
		}
		return nil
	})
	_ = g.Wait() // every part keeps its failures; none ends the others
	for _, q := range queues {
		if r := q.RedrivePolicy; r != nil && r.DeadLetterTargetARN != "" {
			sources[r.DeadLetterTargetARN] = append(sources[r.DeadLetterTargetARN], Source{Kind: SourceSQS, Name: q.Name, ARN: q.ARN})
		}
	}
	extra := lookUpNamed(ctx, s, d, declared, queues, sources, &fs)
	l := collectDLQs(append(queues, extra.queues...), sources, extra.refs)
	l.DLQs = append(l.DLQs, extra.failed...)
	sort.SliceStable(l.DLQs, func(i, j int) bool { return l.DLQs[i].Queue.Name < l.DLQs[j].Queue.Name })
	l.Failures = sortFailures(fs)
	return l
}

// DeclaredDLQs lists only the DLQs the config's pipelines name, each
// looked up by itself (GetQueueUrl, GetQueueAttributes) under
// ServiceTimeout (or Timeout), with the config as their only source. It
// lists no queues and calls neither Pipes, Lambda nor EventBridge, so
// that a screen can show the operator's own pipelines' DLQs at once
// while ListDLQs still waits on a slow or silent service; ListDLQs gives
// the whole list, these included. A declared DLQ that cannot be read is
// listed with its failure, as ListDLQs lists it.
func DeclaredDLQs(ctx context.Context, s *backend.Session, declared []config.Pipeline, opts ...Option) DLQList {
	var fs backend.Failures
	sources := map[string][]Source{} // only the config's SNS topics
	extra := lookUpNamed(ctx, s, timeoutOf(opts), declared, nil, sources, &fs)
	l := collectDLQs(extra.queues, sources, extra.refs)
	l.DLQs = append(l.DLQs, extra.failed...)
	sort.SliceStable(l.DLQs, func(i, j int) bool { return l.DLQs[i].Queue.Name < l.DLQs[j].Queue.Name })
	l.Failures = sortFailures(fs)
	return l
}

// namedQueues is what looking up the DLQs named but not listed gave.
type namedQueues struct {
	queues []Queue
	// refs are the config's sources by queue reference (name, URL or
	// ARN), matched to a queue by collectDLQs.
	refs map[string][]Source
	// failed are the DLQs that could not be read, listed with their
	// failure.
	failed []DLQ
}

// lookUpNamed reads, one by one, the DLQs that sources or the config
// name but the queue listing did not give, and adds the config's
// sources.
func lookUpNamed(ctx context.Context, s *backend.Session, d time.Duration, declared []config.Pipeline,
	queues []Queue, sources map[string][]Source, fs *backend.Failures) namedQueues {
	out := namedQueues{refs: map[string][]Source{}}
	listed := func(ref string) bool {
		for _, q := range queues {
			if q.ARN == ref || q.URL == ref || (!strings.Contains(ref, ":") && q.Name == ref) {
				return true
			}
		}
		return false
	}
	var todo []string
	seen := map[string]bool{}
	want := func(ref string) {
		if !seen[ref] && !listed(ref) {
			seen[ref] = true
			todo = append(todo, ref)
		}
	}
	for _, p := range declared {
		if p.DLQ == "" {
			continue
		}
		src := Source{Kind: SourceConfig, Name: firstSet(p.Consumer, p.Pipe)}
		if isSNSARN(p.DLQ) {
			sources[p.DLQ] = append(sources[p.DLQ], src)
			continue
		}
		out.refs[p.DLQ] = append(out.refs[p.DLQ], src)
		want(p.DLQ)
	}
	for arn := range sources {
		if isSQSARN(arn) {
			want(arn)
		}
	}
	sort.Strings(todo)
	got := make([]Queue, len(todo))
	errs := make([]error, len(todo))
	var g errgroup.Group
	g.SetLimit(describeConcurrency)
	for i, ref := range todo {
		if failure, ok := failureOf(*fs, QueueResource(ref)); ok && failure.Kind != backend.FailNotFound {
			// Listed, but its attributes could not be read: said once.
			errs[i] = failure
			continue
		}
		g.Go(func() error {
			got[i], errs[i] = bounded(ctx, d, func(ctx context.Context) (Queue, error) {
				url, err := QueueURL(ctx, s, ref)
				if err != nil {
					return Queue{}, err
				}
				return DescribeQueue(ctx, s, url)
			})
			return nil
		})
	}
	_ = g.Wait()
	for i, ref := range todo {
		err := errs[i]
		switch {
		case err == nil:
			out.queues = append(out.queues, got[i])
			continue
		case isQueueMissing(err) && isSQSARN(ref):
			// collectDLQs notes it as not among the queues.
			sources[ref] = append(sources[ref], out.refs[ref]...)
			delete(out.refs, ref)
			continue
		}
		q := Queue{Name: QueueName(ref)}
		switch {
		case isSQSARN(ref):
			q.ARN = ref
		case strings.Contains(ref, "://"):
			q.URL = ref
		}
		f, ok := err.(backend.Failure)
		if !ok {
			f = s.Failure("sqs", QueueResource(ref), err)
			*fs = append(*fs, f)
		}
		dlq := DLQ{Queue: q, Sources: sortSources(append(append([]Source(nil), sources[ref]...), out.refs[ref]...)), Failure: &f}
		delete(sources, ref)
		delete(out.refs, ref)
		out.failed = append(out.failed, dlq)
	}
	return out
}

func failureOf(fs backend.Failures, resource string) (backend.Failure, bool) {
	for _, f := range fs {
		if f.Resource == resource {
			return f, true
		}
	}
	return backend.Failure{}, false
}

// collectDLQs pairs the sources with their queues; a target that is not
// among the queues (another account, or deleted) is kept with what its
// ARN says, and an SNS topic is listed apart.
func collectDLQs(queues []Queue, sources map[string][]Source, refs map[string][]Source) DLQList {
	var l DLQList
	seen := map[string]bool{}
	for _, q := range queues {
		if seen[q.ARN] {
			continue
		}
		src, targeted := sources[q.ARN]
		for ref, more := range refs {
			if ref == q.ARN || ref == q.URL || ref == q.Name {
				src, targeted = append(src, more...), true
			}
		}
		_, tagged := q.Tags[ArchiveTag]
		if !targeted && !tagged {
			continue
		}
		seen[q.ARN] = true
		l.DLQs = append(l.DLQs, DLQ{Queue: q, Sources: sortSources(src), Archived: tagged})
	}
	for arn, src := range sources {
		switch {
		case seen[arn]:
		case isSNSARN(arn):
			l.Topics = append(l.Topics, DeadLetterTopic{ARN: arn, Name: QueueName(arn), Sources: sortSources(src)})
		default:
			l.DLQs = append(l.DLQs, DLQ{
				Queue: Queue{Name: QueueName(arn), ARN: arn}, Sources: sortSources(src),
				Notes: []string{fmt.Sprintf("queue %s is not among this profile's queues (another account or region, or deleted)", arn)},
			})
		}
	}
	sort.Slice(l.DLQs, func(i, j int) bool { return l.DLQs[i].Queue.Name < l.DLQs[j].Queue.Name })
	sort.Slice(l.Topics, func(i, j int) bool { return l.Topics[i].Name < l.Topics[j].Name })
	return l
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

// sortFailures orders failures by service and resource, so that a
// listing read concurrently reads the same each time.
func sortFailures(fs backend.Failures) backend.Failures {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Service != fs[j].Service {
			return fs[i].Service < fs[j].Service
		}
		return fs[i].Resource < fs[j].Resource
	})
	return fs
}

// isDeadLetterARN reports a dead-letter target sluice lists: an SQS
// queue, or an SNS topic (listed apart). An S3 bucket destination of an
// event source mapping is neither.
func isDeadLetterARN(arn string) bool { return isSQSARN(arn) || isSNSARN(arn) }
