// Package trace follows one event across the pipeline: the record in the
// stream, the DLQ messages whose batch covers it, its archived object, and
// the replayed copy with what the replay did, and every replay attempt
// recorded for it.
package trace

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/dlq"
)

// Request names the event: where it is in the stream.
type Request struct {
	StreamARN, ShardID, SequenceNumber string
	// Consumer narrows the search to one pipeline; empty means every
	// pipeline of the stream.
	Consumer string
	// Arrival, when known, finds the archived object without reading the
	// stream (whose retention may have passed).
	Arrival time.Time
	// Browse browses the DLQs this session has not browsed yet. Without
	// it a trace receives nothing: it looks in the browses kept
	// (dlq.Kept) and names the DLQs it could not look in, because a
	// browse raises every message's receive count.
	Browse bool
}

// Trace is where the event was found.
type Trace struct {
	EventID string `json:"eventId"`
	// Record is the record in the stream; nil when it is not there any
	// more (past retention) or could not be read.
	Record     *Record `json:"record,omitempty"`
	StreamNote string  `json:"streamNote,omitempty"`
	DLQ        []Hit   `json:"dlq,omitempty"`
	// DLQs says, for each DLQ of the stream's pipelines, what was looked
	// in: a browse kept from earlier (with its time), a browse made now,
	// or nothing (Unbrowsed).
	DLQs []DLQSearch `json:"dlqs,omitempty"`
	// DLQNote says what looking did (receive counts raised) or why not.
	DLQNote  string          `json:"dlqNote,omitempty"`
	Archived []ArchivedEvent `json:"archived,omitempty"`
	Notes    []string        `json:"notes,omitempty"`
}

// Record is the stream's copy of the event.
type Record struct {
	PartitionKey string    `json:"partitionKey"`
	Arrival      time.Time `json:"arrival"`
	Data         []byte    `json:"data"`
}

// Hit is a DLQ message whose batch holds the event.
type Hit struct {
	Queue        string    `json:"queue"`
	MessageID    string    `json:"messageId"`
	Condition    string    `json:"condition"`
	Consumer     string    `json:"consumer"`
	ReceiveCount int       `json:"receiveCount"`
	FailedAt     time.Time `json:"failedAt"`
}

// DLQSearch is what a trace looked in for one DLQ.
type DLQSearch struct {
	Queue string `json:"queue"`
	URL   string `json:"url"`
	// BrowsedAt is when the browse searched was made; zero when the
	// queue was not browsed (Unbrowsed).
	BrowsedAt time.Time `json:"browsedAt,omitzero"`
	// Unbrowsed: the session has not browsed the queue and the trace did
	// not, since browsing raises receive counts; Request.Browse does.
	Unbrowsed bool `json:"unbrowsed,omitempty"`
	// BrowsedNow: this trace browsed it (Request.Browse).
	BrowsedNow bool   `json:"browsedNow,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Unbrowsed names the DLQs the trace could not look in without browsing.
func (t Trace) Unbrowsed() []string {
	var out []string
	for _, d := range t.DLQs {
		if d.Unbrowsed {
			out = append(out, d.Queue)
		}
	}
	return out
}

// ArchivedEvent is the event in a pipeline's archive, waiting or replayed.
type ArchivedEvent struct {
	Bucket   string          `json:"bucket"`
	Key      string          `json:"key"`
	Consumer string          `json:"consumer"`
	Replayed bool            `json:"replayed"`
	Replay   *archive.Replay `json:"replay,omitempty"`
	Failure  archive.Failure `json:"failure"`
	// Attempts are the replay attempts recorded in the archive's
	// manifests (failed ones, and accepted ones not marked), oldest first.
	Attempts []archive.Attempt `json:"attempts,omitempty"`
}

// Find looks for r in the stream, in the DLQs and archives of the
// pipelines reading the stream. In a DLQ it looks at what the session
// browsed (dlq.Kept) and receives nothing; a DLQ not browsed is named in
// DLQs as Unbrowsed, for the operator to browse (r.Browse), since a
// browse raises every message's receive count.
func Find(ctx context.Context, s *backend.Session, pipelines []backend.Pipeline, r Request) (Trace, error) {
	if r.StreamARN == "" || r.ShardID == "" || r.SequenceNumber == "" {
		return Trace{}, errors.New("trace: need the stream ARN, shard and sequence number")
	}
	t := Trace{EventID: archive.EventID(r.StreamARN, r.ShardID, r.SequenceNumber)}
	rec, err := readRecord(ctx, s, r)
	switch {
	case err != nil:
		t.StreamNote = err.Error()
	case rec == nil:
		t.StreamNote = "not in the stream any more (past its retention)"
	default:
		t.Record = rec
		if r.Arrival.IsZero() {
			r.Arrival = rec.Arrival
		}
	}
	streamName := arnName(r.StreamARN)
	var searched int
	for _, p := range pipelines {
		if p.StreamARN != r.StreamARN && p.Stream != streamName {
			continue
		}
		if r.Consumer != "" && p.Consumer != r.Consumer {
			continue
		}
		searched++
		if p.DLQURL != "" {
			hits, search := searchDLQ(ctx, s, p, r)
			t.DLQ = append(t.DLQ, hits...)
			t.DLQs = append(t.DLQs, search)
		}
		if p.Archive.IsSet() {
			found, err := searchArchive(ctx, s, p, r, t.EventID)
			if err != nil {
				t.Notes = append(t.Notes, fmt.Sprintf("archive of %s: %v", p.Consumer, err))
			}
			t.Archived = append(t.Archived, found...)
		}
	}
	t.DLQNote = dlqNote(t.DLQs)
	if searched == 0 {
		t.Notes = append(t.Notes, "no pipeline reads "+streamName+": only the stream was searched")
	}
	return t, nil
}

func arnName(arn string) string {
	a, err := backend.ParseARN(arn)
	if err != nil {
		return arn
	}
	return a.Name()
}

// readRecord reads the one record at the sequence number.
func readRecord(ctx context.Context, s *backend.Session, r Request) (*Record, error) {
	it, err := s.Kinesis().GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamARN: aws.String(r.StreamARN), ShardId: aws.String(r.ShardID),
		ShardIteratorType: ktypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(r.SequenceNumber),
	})
	if err != nil {
		var inv *ktypes.InvalidArgumentException
		if errors.As(err, &inv) {
			return nil, nil
		}
		return nil, fmt.Errorf("read the stream: %w", s.Explain(err))
	}
	out, err := s.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1), StreamARN: aws.String(r.StreamARN)})
	if err != nil {
		return nil, fmt.Errorf("read the stream: %w", s.Explain(err))
	}
	if len(out.Records) == 0 || aws.ToString(out.Records[0].SequenceNumber) != r.SequenceNumber {
		return nil, nil
	}
	rec := out.Records[0]
	return &Record{PartitionKey: aws.ToString(rec.PartitionKey), Arrival: aws.ToTime(rec.ApproximateArrivalTimestamp).UTC(), Data: rec.Data}, nil
}

// searchDLQ looks for messages whose batch covers the sequence number on
// the shard in the pipeline's DLQ as the session browsed it; it browses
// the DLQ only when r.Browse asks and the session has not.
func searchDLQ(ctx context.Context, s *backend.Session, p backend.Pipeline, r Request) ([]Hit, DLQSearch) {
	search := DLQSearch{Queue: p.DLQ, URL: p.DLQURL}
	res, ok := dlq.Kept(s, p.DLQURL)
	switch {
	case !ok && !r.Browse:
		search.Unbrowsed = true
		return nil, search
	case !ok:
		var err error
		if res, err = dlq.Browse(ctx, s, p.DLQURL, dlq.BrowseOptions{Max: dlq.DefaultBrowse}); err != nil {
			search.Note = fmt.Sprintf("could not look in %s: %v", p.DLQ, err)
			return nil, search
		}
		search.BrowsedNow, search.Note = true, res.Warning
	}
	search.BrowsedAt = res.At
	seq, ok := new(big.Int).SetString(r.SequenceNumber, 10)
	if !ok {
		search.Note = "sequence number is not decimal"
		return nil, search
	}
	var hits []Hit
	for _, m := range res.Messages {
		f := m.Failure
		if f == nil || f.Batch.ShardID != r.ShardID || (f.Batch.StreamARN != r.StreamARN && f.Batch.Stream() != arnName(r.StreamARN)) {
			continue
		}
		lo, ok1 := new(big.Int).SetString(f.Batch.StartSequenceNumber, 10)
		hi, ok2 := new(big.Int).SetString(f.Batch.EndSequenceNumber, 10)
		if ok1 && ok2 && seq.Cmp(lo) >= 0 && seq.Cmp(hi) <= 0 {
			hits = append(hits, Hit{Queue: p.DLQ, MessageID: m.ID, Condition: f.Condition, Consumer: f.Consumer,
				ReceiveCount: m.ReceiveCount, FailedAt: f.Timestamp})
		}
	}
	if !res.Complete && search.Note == "" {
		search.Note = fmt.Sprintf("the browse of %s saw %d of about %d messages", p.DLQ, len(res.Messages), res.Queue.Visible)
	}
	return hits, search
}

// dlqNote says what the DLQ search could not cover and what browsing
// would cost.
func dlqNote(searches []DLQSearch) string {
	var unbrowsed []string
	for _, d := range searches {
		if d.Unbrowsed {
			unbrowsed = append(unbrowsed, d.Queue)
		}
	}
	if len(unbrowsed) == 0 {
		return ""
	}
	return fmt.Sprintf("not looked in %s: not browsed in this session, and browsing raises the receive count of every message it reads (SQS counts every receive)",
		strings.Join(unbrowsed, ", "))
}

// searchArchive looks for the event's object, waiting or replayed, in the
// hours around its arrival (or, with no arrival known, the whole archive).
func searchArchive(ctx context.Context, s *backend.Session, p backend.Pipeline, r Request, id string) ([]ArchivedEvent, error) {
	var out []ArchivedEvent
	for _, replayed := range []bool{false, true} {
		q := archive.Query{Consumer: p.Consumer, Replayed: replayed}
		if !r.Arrival.IsZero() {
			q.Since, q.Until = r.Arrival.Add(-time.Hour), r.Arrival.Add(time.Hour)
		}
		pager := archive.List(s, p.Archive, q)
		for pager.More() {
			objs, err := pager.Next(ctx)
			if err != nil {
				return out, err
			}
			for _, o := range objs {
				if o.ID != id {
					continue
				}
				ev, err := archive.Get(ctx, s, o.Bucket, o.Key)
				if err != nil {
					return out, err
				}
				h, err := archive.HourHistory(ctx, s, p.Archive, p.Consumer, o.Arrival, archive.ManyOptions{})
				out = append(out, ArchivedEvent{Bucket: o.Bucket, Key: o.Key, Consumer: p.Consumer, Replayed: replayed, Replay: ev.Replay,
					Failure: ev.Failure, Attempts: h[id]})
				if err != nil {
					return out, err
				}
			}
		}
	}
	return out, nil
}
