package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxPutEventsEntries = 10
	// maxPutEventsSize bounds the entries of one PutEvents, counted as AWS
	// does: 14 bytes for a Time, and the UTF-8 bytes of Source,
	// DetailType, Detail and every Resources entry.
	maxPutEventsSize = 256 * 1024
	timeEntrySize    = 14
	maxResource      = 2048
	maxTraceHeader   = 500
)

type putEventsEntry struct {
	Source       *string
	DetailType   *string
	Detail       *string
	Resources    []string
	Time         *float64 // epoch seconds
	EventBusName *string
	TraceHeader  *string
}

type putEventsInput struct {
	Entries    []putEventsEntry
	EndpointId *string
}

type putEventsResultEntry struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int
	Entries          []putEventsResultEntry
}

// acceptedEvent is an entry that passed validation: the event as it is
// delivered, decoded for matching, and the deliveries it has.
type acceptedEvent struct {
	result int // index in the answer
	rec    eventRecord
	tasks  []taskRecord
	rules  []*ruleState // the rules it matched, for metrics
}

func entrySize(e *putEventsEntry) int {
	n := len(deref(e.Source)) + len(deref(e.DetailType)) + len(deref(e.Detail))
	if e.Time != nil {
		n += timeEntrySize
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (s *Service) putEvents(ctx context.Context, body []byte) (any, error) {
	var in putEventsInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("entries", in.Entries != nil) {
		v.count("entries", len(in.Entries), 1, maxPutEventsEntries)
	}
	if in.EndpointId != nil {
		v.length("endpointId", *in.EndpointId, 1, 50)
	}
	total := 0
	for i := range in.Entries {
		e := &in.Entries[i]
		f := "entries." + itoa(i+1) + ".member."
		checkBusNameOrArn(&v, f+"eventBusName", e.EventBusName)
		for j, r := range e.Resources {
			v.length(f+"resources."+itoa(j+1)+".member", r, 0, maxResource)
		}
		v.optLength(f+"traceHeader", e.TraceHeader, 1, maxTraceHeader)
		total += entrySize(e)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if total > maxPutEventsSize {
		return nil, validationError("Total size of the entries in the request is over the limit.")
	}
	return s.put(wire.Region(ctx), in.Entries, false)
}

// put accepts entries: the events that match rules are stored with their
// deliveries before put returns, and the deliverer takes them from there.
// forwarded entries come from an event bus target and may carry AWS
// sources.
func (s *Service) put(region string, entries []putEventsEntry, forwarded bool) (putEventsOutput, error) {
	now := s.now()
	out := putEventsOutput{Entries: make([]putEventsResultEntry, len(entries))}
	var accepted []acceptedEvent
	s.mu.RLock()
	for i := range entries {
		ev, code, msg := s.accept(region, &entries[i], now, forwarded)
		if code != "" {
			out.Entries[i] = putEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		out.Entries[i] = putEventsResultEntry{EventId: ev.rec.ID}
		if len(ev.rules) > 0 {
			ev.result = i
			accepted = append(accepted, ev)
		}
	}
	s.mu.RUnlock()
	if err := s.storeEvents(accepted, now); err != nil {
		return putEventsOutput{}, fmt.Errorf("put events: %w", err)
	}
	if len(accepted) > 0 {
		s.kick()
	}
	for _, ev := range accepted {
		for _, r := range ev.rules {
			s.ruleMetric(region, r.rec.Bus, r.rec.Name, "MatchedEvents", unitCount, 1, now)
			s.ruleMetric(region, r.rec.Bus, r.rec.Name, "TriggeredRules", unitCount, 1, now)
		}
	}
	return out, nil
}

// accept validates one entry, builds its event and matches it against the
// bus's rules; s.mu is held for reading. A failed entry has an error code
// and message.
func (s *Service) accept(region string, e *putEventsEntry, now time.Time, forwarded bool) (acceptedEvent, string, string) {
	var ev acceptedEvent
	bus, err := busName(region, e.EventBusName)
	if err != nil {
		return ev, "ResourceNotFoundException", err.Error()
	}
	switch {
	case deref(e.Source) == "":
		return ev, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case deref(e.DetailType) == "":
		return ev, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil:
		return ev, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case !forwarded && strings.HasPrefix(*e.Source, "aws."):
		return ev, "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	detail, err := decodeJSON([]byte(*e.Detail))
	detailObj, isObj := detail.(map[string]any)
	if err != nil || !isObj {
		return ev, "MalformedDetail", "Detail is malformed."
	}
	b := s.region(region).bus(bus)
	if b == nil {
		return ev, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", bus)
	}
	at := now
	if e.Time != nil && !math.IsNaN(*e.Time) && !math.IsInf(*e.Time, 0) && math.Abs(*e.Time) < 1e11 {
		sec, frac := math.Modf(*e.Time)
		at = time.Unix(int64(sec), int64(frac*1e9))
	}
	id := wire.NewRequestID()
	when := at.UTC().Format("2006-01-02T15:04:05Z")
	body, err := envelope(id, *e.DetailType, *e.Source, when, region, e.Resources, *e.Detail)
	if err != nil {
		return ev, "MalformedDetail", "Detail is malformed."
	}
	resources := make([]any, len(e.Resources))
	for i, r := range e.Resources {
		resources[i] = r
	}
	decoded := map[string]any{
		"version": "0", "id": id, "detail-type": *e.DetailType, "source": *e.Source,
		"account": wire.Account, "time": when, "region": region, "resources": resources, "detail": detailObj,
	}
	ev.rec = eventRecord{Region: region, Bus: bus, ID: id, Ingest: now.UnixMilli(), Body: body}
	for _, r := range b.sortedRules() {
		if !ruleEnabled(r.rec.State) || r.pat == nil || !r.pat.matches(decoded) {
			continue
		}
		ev.rules = append(ev.rules, r)
		arn := ruleArn(region, bus, r.rec.Name)
		for _, t := range r.rec.Targets {
			ev.tasks = append(ev.tasks, taskRecord{Rule: r.rec.Name, TargetID: *t.Id, RuleArn: arn, TargetArn: *t.Arn})
		}
	}
	return ev, "", ""
}

// envelope renders the event as EventBridge delivers it.
func envelope(id, detailType, source, when, region string, resources []string, detail string) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(detail)); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 256+compact.Len())
	b = append(b, `{"version":"0","id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"detail-type":`...)
	b = appendJSONString(b, detailType)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, source)
	b = append(b, `,"account":"`+wire.Account+`","time":`...)
	b = appendJSONString(b, when)
	b = append(b, `,"region":`...)
	b = appendJSONString(b, region)
	b = append(b, `,"resources":[`...)
	for i, r := range resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r)
	}
	b = append(b, `],"detail":`...)
	b = append(b, compact.Bytes()...)
	return append(b, '}'), nil
}

// storeEvents writes the accepted events that have deliveries, all due
// now, in one commit.
func (s *Service) storeEvents(events []acceptedEvent, now time.Time) error {
	if !hasTasks(events) {
		return nil
	}
	due := now.UnixNano()
	return s.store.Update(func(tx *bolt.Tx) error {
		meta := bucket(tx, bucketMeta)
		seq := uint64(0)
		if raw := meta.Get(keySeq); len(raw) == 8 {
			seq = beUint64(raw)
		}
		evts, tasks, dues := bucket(tx, bucketEvts), bucket(tx, bucketTasks), bucket(tx, bucketDue)
		for i := range events {
			ev := &events[i]
			if len(ev.tasks) == 0 {
				continue
			}
			seq++
			raw, err := ev.rec.encode()
			if err != nil {
				return err
			}
			if err := evts.Put(seqKey(seq), raw); err != nil {
				return err
			}
			for j := range ev.tasks {
				t := ev.tasks[j]
				t.Due = due
				id := taskID{seq: seq, index: uint16(j)}
				if err := putJSON(tasks, id.key(), t); err != nil {
					return err
				}
				if err := dues.Put(dueKey(due, id), []byte{}); err != nil {
					return err
				}
			}
		}
		return meta.Put(keySeq, seqKey(seq))
	})
}

func hasTasks(events []acceptedEvent) bool {
	for i := range events {
		if len(events[i].tasks) > 0 {
			return true
		}
	}
	return false
}

func beUint64(b []byte) uint64 {
	var n uint64
	for _, c := range b[:8] {
		n = n<<8 | uint64(c)
	}
	return n
}
