package decode

import (
	"testing"
	"unicode/utf8"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":"c"}]}`))
	f.Add([]byte("plain text\nsecond line"))
	f.Add([]byte{0, 1, 2, 0xff})
	f.Add(gzipBytes(f, []byte(`{"gz":true}`)))
	f.Add(gzipBytes(f, []byte(`{"gz":true}`))[:12])
	f.Add(Aggregate([]UserRecord{{PartitionKey: "k", Data: []byte("v")}}))
	f.Add([]byte("\xef\xbb\xbf[\"bom\"]"))
	f.Add([]byte(`{"s":"\"\\"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Decode(data)
		if p.Kind != JSON && p.Kind != Text && p.Kind != Binary {
			t.Fatalf("Kind %d", p.Kind)
		}
		if (p.Kind == JSON) != (p.JSON != nil) {
			t.Fatalf("Kind %v with JSON %v", p.Kind, p.JSON)
		}
		_ = p.Pretty()
		for _, n := range []int{1, 2, 7, 80} {
			preview := p.Preview(n)
			if utf8.RuneCountInString(preview) > n {
				t.Fatalf("Preview(%d) = %q has more than %d runes", n, preview, n)
			}
		}
	})
}

func FuzzDeaggregate(f *testing.F) {
	f.Add(kplVector)
	f.Add(Aggregate([]UserRecord{
		{PartitionKey: "a", Data: []byte("1")},
		{PartitionKey: "b", ExplicitHashKey: "99", Data: nil},
		{PartitionKey: "a", Data: []byte(`{"x":1}`)},
	})[4:])
	f.Add([]byte{0x1a, 0x02, 0x08, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		// data as a whole record exercises the framing; most mutations break
		// the checksum there, so data is also framed with a valid checksum
		// to reach the protobuf parser.
		for _, record := range [][]byte{data, kplWrap(data)} {
			records, err := Deaggregate(record)
			if err != nil {
				continue
			}
			again, err := Deaggregate(Aggregate(records))
			if err != nil {
				t.Fatalf("re-aggregated records do not de-aggregate: %v", err)
			}
			if !sameRecords(again, records) {
				t.Fatalf("round trip changed records:\n%+v\n%+v", records, again)
			}
		}
	})
}
