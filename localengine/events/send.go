package events

import (
	"strings"
	"time"

	"github.com/sluicehq/sluice/localengine/inproc"
)

// delivery is what one attempt works from: the event, decoded on demand.
type delivery struct {
	j    *job
	rule *ruleRecord
	t    *target
	doc  any
	dec  bool
}

// event returns the decoded event (nil if it does not decode, which the
// deliverer's own envelopes always do).
func (d *delivery) event() any {
	if !d.dec {
		d.doc, _ = decodeJSON(d.j.ev.Body)
		d.dec = true
	}
	return d.doc
}

// resolve evaluates a parameter value that may be a JSON path into the
// event ("$.detail.id"); other values are taken as they are.
func (d *delivery) resolve(v string) string {
	if !strings.HasPrefix(v, "$.") {
		return v
	}
	p, ok := parseJSONPath(v)
	if !ok {
		return v
	}
	x, found := p.eval(d.event())
	if !found {
		return ""
	}
	return textOf(x)
}

// payload is what the target receives: the event, or what Input,
// InputPath or InputTransformer make of it.
func (d *delivery) payload() string {
	t := d.t
	switch {
	case t.Input != nil:
		return *t.Input
	case t.InputPath != nil && *t.InputPath != "" && *t.InputPath != "$":
		p, ok := parseJSONPath(*t.InputPath)
		if !ok {
			return string(d.j.ev.Body)
		}
		v, found := p.eval(d.event())
		if !found {
			return "null"
		}
		return marshalJSON(v)
	case t.InputTransformer != nil && t.InputTransformer.InputTemplate != nil:
		it := t.InputTransformer
		c := &templateContext{
			event: d.event(), eventJSON: string(d.j.ev.Body), ruleArn: d.j.task.RuleArn, ruleName: d.rule.Name,
			ingestion: time.UnixMilli(d.j.ev.Ingest).UTC().Format(time.RFC3339), paths: map[string]jsonPath{},
		}
		for k, v := range it.InputPathsMap {
			if p, ok := parseJSONPath(v); ok {
				c.paths[k] = p
			}
		}
		return renderTemplate(*it.InputTemplate, c)
	default:
		return string(d.j.ev.Body)
	}
}

// deliver makes one attempt.
func (s *Service) deliver(j job, rule *ruleRecord, t *target) outcome {
	d := &delivery{j: &j, rule: rule, t: t}
	kind, a, name := classifyTarget(*t.Arn)
	switch kind {
	case kindSQS:
		return s.sendSQS(d, a.region, name)
	case kindKinesis:
		return s.sendKinesis(d, a.region, name)
	case kindAPIDestination:
		return s.sendAPIDestination(d)
	case kindEventBus:
		return s.sendEventBus(d, a.region, name)
	default:
		return failed(false, "NO_RESOURCE", "The sluice local engine does not deliver to %s: only SQS queues, Kinesis streams, API destinations and event buses are targets here.", *t.Arn)
	}
}

func (s *Service) sendSQS(d *delivery, region, queue string) outcome {
	if s.cfg.SQS == nil {
		return failed(false, "NO_RESOURCE", "SQS is not available.")
	}
	in := sqsSendInput{QueueUrl: queuePath(queue), MessageBody: d.payload()}
	if strings.HasSuffix(queue, ".fifo") {
		if d.t.SqsParameters != nil {
			in.MessageGroupId = deref(d.t.SqsParameters.MessageGroupId)
		}
		in.MessageDeduplicationId = d.j.ev.ID
	}
	if err := inproc.Call(inproc.InRegion(s.ctx, region), s.cfg.SQS, "SendMessage", in, nil); err != nil {
		return classifyError(err)
	}
	return outcome{ok: true}
}

type kinesisPutInput struct {
	StreamName   string
	Data         []byte
	PartitionKey string
}

func (s *Service) sendKinesis(d *delivery, region, stream string) outcome {
	if s.cfg.Kinesis == nil {
		return failed(false, "NO_RESOURCE", "Kinesis is not available.")
	}
	key := ""
	if kp := d.t.KinesisParameters; kp != nil && kp.PartitionKeyPath != nil && *kp.PartitionKeyPath != "" {
		if p, ok := parseJSONPath(*kp.PartitionKeyPath); ok {
			if v, found := p.eval(d.event()); found {
				key = textOf(v)
			}
		}
	}
	if key == "" {
		key = d.j.ev.ID
	}
	in := kinesisPutInput{StreamName: stream, Data: []byte(d.payload()), PartitionKey: key}
	if err := inproc.Call(inproc.InRegion(s.ctx, region), s.cfg.Kinesis, "PutRecord", in, nil); err != nil {
		return classifyError(err)
	}
	return outcome{ok: true}
}

func (s *Service) sendAPIDestination(d *delivery) outcome {
	call, err := s.resolveDestination(*d.t.Arn)
	if err != nil {
		return failed(false, "NO_RESOURCE", "%v", err)
	}
	if hp := d.t.HttpParameters; hp != nil {
		for _, v := range hp.PathParameterValues {
			call.pathVals = append(call.pathVals, d.resolve(v))
		}
		call.headers = map[string]string{}
		for k, v := range hp.HeaderParameters {
			call.headers[k] = d.resolve(v)
		}
		call.query = map[string]string{}
		for k, v := range hp.QueryStringParameters {
			call.query[k] = d.resolve(v)
		}
	}
	for {
		ok, wait := s.limits.take(call.arn, call.dest.RateLimit, time.Now())
		if ok {
			break
		}
		if wait > maxInlineThrottle {
			return outcome{throttled: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return failed(true, "INTERNAL_ERROR", "The engine is shutting down.")
		case <-t.C:
		}
	}
	status, err := s.callDestination(s.ctx, call, []byte(d.payload()))
	if err != nil {
		return classifyError(err)
	}
	return httpOutcome(status)
}

// sendEventBus puts the event on another bus, where that bus's rules
// match it anew.
func (s *Service) sendEventBus(d *delivery, region, bus string) outcome {
	if region == d.j.ev.Region && bus == d.j.ev.Bus {
		return failed(false, "INVALID_PARAMETER", "An event bus cannot be a target of its own rules.")
	}
	ev, ok := d.event().(map[string]any)
	if !ok {
		return failed(false, "INVALID_JSON", "The event is not a JSON object.")
	}
	str := func(k string) *string {
		v, _ := ev[k].(string)
		return &v
	}
	entry := putEventsEntry{Source: str("source"), DetailType: str("detail-type"), EventBusName: &bus}
	detail := marshalJSON(ev["detail"])
	entry.Detail = &detail
	if rs, ok := ev["resources"].([]any); ok {
		for _, r := range rs {
			if r, ok := r.(string); ok {
				entry.Resources = append(entry.Resources, r)
			}
		}
	}
	if when, err := time.Parse(time.RFC3339, *str("time")); err == nil {
		sec := float64(when.Unix())
		entry.Time = &sec
	}
	out, err := s.put(region, []putEventsEntry{entry}, true)
	if err != nil {
		return failed(true, "INTERNAL_ERROR", "%v", err)
	}
	if out.FailedEntryCount > 0 {
		e := out.Entries[0]
		code := "INVALID_PARAMETER"
		if e.ErrorCode == "ResourceNotFoundException" {
			code = "NO_RESOURCE"
		}
		return failed(false, code, "%s: %s", e.ErrorCode, e.ErrorMessage)
	}
	return outcome{ok: true}
}
