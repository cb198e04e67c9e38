package decode

import "crypto/md5"

// Aggregate packs records into one KPL aggregated record, byte for byte as
// the KPL writes it: the partition and explicit hash key tables hold each
// distinct key once, in order of first use, and a record without an
// explicit hash key has no index for it. SubSequence is ignored. It is the
// producer side of Deaggregate, for tests and for the local demo producer.
func Aggregate(records []UserRecord) []byte {
	var (
		pkIndex  = map[string]uint64{}
		ehkIndex = map[string]uint64{}
		pkTable  []string
		ehkTable []string
		size     = len(kplMagic) + md5.Size
	)
	for _, r := range records {
		if _, ok := pkIndex[r.PartitionKey]; !ok {
			pkIndex[r.PartitionKey] = uint64(len(pkTable))
			pkTable = append(pkTable, r.PartitionKey)
			size += 1 + varintSize(uint64(len(r.PartitionKey))) + len(r.PartitionKey)
		}
		if r.ExplicitHashKey == "" {
			continue
		}
		if _, ok := ehkIndex[r.ExplicitHashKey]; !ok {
			ehkIndex[r.ExplicitHashKey] = uint64(len(ehkTable))
			ehkTable = append(ehkTable, r.ExplicitHashKey)
			size += 1 + varintSize(uint64(len(r.ExplicitHashKey))) + len(r.ExplicitHashKey)
		}
	}
	for _, r := range records {
		n := recordSize(r, pkIndex, ehkIndex)
		size += 1 + varintSize(uint64(n)) + n
	}

	out := make([]byte, 0, size)
	out = append(out, kplMagic...)
	for _, pk := range pkTable {
		out = appendStringField(out, aggPartitionKeyTable, pk)
	}
	for _, ehk := range ehkTable {
		out = appendStringField(out, aggExplicitHashKeyTable, ehk)
	}
	for _, r := range records {
		out = appendKey(out, aggRecords, wireBytes)
		out = appendVarint(out, uint64(recordSize(r, pkIndex, ehkIndex)))
		out = appendVarintField(out, recPartitionKeyIndex, pkIndex[r.PartitionKey])
		if r.ExplicitHashKey != "" {
			out = appendVarintField(out, recExplicitHashKeyIndex, ehkIndex[r.ExplicitHashKey])
		}
		out = appendBytesField(out, recData, r.Data)
	}
	sum := md5.Sum(out[len(kplMagic):])
	return append(out, sum[:]...)
}

// recordSize is the encoded length of r's Record message.
func recordSize(r UserRecord, pkIndex, ehkIndex map[string]uint64) int {
	n := 1 + varintSize(pkIndex[r.PartitionKey])
	if r.ExplicitHashKey != "" {
		n += 1 + varintSize(ehkIndex[r.ExplicitHashKey])
	}
	return n + 1 + varintSize(uint64(len(r.Data))) + len(r.Data)
}
