package decode

import (
	"crypto/md5"
	"fmt"
)

// Deaggregate unpacks a KPL aggregated record into its user records, in
// order. The records' Data alias data. An error (ErrNotAggregated,
// ErrChecksum or ErrMalformed, wrapped with detail) means the record should
// be shown as it is.
func Deaggregate(data []byte) ([]UserRecord, error) {
	if !IsAggregated(data) {
		return nil, ErrNotAggregated
	}
	if len(data) < len(kplMagic)+md5.Size {
		return nil, fmt.Errorf("%w: %d bytes is too short for magic and checksum", ErrMalformed, len(data))
	}
	message := data[len(kplMagic) : len(data)-md5.Size]
	if md5.Sum(message) != [md5.Size]byte(data[len(data)-md5.Size:]) {
		return nil, ErrChecksum
	}
	agg, err := parseAggregatedRecord(message)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	records := make([]UserRecord, 0, len(agg.records))
	for i, raw := range agg.records {
		rec, err := agg.userRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: %w", ErrMalformed, i, err)
		}
		rec.SubSequence = i
		records = append(records, rec)
	}
	return records, nil
}

// aggregatedRecord is an AggregatedRecord with its records still encoded:
// the tables may follow the records on the wire, so records are resolved
// only once the whole message has been read.
type aggregatedRecord struct {
	partitionKeys    []string
	explicitHashKeys []string
	records          [][]byte
}

func parseAggregatedRecord(b []byte) (aggregatedRecord, error) {
	var agg aggregatedRecord
	for len(b) > 0 {
		f, rest, err := nextField(b)
		if err != nil {
			return agg, err
		}
		b = rest
		switch f.number {
		case aggPartitionKeyTable:
			if err := f.expect(wireBytes, "partition_key_table"); err != nil {
				return agg, err
			}
			agg.partitionKeys = append(agg.partitionKeys, string(f.bytes))
		case aggExplicitHashKeyTable:
			if err := f.expect(wireBytes, "explicit_hash_key_table"); err != nil {
				return agg, err
			}
			agg.explicitHashKeys = append(agg.explicitHashKeys, string(f.bytes))
		case aggRecords:
			if err := f.expect(wireBytes, "records"); err != nil {
				return agg, err
			}
			agg.records = append(agg.records, f.bytes)
		}
		// Unknown fields are skipped, as protobuf requires.
	}
	return agg, nil
}

// userRecord decodes one Record message and resolves its table indexes.
func (agg aggregatedRecord) userRecord(b []byte) (UserRecord, error) {
	var (
		rec                    UserRecord
		pkIndex, ehkIndex      uint64
		hasPK, hasEHK, hasData bool
	)
	for len(b) > 0 {
		f, rest, err := nextField(b)
		if err != nil {
			return rec, err
		}
		b = rest
		switch f.number {
		case recPartitionKeyIndex:
			if err := f.expect(wireVarint, "partition_key_index"); err != nil {
				return rec, err
			}
			pkIndex, hasPK = f.varint, true
		case recExplicitHashKeyIndex:
			if err := f.expect(wireVarint, "explicit_hash_key_index"); err != nil {
				return rec, err
			}
			ehkIndex, hasEHK = f.varint, true
		case recData:
			if err := f.expect(wireBytes, "data"); err != nil {
				return rec, err
			}
			rec.Data, hasData = f.bytes, true
		}
		// Tags (field 4) and unknown fields are skipped: nothing shows them.
	}
	if !hasPK {
		return rec, fmt.Errorf("required partition_key_index missing")
	}
	if !hasData {
		return rec, fmt.Errorf("required data missing")
	}
	if pkIndex >= uint64(len(agg.partitionKeys)) {
		return rec, fmt.Errorf("partition key index %d out of range (table has %d)", pkIndex, len(agg.partitionKeys))
	}
	rec.PartitionKey = agg.partitionKeys[pkIndex]
	if hasEHK {
		if ehkIndex >= uint64(len(agg.explicitHashKeys)) {
			return rec, fmt.Errorf("explicit hash key index %d out of range (table has %d)", ehkIndex, len(agg.explicitHashKeys))
		}
		rec.ExplicitHashKey = agg.explicitHashKeys[ehkIndex]
	}
	return rec, nil
}
