package inventory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

// Discovery is what pipeline discovery found, with notes on what it could
// not check or resolve.
type Discovery struct {
	Pipelines []backend.Pipeline `json:"pipelines"`
	Notes     []string           `json:"notes,omitempty"`
}

// Pipelines discovers the pipelines of pipes and Lambda event source
// mappings that read a Kinesis stream, merges the config's declared ones
// into them (config wins field by field; one with no discovered match is
// added), and finds each one's archive: the config's, else the
// sluice:archive tag of its DLQ, else of its pipe, else archiveFlag.
func Pipelines(ctx context.Context, s *backend.Session, declared []config.Pipeline, archiveFlag string) ([]backend.Pipeline, error) {
	d, err := Discover(ctx, s, declared, archiveFlag)
	return d.Pipelines, err
}

// candidate is a pipeline being assembled, with what its archive may come
// from.
type candidate struct {
	backend.Pipeline
	pipeName        string // the pipe behind it, before a config rename
	pipeTags        map[string]string
	declaredArchive string
	notes           []string
}

// Discover is Pipelines with the notes: sources this endpoint does not
// serve, declared resources that do not exist, targets sluice cannot
// replay to.
func Discover(ctx context.Context, s *backend.Session, declared []config.Pipeline, archiveFlag string) (Discovery, error) {
	var d Discovery
	var flag backend.ArchiveLocation
	if archiveFlag != "" {
		bucket, prefix, err := config.ParseS3URL(archiveFlag)
		if err != nil {
			return d, fmt.Errorf("--archive: %w", err)
		}
		flag = backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}
	}
	var cands []*candidate
	pipesListed := true
	pipes, err := DescribePipes(ctx, s)
	if err != nil {
		n, err := skippable(s, "pipes", err)
		if err != nil {
			return d, err
		}
		d.Notes, pipesListed = append(d.Notes, n), false
	}
	for _, p := range pipes {
		if !isKinesisStreamARN(p.Source) {
			continue
		}
		c := &candidate{pipeName: p.Name, pipeTags: p.Tags, Pipeline: backend.Pipeline{
			Consumer: p.Name, ConsumerKind: "pipe", ConsumerARN: p.ARN,
			Stream: StreamName(p.Source), StreamARN: p.Source,
			DLQARN: p.DLQARN,
		}}
		if p.DLQARN != "" {
			c.DLQ = QueueName(p.DLQARN)
		}
		c.Target = pipeTarget(ctx, s, p, &c.notes)
		cands = append(cands, c)
	}
	esms, err := EventSourceMappings(ctx, s)
	if err != nil {
		n, err := skippable(s, "Lambda event source mappings", err)
		if err != nil {
			return d, err
		}
		d.Notes = append(d.Notes, n)
	}
	for _, m := range esms {
		c := &candidate{Pipeline: backend.Pipeline{
			Consumer: m.Function, ConsumerKind: "lambda", ConsumerARN: m.FunctionARN,
			Stream: StreamName(m.StreamARN), StreamARN: m.StreamARN,
		}}
		if isSQSARN(m.OnFailureARN) {
			c.DLQARN, c.DLQ = m.OnFailureARN, QueueName(m.OnFailureARN)
		}
		cands = append(cands, c)
	}
	for _, decl := range declared {
		c := findDeclared(cands, decl)
		if c == nil {
			c = &candidate{Pipeline: backend.Pipeline{Consumer: firstSet(decl.Consumer, decl.Pipe), ConsumerKind: "config"}}
			if decl.Pipe != "" && pipesListed {
				c.notes = append(c.notes, fmt.Sprintf("pipeline %s: pipe %s declared in the config does not exist", c.Consumer, decl.Pipe))
			}
			cands = append(cands, c)
		}
		c.apply(decl)
	}
	var mu sync.Mutex
	tagsByURL := map[string]map[string]string{}
	queueTags := func(ctx context.Context, url string) (map[string]string, error) {
		mu.Lock()
		t, ok := tagsByURL[url]
		mu.Unlock()
		if ok {
			return t, nil
		}
		t, err := QueueTags(ctx, s, url)
		if err == nil {
			mu.Lock()
			tagsByURL[url] = t
			mu.Unlock()
		}
		return t, err
	}
	err = forEach(ctx, describeConcurrency, len(cands), func(ctx context.Context, i int) error {
		return cands[i].resolve(ctx, s, flag, queueTags)
	})
	if err != nil {
		return d, err
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Consumer < cands[j].Consumer })
	d.Pipelines = make([]backend.Pipeline, 0, len(cands))
	for _, c := range cands {
		d.Pipelines = append(d.Pipelines, c.Pipeline)
		d.Notes = append(d.Notes, c.notes...)
	}
	return d, nil
}

// findDeclared finds the discovered pipeline a declared one overrides:
// by pipe name when it names a pipe, else by consumer name.
func findDeclared(cands []*candidate, decl config.Pipeline) *candidate {
	for _, c := range cands {
		if decl.Pipe != "" {
			if c.pipeName == decl.Pipe {
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
		c.DLQ, c.DLQURL, c.DLQARN = QueueName(decl.DLQ), "", ""
		switch {
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
		c.Target = t
	}
}

// resolve finds the stream's ARN and the DLQ's URL and ARN where the
// pipeline lacks them, and its archive.
func (c *candidate) resolve(ctx context.Context, s *backend.Session, flag backend.ArchiveLocation,
	queueTags func(context.Context, string) (map[string]string, error)) error {
	if c.StreamARN == "" && c.Stream != "" {
		out, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(c.Stream)})
		switch {
		case err == nil:
			c.StreamARN = aws.ToString(out.StreamDescriptionSummary.StreamARN)
		case backend.IsCode(err, "ResourceNotFoundException"):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: stream %s does not exist", c.Consumer, c.Stream))
		default:
			return fmt.Errorf("pipeline %s: stream %s: %w", c.Consumer, c.Stream, s.Explain(err))
		}
	}
	if c.DLQURL == "" && (c.DLQARN != "" || c.DLQ != "") {
		url, err := QueueURL(ctx, s, firstSet(c.DLQARN, c.DLQ))
		switch {
		case err == nil:
			c.DLQURL = url
		case isQueueMissing(err):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: DLQ %s does not exist", c.Consumer, c.DLQ))
		default:
			return fmt.Errorf("pipeline %s: %w", c.Consumer, err)
		}
	}
	if c.DLQARN == "" && c.DLQURL != "" {
		arn, err := QueueARN(ctx, s, c.DLQURL)
		switch {
		case err == nil:
			c.DLQARN = arn
		case isQueueMissing(err):
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: DLQ %s does not exist", c.Consumer, c.DLQURL))
			c.DLQURL = ""
		default:
			return fmt.Errorf("pipeline %s: %w", c.Consumer, err)
		}
	}
	return c.findArchive(ctx, flag, queueTags)
}

// findArchive applies the precedence: config, the DLQ's tag, the pipe's
// tag, --archive. A tag that is not an s3:// URL is noted and passed
// over.
func (c *candidate) findArchive(ctx context.Context, flag backend.ArchiveLocation,
	queueTags func(context.Context, string) (map[string]string, error)) error {
	if c.declaredArchive != "" {
		bucket, prefix, err := config.ParseS3URL(c.declaredArchive)
		if err != nil {
			return fmt.Errorf("pipeline %s: archive: %w", c.Consumer, err)
		}
		c.Archive = backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "config"}
		return nil
	}
	if c.DLQURL != "" {
		tags, err := queueTags(ctx, c.DLQURL)
		if err != nil && !isQueueMissing(err) {
			return fmt.Errorf("pipeline %s: %w", c.Consumer, err)
		}
		loc, err := tagLocation(tags, "queue "+c.DLQ)
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("pipeline %s: %v", c.Consumer, err))
		}
		if loc.IsSet() {
			c.Archive = loc
			return nil
		}
	}
	loc, err := tagLocation(c.pipeTags, "pipe "+c.pipeName)
	if err != nil {
		c.notes = append(c.notes, fmt.Sprintf("pipeline %s: %v", c.Consumer, err))
	}
	if loc.IsSet() {
		c.Archive = loc
		return nil
	}
	c.Archive = flag
	return nil
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
// sluice cannot replay to are noted and left empty.
func pipeTarget(ctx context.Context, s *backend.Session, p Pipe, notes *[]string) backend.Target {
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
		out, err := s.EventBridge().DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)})
		if err != nil {
			*notes = append(*notes, fmt.Sprintf("pipe %s: API destination %s: %v", p.Name, name, s.Explain(err)))
			return backend.Target{}
		}
		return backend.Target{Kind: backend.TargetHTTP, ARN: p.Target, URL: aws.ToString(out.InvocationEndpoint)}
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
