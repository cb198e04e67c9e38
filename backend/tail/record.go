package tail

import (
	"bytes"
	"time"

	"github.com/sluicehq/sluice/backend/decode"
)

// Record is one record as a tail delivers it: a Kinesis record, or one user
// record of a KPL aggregate.
type Record struct {
	StreamARN      string
	ShardID        string
	SequenceNumber string
	// SubSequence is the user record's place in its KPL aggregate; -1 for
	// a record that was not aggregated.
	SubSequence  int
	PartitionKey string
	// ExplicitHashKey is set only on user records of an aggregate whose
	// producer chose one: GetRecords does not return it.
	ExplicitHashKey string
	// Arrival is the approximate arrival time in the stream.
	Arrival time.Time
	// Data is the payload. The user records of one aggregate share its
	// buffer; callers must not modify it.
	Data []byte
	// Size is len(Data).
	Size int
	// Aggregated says the record came out of a KPL aggregate.
	Aggregated bool
	// Projection is what the tail's jq expression made of the record when
	// it projected rather than selected (`.detail.orderId`): each output
	// as compact JSON, shown in place of the payload. Nil when the record
	// is shown whole.
	Projection [][]byte
}

// Shown is what stands for the record's payload on screen: its
// projection's values one per line, or its data.
func (r Record) Shown() []byte {
	if r.Projection == nil {
		return r.Data
	}
	return bytes.Join(r.Projection, []byte("\n"))
}

// Payload decodes the record for display and filtering. It costs a full
// decode (JSON parsing, gunzip) each time: call it when the record is
// shown, not for every record read.
func (r Record) Payload() decode.Payload { return decode.Decode(r.Data) }

// Meta is what a filter sees of the record besides its payload.
func (r Record) Meta() decode.Meta {
	return decode.Meta{PartitionKey: r.PartitionKey, ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, Arrival: r.Arrival}
}

// Batch is what one GetRecords call on one shard yielded, after
// de-aggregation and filtering; never empty.
type Batch struct {
	Records            []Record
	Shard              string
	MillisBehindLatest int64
}
