package decode

import (
	"bytes"
	"errors"
)

// KPL aggregation: the Kinesis Producer Library packs many user records
// into one Kinesis record as
//
//	magic F3 89 9A C2 | protobuf AggregatedRecord | MD5 of the protobuf (16 bytes)
//
// with this schema (proto2):
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag { required string key = 1; optional string value = 2; }

// kplMagic starts every aggregated record.
const kplMagic = "\xf3\x89\x9a\xc2"

// Field numbers of the KPL messages.
const (
	aggPartitionKeyTable    = 1
	aggExplicitHashKeyTable = 2
	aggRecords              = 3

	recPartitionKeyIndex    = 1
	recExplicitHashKeyIndex = 2
	recData                 = 3
)

// UserRecord is one record a producer put, as carried inside an aggregate.
type UserRecord struct {
	PartitionKey string
	// ExplicitHashKey is empty when the producer did not set one.
	ExplicitHashKey string
	Data            []byte
	// SubSequence is the record's position in its aggregate, which with the
	// Kinesis sequence number identifies it (as the KCL does).
	SubSequence int
}

var (
	// ErrNotAggregated: the data does not start with the KPL magic.
	ErrNotAggregated = errors.New("kpl: not an aggregated record")
	// ErrChecksum: the trailing MD5 does not match; the KCL then treats the
	// record as an ordinary one, and so should callers.
	ErrChecksum = errors.New("kpl: MD5 checksum mismatch")
	// ErrMalformed: the protobuf does not decode as an AggregatedRecord.
	ErrMalformed = errors.New("kpl: malformed aggregated record")
)

// IsAggregated reports whether data starts with the KPL aggregation magic.
func IsAggregated(data []byte) bool {
	return bytes.HasPrefix(data, []byte(kplMagic))
}
