package tail

import (
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
