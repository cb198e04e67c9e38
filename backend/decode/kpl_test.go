package decode

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAggregateRoundTrip(t *testing.T) {
	records := []UserRecord{
		{PartitionKey: "order-1", Data: []byte(`{"id":1}`)},
		{PartitionKey: "order-2", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte(`{"id":2}`)},
		{PartitionKey: "order-1", Data: []byte(`{"id":3}`)}, // shared partition key
		{PartitionKey: "order-3", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte{}},
		{PartitionKey: "", Data: []byte{0, 1, 2}}, // empty key is still a key
	}
	for i := range 200 { // enough keys for two-byte varint indexes
		records = append(records, UserRecord{PartitionKey: fmt.Sprintf("key-%03d", i), ExplicitHashKey: fmt.Sprint(i % 3), Data: bytes.Repeat([]byte{byte(i)}, i)})
	}
	for i := range records {
		records[i].SubSequence = i
	}
	agg := Aggregate(records)
	if !IsAggregated(agg) {
		t.Fatal("Aggregate output lacks the KPL magic")
	}
	got, err := Deaggregate(agg)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRecords(got, records) {
		t.Fatalf("round trip changed records:\n got %+v\nwant %+v", got[:5], records[:5])
	}
	if n := bytes.Count(agg, []byte("order-1")); n != 1 {
		t.Errorf("partition key order-1 stored %d times, want once in the table", n)
	}
	if n := bytes.Count(agg, []byte("170141183460469231731687303715884105728")); n != 1 {
		t.Errorf("explicit hash key stored %d times, want once in the table", n)
	}
}

func TestAggregateEmpty(t *testing.T) {
	got, err := Deaggregate(Aggregate(nil))
	if err != nil || len(got) != 0 {
		t.Fatalf("Deaggregate(Aggregate(nil)) = %v, %v", got, err)
	}
}

// kplVector is an AggregatedRecord written byte by byte from the protobuf
// schema, with the tables after a record, a tag, and unknown fields of every
// wire type, none of which Aggregate writes.
var kplVector = []byte{
	0x0a, 0x03, 'p', 'k', '1', // partition_key_table[0] = "pk1"
	0x1a, 0x07, // records[0], 7 bytes:
	0x08, 0x00, //   partition_key_index = 0
	0x1a, 0x03, 'a', 'b', 'c', //   data = "abc"
	0x0a, 0x03, 'p', 'k', '2', // partition_key_table[1] = "pk2"
	0x12, 0x02, '4', '2', // explicit_hash_key_table[0] = "42"
	0x1a, 0x0e, // records[1], 14 bytes:
	0x08, 0x01, //   partition_key_index = 1
	0x10, 0x00, //   explicit_hash_key_index = 0
	0x1a, 0x01, 'x', //   data = "x"
	0x22, 0x05, 0x0a, 0x01, 'k', 0x12, 0x00, //   tags[0] = {key: "k", value: ""}
	0x48, 0x01, // unknown field 9, varint
	0xc2, 0x3e, 0x01, 'q', // unknown field 1000, length-delimited
	0x1a, 0x19, // records[2], 25 bytes:
	0x08, 0x00, //   partition_key_index = 0
	0x28, 0x96, 0x01, //   unknown field 5, varint 150
	0x31, 1, 2, 3, 4, 5, 6, 7, 8, //   unknown field 6, fixed64
	0x3d, 1, 2, 3, 4, //   unknown field 7, fixed32
	0x42, 0x02, 'z', 'z', //   unknown field 8, length-delimited
	0x1a, 0x00, //   data = ""
}

func TestDeaggregateHandWrittenVector(t *testing.T) {
	got, err := Deaggregate(kplWrap(kplVector))
	if err != nil {
		t.Fatal(err)
	}
	want := []UserRecord{
		{PartitionKey: "pk1", Data: []byte("abc"), SubSequence: 0},
		{PartitionKey: "pk2", ExplicitHashKey: "42", Data: []byte("x"), SubSequence: 1},
		{PartitionKey: "pk1", Data: []byte{}, SubSequence: 2},
	}
	if !sameRecords(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestAggregateExactBytes checks Aggregate against an encoding written by
// hand, so that the round trip is not the only witness of the format.
func TestAggregateExactBytes(t *testing.T) {
	got := Aggregate([]UserRecord{
		{PartitionKey: "pk1", Data: []byte("abc")},
		{PartitionKey: "pk2", ExplicitHashKey: "42", Data: []byte("x")},
		{PartitionKey: "pk1", Data: nil},
	})
	want := kplWrap([]byte{
		0x0a, 0x03, 'p', 'k', '1',
		0x0a, 0x03, 'p', 'k', '2',
		0x12, 0x02, '4', '2',
		0x1a, 0x07, 0x08, 0x00, 0x1a, 0x03, 'a', 'b', 'c',
		0x1a, 0x07, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x01, 'x',
		0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00,
	})
	if !bytes.Equal(got, want) {
		t.Fatalf("Aggregate =\n% x\nwant\n% x", got, want)
	}
}

func TestDeaggregateErrors(t *testing.T) {
	good := Aggregate([]UserRecord{{PartitionKey: "k", Data: []byte("v")}})
	badSum := bytes.Clone(good)
	badSum[len(badSum)-1] ^= 1
	badBody := bytes.Clone(good)
	badBody[6] ^= 1

	tests := []struct {
		name    string
		data    []byte
		is      error
		mention string
	}{
		{"not aggregated", []byte(`{"a":1}`), ErrNotAggregated, ""},
		{"too short", []byte("\xf3\x89\x9a\xc2abc"), ErrMalformed, "too short"},
		{"bad checksum", badSum, ErrChecksum, ""},
		{"body changed", badBody, ErrChecksum, ""},
		{"partition key index out of range", kplWrap([]byte{0x0a, 0x01, 'k', 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 'v'}), ErrMalformed, "partition key index 1 out of range"},
		{"explicit hash key index out of range", kplWrap([]byte{0x0a, 0x01, 'k', 0x1a, 0x07, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x01, 'v'}), ErrMalformed, "explicit hash key index 0 out of range"},
		{"missing data", kplWrap([]byte{0x0a, 0x01, 'k', 0x1a, 0x02, 0x08, 0x00}), ErrMalformed, "data missing"},
		{"missing partition key index", kplWrap([]byte{0x0a, 0x01, 'k', 0x1a, 0x03, 0x1a, 0x01, 'v'}), ErrMalformed, "partition_key_index missing"},
		{"length past end", kplWrap([]byte{0x0a, 0x09, 'k'}), ErrMalformed, "past the end"},
		{"varint truncated", kplWrap([]byte{0x1a, 0x02, 0x08, 0x80}), ErrMalformed, "varint"},
		{"varint overflow", kplWrap([]byte{0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}), ErrMalformed, "overflows"},
		{"wrong wire type for table", kplWrap([]byte{0x08, 0x01}), ErrMalformed, "wire type"},
		{"wrong wire type for data", kplWrap([]byte{0x0a, 0x01, 'k', 0x1a, 0x04, 0x08, 0x00, 0x18, 0x01}), ErrMalformed, "wire type"},
		{"group wire type", kplWrap([]byte{0x4b, 0x4c}), ErrMalformed, "group"},
		{"invalid wire type", kplWrap([]byte{0x4e}), ErrMalformed, "invalid wire type"},
		{"field number zero", kplWrap([]byte{0x02, 0x00}), ErrMalformed, "field number"},
		{"fixed64 truncated", kplWrap([]byte{0x49, 1, 2, 3}), ErrMalformed, "past the end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Deaggregate(tc.data)
			if err == nil {
				t.Fatalf("no error; records %+v", got)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %q", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestIsAggregated(t *testing.T) {
	for data, want := range map[string]bool{"\xf3\x89\x9a\xc2": true, "\xf3\x89\x9a": false, "": false, "{}": false} {
		if got := IsAggregated([]byte(data)); got != want {
			t.Errorf("IsAggregated(%q) = %v", data, got)
		}
	}
}
