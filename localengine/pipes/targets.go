package pipes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/localengine/inproc"
)

// target delivers batches of records. send delivers batch in order and
// returns how many records, from the first, the target took (all of them
// when err is nil), and whether it failed because it throttled.
type target interface {
	send(ctx context.Context, shard string, batch []kinRecord) (delivered int, throttled bool, err error)
}

// targetError is a failure the target reported.
type targetError struct {
	code, message string
}

func (e *targetError) Error() string { return e.code + ": " + e.message }

// throttleCodes are the errors that mean "too fast", counted as
// ExecutionThrottled.
var throttleCodes = map[string]bool{
	"ThrottlingException": true, "ProvisionedThroughputExceededException": true,
	"RequestThrottled": true, "TooManyRequestsException": true, "LimitExceededException": true,
}

func isThrottle(err error) bool {
	var te *targetError
	if errors.As(err, &te) {
		return throttleCodes[te.code]
	}
	return throttleCodes[errorCode(err)]
}

func (s *Service) newTarget(p *pipeRecord, run *runner) (target, error) {
	kind, a := classifyTarget(p.Target)
	r := &targetBase{s: s, r: run, region: a.region, arn: p.Target}
	tp := p.TargetParams
	switch kind {
	case targetSQS:
		if s.cfg.SQS == nil {
			return nil, errors.New("no SQS service")
		}
		t := &sqsTarget{targetBase: r, url: queueURL(a.resource), fifo: strings.HasSuffix(a.resource, ".fifo")}
		if q := tp.SqsQueueParameters; q != nil {
			t.groupID, t.dedupID = q.MessageGroupId, q.MessageDeduplicationId
		}
		return t, nil
	case targetKinesis:
		if s.cfg.Kinesis == nil {
			return nil, errors.New("no Kinesis service")
		}
		t := &kinesisTarget{targetBase: r}
		if k := tp.KinesisStreamParameters; k != nil && k.PartitionKey != nil {
			t.partitionKey = *k.PartitionKey
		}
		return t, nil
	case targetEventBus:
		if s.cfg.Events == nil {
			return nil, errors.New("no EventBridge service")
		}
		t := &busTarget{targetBase: r, source: "Pipe " + p.Name, detailType: "Event from aws:kinesis"}
		if b := tp.EventBridgeEventBusParameters; b != nil {
			if b.Source != nil {
				t.source = *b.Source
			}
			if b.DetailType != nil {
				t.detailType = *b.DetailType
			}
			if b.Time != nil {
				t.time = *b.Time
			}
			t.resources = b.Resources
		}
		return t, nil
	case targetAPIDestination:
		if s.cfg.Events == nil {
			return nil, errors.New("no EventBridge service")
		}
		return &apiTarget{targetBase: r}, nil
	}
	return nil, fmt.Errorf("target %q is not supported", p.Target)
}

// targetBase is what every target knows: the runner it serves, the
// target's region and ARN.
type targetBase struct {
	s      *Service
	r      *runner
	region string
	arn    string
}

func (t *targetBase) ctx(ctx context.Context) context.Context { return inproc.InRegion(ctx, t.region) }

// Limits of the services' batch calls.
const (
	sqsBatchEntries   = 10
	sqsBatchBytes     = 1 << 20
	kinesisBatchMax   = 500
	kinesisBatchBytes = 5 << 20
	busBatchEntries   = 10
	busBatchBytes     = 256 << 10
)

// sqsTarget sends each event as one message, ten to a SendMessageBatch.
// For a FIFO queue the calls go one after another, so that the queue
// keeps the events' order; a standard queue promises no order, so there
// the calls of a batch run concurrently and share the queue's commits.
type sqsTarget struct {
	*targetBase
	url              string
	fifo             bool
	groupID, dedupID *string
}

type sqsEntry struct {
	Id                     string
	MessageBody            string
	MessageGroupId         *string `json:",omitempty"`
	MessageDeduplicationId *string `json:",omitempty"`
}

// sqsChunk is one SendMessageBatch: entries for batch[start:start+len].
type sqsChunk struct {
	start   int
	entries []sqsEntry
}

// sqsConcurrency bounds the calls of one batch in flight to a standard
// queue.
const sqsConcurrency = 8

func (t *sqsTarget) send(ctx context.Context, shard string, batch []kinRecord) (int, bool, error) {
	chunks, usable, perr := t.chunks(shard, batch)
	results := make([]error, len(chunks))
	if t.fifo || len(chunks) == 1 {
		for i := range chunks {
			if results[i] = t.sendChunk(ctx, &chunks[i]); results[i] != nil {
				results = results[:i+1]
				chunks = chunks[:i+1]
				break
			}
		}
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, sqsConcurrency)
		for i := range chunks {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				results[i] = t.sendChunk(ctx, &chunks[i])
			}()
		}
		wg.Wait()
	}
	// Delivered is the prefix of the batch up to the first failure; what a
	// later call took is sent again on retry (a standard queue may see it
	// twice, as at-least-once delivery allows).
	for i, err := range results {
		if err != nil {
			var fe *sqsEntryError
			if errors.As(err, &fe) {
				return chunks[i].start + fe.index, isThrottle(fe.targetError), fe.targetError
			}
			return chunks[i].start, isThrottle(err), err
		}
	}
	if perr != nil {
		return usable, false, perr
	}
	return len(batch), false, nil
}

// chunks cuts the batch into SendMessageBatch calls. A record whose
// target parameters cannot be resolved ends the usable part of the batch:
// usable records before it are sent, and its error is returned.
func (t *sqsTarget) chunks(shard string, batch []kinRecord) ([]sqsChunk, int, error) {
	var chunks []sqsChunk
	var cur sqsChunk
	size := 0
	flush := func() {
		if len(cur.entries) > 0 {
			chunks = append(chunks, cur)
		}
	}
	for i := range batch {
		ev := t.r.event(shard, &batch[i])
		if len(cur.entries) == sqsBatchEntries || len(cur.entries) > 0 && size+len(ev) > sqsBatchBytes {
			flush()
			cur, size = sqsChunk{start: i}, 0
		}
		e := sqsEntry{Id: strconv.Itoa(len(cur.entries)), MessageBody: string(ev)}
		var err error
		if t.groupID != nil {
			e.MessageGroupId, err = t.param(shard, &batch[i], *t.groupID)
		}
		if err == nil && t.dedupID != nil {
			e.MessageDeduplicationId, err = t.param(shard, &batch[i], *t.dedupID)
		}
		if err != nil {
			flush()
			return chunks, i, err
		}
		cur.entries = append(cur.entries, e)
		size += len(ev)
	}
	flush()
	return chunks, len(batch), nil
}

// sqsEntryError is a failed entry of a SendMessageBatch that took the
// entries before it.
type sqsEntryError struct {
	*targetError
	index int
}

func (t *sqsTarget) sendChunk(ctx context.Context, c *sqsChunk) error {
	var out struct {
		Failed []struct {
			Id      string
			Code    string
			Message string
		}
	}
	err := inproc.Call(t.ctx(ctx), t.s.cfg.SQS, "SendMessageBatch",
		map[string]any{"QueueUrl": t.url, "Entries": c.entries}, &out)
	if err != nil {
		return err
	}
	if len(out.Failed) == 0 {
		return nil
	}
	first, code, msg := len(c.entries), "InternalFailure", "the queue refused a message"
	for _, f := range out.Failed {
		if i, err := strconv.Atoi(f.Id); err == nil && i < first {
			first, code, msg = i, f.Code, f.Message
		}
	}
	return &sqsEntryError{targetError: &targetError{code: code, message: msg}, index: min(first, len(c.entries))}
}

func (t *targetBase) param(shard string, rec *kinRecord, p string) (*string, error) {
	v, err := t.r.resolveParam(shard, rec, p)
	if err != nil {
		return nil, &targetError{code: "InvalidParameter", message: "target parameter " + p + ": " + err.Error()}
	}
	return &v, nil
}

// kinesisTarget puts each event as one record, up to 500 to a PutRecords.
type kinesisTarget struct {
	*targetBase
	partitionKey string
}

type putEntry struct {
	Data         []byte
	PartitionKey string
}

func (t *kinesisTarget) send(ctx context.Context, shard string, batch []kinRecord) (int, bool, error) {
	done := 0
	for done < len(batch) {
		var entries []putEntry
		size := 0
		for i := done; i < len(batch) && len(entries) < kinesisBatchMax; i++ {
			ev := t.r.event(shard, &batch[i])
			pk, err := t.param(shard, &batch[i], t.partitionKey)
			if err != nil {
				return done, false, err
			}
			if len(entries) > 0 && size+len(ev)+len(*pk) > kinesisBatchBytes {
				break
			}
			entries = append(entries, putEntry{Data: ev, PartitionKey: *pk})
			size += len(ev) + len(*pk)
		}
		var out struct {
			FailedRecordCount int
			Records           []struct {
				ErrorCode    *string
				ErrorMessage *string
			}
		}
		err := inproc.Call(t.ctx(ctx), t.s.cfg.Kinesis, "PutRecords",
			map[string]any{"StreamARN": t.arn, "Records": entries}, &out)
		if err != nil {
			return done, isThrottle(err), err
		}
		if out.FailedRecordCount > 0 {
			for i, rec := range out.Records {
				if rec.ErrorCode != nil && *rec.ErrorCode != "" {
					ferr := &targetError{code: *rec.ErrorCode, message: deref(rec.ErrorMessage)}
					return done + i, isThrottle(ferr), ferr
				}
			}
			return done, false, &targetError{code: "InternalFailure", message: "PutRecords failed without naming a record"}
		}
		done += len(entries)
	}
	return done, false, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// busTarget puts each event on the bus as the detail of one event, ten to
// a PutEvents.
type busTarget struct {
	*targetBase
	source, detailType, time string
	resources                []string
}

type busEntry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Resources    []string `json:",omitempty"`
	Time         *float64 `json:",omitempty"`
}

func (t *busTarget) send(ctx context.Context, shard string, batch []kinRecord) (int, bool, error) {
	done := 0
	for done < len(batch) {
		var entries []busEntry
		size := 0
		for i := done; i < len(batch) && len(entries) < busBatchEntries; i++ {
			rec := &batch[i]
			e := busEntry{Detail: string(t.r.event(shard, rec)), EventBusName: t.arn, Resources: t.resources}
			for _, f := range []struct {
				dst *string
				p   string
			}{{&e.Source, t.source}, {&e.DetailType, t.detailType}} {
				v, err := t.param(shard, rec, f.p)
				if err != nil {
					return done, false, err
				}
				*f.dst = *v
			}
			if t.time != "" {
				v, err := t.param(shard, rec, t.time)
				if err != nil {
					return done, false, err
				}
				if ts, err := time.Parse(time.RFC3339, *v); err == nil {
					sec := float64(ts.UnixMilli()) / 1000
					e.Time = &sec
				}
			}
			n := len(e.Detail) + len(e.Source) + len(e.DetailType)
			if len(entries) > 0 && size+n > busBatchBytes {
				break
			}
			entries = append(entries, e)
			size += n
		}
		var out struct {
			FailedEntryCount int
			Entries          []struct {
				ErrorCode    *string
				ErrorMessage *string
			}
		}
		err := inproc.Call(t.ctx(ctx), t.s.cfg.Events, "PutEvents", map[string]any{"Entries": entries}, &out)
		if err != nil {
			return done, isThrottle(err), err
		}
		if out.FailedEntryCount > 0 {
			for i, e := range out.Entries {
				if e.ErrorCode != nil && *e.ErrorCode != "" {
					ferr := &targetError{code: *e.ErrorCode, message: deref(e.ErrorMessage)}
					return done + i, isThrottle(ferr), ferr
				}
			}
			return done, false, &targetError{code: "InternalFailure", message: "PutEvents failed without naming an entry"}
		}
		done += len(entries)
	}
	return done, false, nil
}

// apiTarget calls the API destination once per batch, with the batch as
// a JSON array. Any status but 2xx is a failure; 429 is throttling.
type apiTarget struct {
	*targetBase
}

func (t *apiTarget) send(ctx context.Context, shard string, batch []kinRecord) (int, bool, error) {
	status, err := t.s.cfg.Events.InvokeAPIDestination(t.ctx(ctx), t.arn, t.r.batchJSON(shard, batch))
	if err != nil {
		return 0, isThrottle(err), err
	}
	if status < 200 || status > 299 {
		return 0, status == http.StatusTooManyRequests,
			&targetError{code: "HTTP" + strconv.Itoa(status), message: "the API destination answered " + strconv.Itoa(status) + " " + http.StatusText(status)}
	}
	return len(batch), false, nil
}
