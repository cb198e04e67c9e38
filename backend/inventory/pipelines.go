package inventory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

// Discovery is what pipeline discovery found, with notes on what it
// could not resolve and the failures of what it could not read.
type Discovery struct {
	Pipelines []backend.Pipeline `json:"pipelines"`
	Notes     []string           `json:"notes,omitempty"`
	Failures  backend.Failures   `json:"failures,omitempty"`
}

// Pipelines discovers the pipelines of pipes and Lambda event source
// mappings that read a Kinesis stream, merges the config's declared ones
// into them (config wins field by field; one with no discovered match is
// added), and finds each one's archive: the config's, else the
// sluice:archive tag of its DLQ, else of its pipe, else archiveFlag.
// What could not be read is dropped: a caller that shows the pipelines
// calls Discover, which keeps the failures.
func Pipelines(ctx context.Context, s *backend.Session, declared []config.Pipeline, archiveFlag string) ([]backend.Pipeline, error) {
	d, err := Discover(ctx, s, declared, archiveFlag)
	return d.Pipelines, err
}

// candidate is a pipeline being assembled, with what its archive may come
// from.
type candidate struct {
	backend.Pipeline
	pipe            *Pipe // the pipe behind it, before a config rename
	declaredArchive string
	targetSet       bool // the config names the replay target
	notes           []string
	failures        backend.Failures
}

func (c *candidate) pipeName() string {
	if c.pipe == nil {
		return ""
	}
	return c.pipe.Name
}

// Discover is Pipelines with the notes (declared resources that do not
// exist, targets sluice cannot replay to) and the failures. Pipes and
// Lambda are read at once, each bounded by ServiceTimeout (or Timeout);
// each pipeline is then resolved (stream ARN, DLQ URL and ARN, archive
// tags) on its own, so that one pipeline's failure leaves the others
// whole. A pipeline declared in the config is always listed, whatever
// discovery could read. The error is only for a bad archiveFlag.
func Discover(ctx context.Context, s *backend.Session, declared []config.Pipeline, archiveFlag string, opts ...Option) (Discovery, error) {
	var d Discovery
	var flag backend.ArchiveLocation
	if archiveFlag != "" {
		bucket, prefix, err := config.ParseS3URL(archiveFlag)
		if err != nil {
			return d, fmt.Errorf("--archive: %w", err)
		}
		flag = backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}
	}
	bound := timeoutOf(opts)
	var pipes []Pipe
	var esms []ESM
	var pipeFails, esmFails backend.Failures
	var g errgroup.Group
	g.Go(func() error {
		pipes, pipeFails = describePipes(ctx, s, opts)
		return nil
	})
	g.Go(func() error {
		var err error
		esms, err = eventSourceMappings(ctx, s, bound, opts)
		if err != nil {
			esmFails = serviceFailure(s, "lambda", err)
		}
		return nil
	})
	_ = g.Wait() // each keeps its failures; neither ends the other
	d.Failures = append(pipeFails, esmFails...)
	_, pipesFailed := failureOf(pipeFails, "")
	var cands []*candidate
	for _, p := range pipes {
		if !isKinesisStreamARN(p.Source) {
			continue
		}
		c := &candidate{pipe: &p, Pipeline: backend.Pipeline{
			Consumer: p.Name, ConsumerKind: "pipe", ConsumerARN: p.ARN,
			Stream: StreamName(p.Source), StreamARN: p.Source,
		}}
		c.setDeadLetter(p.DLQARN)
		cands = append(cands, c)
	}
	for _, m := range esms {
		c := &candidate{Pipeline: backend.Pipeline{
			Consumer: m.Function, ConsumerKind: "lambda", ConsumerARN: m.FunctionARN,
			Stream: StreamName(m.StreamARN), StreamARN: m.StreamARN,
		}}
		c.setDeadLetter(m.OnFailureARN)
		cands = append(cands, c)
	}
	for _, decl := range declared {
		c := findDeclared(cands, decl)
		if c == nil {
			c = &candidate{Pipeline: backend.Pipeline{Consumer: firstSet(decl.Consumer, decl.Pipe), ConsumerKind: "config"}}
			if decl.Pipe != "" && !pipesFailed {
				c.notes = append(c.notes, fmt.Sprintf("pipeline %s: pipe %s declared in the config does not exist", c.Consumer, decl.Pipe))
			}
			cands = append(cands, c)
		}
		c.apply(decl)
	}
	tags := &tagCache{byURL: map[string]map[string]string{}, shared: sharedOf(opts)}
	var rg errgroup.Group
	rg.SetLimit(describeConcurrency)
	for _, c := range cands {
		rg.Go(func() error {
			c.resolve(ctx, s, bound, flag, tags)
			return nil
		})
	}
	_ = rg.Wait() // each candidate keeps its own failures
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Consumer < cands[j].Consumer })
	d.Pipelines = make([]backend.Pipeline, 0, len(cands))
	for _, c := range cands {
		d.Pipelines = append(d.Pipelines, c.Pipeline)
		d.Notes = append(d.Notes, c.notes...)
		d.Failures = append(d.Failures, c.failures...)
	}
	return d, nil
}

// setDeadLetter files a discovered dead-letter target: an SQS queue, or
// an SNS topic, which is kept apart so that nothing resolves it as a
// queue. Other destinations (an S3 bucket) are not dead-letter queues.
func (c *candidate) setDeadLetter(arn string) {
	switch {
	case isSQSARN(arn):
		c.DLQARN, c.DLQ = arn, QueueName(arn)
	case isSNSARN(arn):
		c.DLQTopicARN = arn
	}
}

// tagCache reads each queue's tags once per discovery.
type tagCache struct {
	mu    sync.Mutex
	byURL map[string]map[string]string
	// shared, when its inventory is set, is the session's inventory,
	// whose tags outlive one discovery.
	shared sharing
}

func (t *tagCache) get(ctx context.Context, s *backend.Session, url string) (map[string]string, error) {
	t.mu.Lock()
	tags, ok := t.byURL[url]
	t.mu.Unlock()
	if ok {
		return tags, nil
	}
	var err error
	if t.shared.inv != nil {
		tags, err = t.shared.queueTags(ctx, url)
	} else {
		tags, err = QueueTags(ctx, s, url)
	}
	if err == nil {
		t.mu.Lock()
		t.byURL[url] = tags
		t.mu.Unlock()
	}
	return tags, err
}

// findDeclared finds the discovered pipeline a declared one overrides:
// by pipe name when it names a pipe, else by consumer name.
func findDeclared(cands []*candidate, decl config.Pipeline) *candidate {
	for _, c := range cands {
		if decl.Pipe != "" {
			if c.pipeName() == decl.Pipe {
				return c
			}
			continue
		}
		if c.Consumer == decl.Consumer {
			return c
		}
	}
	return nil
}

// apply lets the config win, field by field.
func (c *candidate) apply(decl config.Pipeline) {
	if decl.Consumer != "" {
		c.Consumer = decl.Consumer
	}
	if decl.Stream != "" {
		if strings.HasPrefix(decl.Stream, "arn:") {
			c.Stream, c.StreamARN = StreamName(decl.Stream), decl.Stream
		} else if decl.Stream != c.Stream {
			c.Stream, c.StreamARN = decl.Stream, ""
		}
	}
	if decl.DLQ != "" {
		c.DLQ, c.DLQURL, c.DLQARN, c.DLQTopicARN = QueueName(decl.DLQ), "", "", ""
		switch {
		case isSNSARN(decl.DLQ):
			c.DLQ, c.DLQTopicARN = "", decl.DLQ
		case strings.HasPrefix(decl.DLQ, "arn:"):
			c.DLQARN = decl.DLQ
		case strings.Contains(decl.DLQ, "://"):
			c.DLQURL = decl.DLQ
		}
	}
	if decl.Archive != "" {
		c.declaredArchive = decl.Archive
	}
	if decl.ReplayTarget != "" {
		t, err := backend.ParseTarget(decl.ReplayTarget)
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: %v", c.Consumer, err))
			return
		}
		c.Target, c.targetSet = t, true
	}
}

// resolve finds the stream's ARN, the DLQ's URL and ARN where the
// pipeline lacks them, the pipe's replay target and the archive, each
// call bounded by bound and read through the inventory tags reads
// through, if any. What cannot be read is a failure of this pipeline;
// what is missing, a note.
func (c *candidate) resolve(ctx context.Context, s *backend.Session, bound time.Duration, flag backend.ArchiveLocation, tags *tagCache) {
	sh := tags.shared
	fail := func(service, what string, err error) {
		c.failures = append(c.failures, s.Failure(service, "pipeline "+c.Consumer+": "+what, err))
	}
	if c.pipe != nil && c.Target.Kind == backend.TargetNone && !c.targetSet {
		c.Target = pipeTarget(ctx, s, sh, bound, *c.pipe, &c.notes, fail)
	}
	if c.StreamARN == "" && c.Stream != "" {
		arn, err := bounded(ctx, bound, func(ctx context.Context) (string, error) {
			return sh.lookUp(ctx, lookupStreamARN, c.Stream, func(ctx context.Context) (string, error) {
				out, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(c.Stream)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.StreamDescriptionSummary.StreamARN), nil
			})
		})
		switch {
		case err == nil:
			c.StreamARN = arn
		case backend.IsCode(err, "ResourceNotFoundException"):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: stream %s does not exist", c.Consumer, c.Stream))
		default:
			fail("kinesis", "stream "+c.Stream, err)
		}
	}
	if c.DLQURL == "" && (c.DLQARN != "" || c.DLQ != "") {
		ref := firstSet(c.DLQARN, c.DLQ)
		url, err := bounded(ctx, bound, func(ctx context.Context) (string, error) {
			return sh.lookUp(ctx, lookupQueueURL, ref, func(ctx context.Context) (string, error) { return QueueURL(ctx, s, ref) })
		})
		switch {
		case err == nil:
			c.DLQURL = url
		case isQueueMissing(err):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: DLQ %s does not exist", c.Consumer, c.DLQ))
		default:
			fail("sqs", QueueResource(c.DLQ), err)
		}
	}
	if c.DLQARN == "" && c.DLQURL != "" {
		url := c.DLQURL
		arn, err := bounded(ctx, bound, func(ctx context.Context) (string, error) {
			return sh.lookUp(ctx, lookupQueueARN, url, func(ctx context.Context) (string, error) { return QueueARN(ctx, s, url) })
		})
		switch {
		case err == nil:
			c.DLQARN = arn
		case isQueueMissing(err):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: DLQ %s does not exist", c.Consumer, c.DLQURL))
			c.DLQURL = ""
		default:
			fail("sqs", QueueResource(c.DLQURL), err)
		}
	}
	c.findArchive(ctx, s, bound, flag, tags, fail)
}

// findArchive applies the precedence: config, the DLQ's tag, the pipe's
// tag, --archive. A tag that is not an s3:// URL is noted and passed
// over; tags that cannot be read are a failure, and the next source
// still counts.
func (c *candidate) findArchive(ctx context.Context, s *backend.Session, bound time.Duration, flag backend.ArchiveLocation,
	tags *tagCache, fail func(service, what string, err error)) {
	if c.declaredArchive != "" {
		bucket, prefix, err := config.ParseS3URL(c.declaredArchive)
		if err == nil {
			c.Archive = backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "config"}
			return
		}
		c.notes = append(c.notes, fmt.Sprintf("pipeline %s: archive: %v", c.Consumer, err))
	}
	if c.DLQURL != "" {
		t, err := bounded(ctx, bound, func(ctx context.Context) (map[string]string, error) { return tags.get(ctx, s, c.DLQURL) })
		if err != nil && !isQueueMissing(err) {
			fail("sqs", "tags of "+QueueResource(c.DLQURL), err)
		}
		loc, err := tagLocation(t, "queue "+c.DLQ)
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: %v", c.Consumer, err))
		}
		if loc.IsSet() {
			c.Archive = loc
			return
		}
	}
	if c.pipe != nil {
		loc, err := tagLocation(c.pipe.Tags, "pipe "+c.pipe.Name)
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: %v", c.Consumer, err))
		}
		if loc.IsSet() {
			c.Archive = loc
			return
		}
	}
	c.Archive = flag
}

// tagLocation reads the sluice:archive tag; no tag is no location.
func tagLocation(tags map[string]string, of string) (backend.ArchiveLocation, error) {
	v, ok := tags[ArchiveTag]
	if !ok {
		return backend.ArchiveLocation{}, nil
	}
	bucket, prefix, err := config.ParseS3URL(v)
	if err != nil {
		return backend.ArchiveLocation{}, fmt.Errorf("%s: tag %s: %w", of, ArchiveTag, err)
	}
	return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "tag"}, nil
}

// pipeTarget turns a pipe's target into a replay target: a stream, a
// queue, a bus, or the HTTP endpoint of an API destination. Targets
// sluice cannot replay to are noted and left empty; an API destination
// that cannot be read is a failure.
func pipeTarget(ctx context.Context, s *backend.Session, sh sharing, bound time.Duration, p Pipe, notes *[]string,
	fail func(service, what string, err error)) backend.Target {
	a, err := backend.ParseARN(p.Target)
	if err != nil {
		*notes = append(*notes, fmt.Sprintf("pipe %s: target %q is not an ARN; set replay_target for it in the config", p.Name, p.Target))
		return backend.Target{}
	}
	switch {
	case a.Service == "kinesis" && strings.HasPrefix(a.Resource, "stream/"):
		return backend.Target{Kind: backend.TargetKinesis, ARN: p.Target}
	case a.Service == "sqs":
		return backend.Target{Kind: backend.TargetSQS, ARN: p.Target}
	case a.Service == "events" && strings.HasPrefix(a.Resource, "event-bus/"):
		return backend.Target{Kind: backend.TargetEventBus, ARN: p.Target}
	case a.Service == "events" && strings.HasPrefix(a.Resource, "api-destination/"):
		// api-destination/NAME/ID
		name := strings.Split(a.Resource, "/")[1]
		endpoint, err := bounded(ctx, bound, func(ctx context.Context) (string, error) {
			return sh.lookUp(ctx, lookupAPIDest, name, func(ctx context.Context) (string, error) {
				out, err := s.EventBridge().DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.InvocationEndpoint), nil
			})
		})
		if err != nil {
			fail("eventbridge", "API destination "+name, err)
			return backend.Target{}
		}
		return backend.Target{Kind: backend.TargetHTTP, ARN: p.Target, URL: endpoint}
	}
	*notes = append(*notes, fmt.Sprintf("pipe %s: sluice does not replay to its target %s; set replay_target for it in the config", p.Name, p.Target))
	return backend.Target{}
}

// PipelineForConsumer finds the pipeline of a consumer (a pipe's or a
// function's name).
func PipelineForConsumer(pipelines []backend.Pipeline, consumer string) (backend.Pipeline, bool) {
	for _, p := range pipelines {
		if p.Consumer == consumer {
			return p, true
		}
	}
	return backend.Pipeline{}, false
}

// PipelineForDLQ finds the pipeline whose DLQ is the queue given by URL,
// ARN or name. When several pipelines have DLQs of that name (in other
// accounts), the queue's ARN decides.
func PipelineForDLQ(ctx context.Context, s *backend.Session, pipelines []backend.Pipeline, queue string) (backend.Pipeline, bool) {
	var byName []backend.Pipeline
	for _, p := range pipelines {
		if (p.DLQURL != "" && p.DLQURL == queue) || (p.DLQARN != "" && p.DLQARN == queue) {
			return p, true
		}
		if p.DLQ != "" && p.DLQ == QueueName(queue) {
			byName = append(byName, p)
		}
	}
	switch len(byName) {
	case 0:
		return backend.Pipeline{}, false
	case 1:
		return byName[0], true
	}
	url, err := QueueURL(ctx, s, queue)
	if err != nil {
		return backend.Pipeline{}, false
	}
	arn, err := QueueARN(ctx, s, url)
	if err != nil {
		return backend.Pipeline{}, false
	}
	for _, p := range byName {
		if p.DLQARN == arn || p.DLQURL == url {
			return p, true
		}
	}
	return backend.Pipeline{}, false
}

func firstSet(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
