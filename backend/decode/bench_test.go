package decode

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// kibJSON is a 1 KiB event shaped like an order pipeline's.
func kibJSON() []byte {
	var b bytes.Buffer
	b.WriteString(`{"detail-type":"OrderPlaced","source":"shop.orders","time":"2024-05-01T10:30:15Z","detail":{"orderId":"o-123456","customer":{"id":42,"tier":"gold"},"items":[`)
	for i := 0; b.Len() < 1000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"sku-%04d","qty":%d,"price":%d.99}`, i, i%5+1, i*3)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func BenchmarkDecodeJSON1KiB(b *testing.B) {
	data := kibJSON()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if Decode(data).Kind != JSON {
			b.Fatal("not JSON")
		}
	}
}

func BenchmarkDecodeText1KiB(b *testing.B) {
	data := bytes.Repeat([]byte("2024-05-01T10:30:15Z INFO order placed "), 1024/39)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Decode(data)
	}
}

func BenchmarkPreview1MiBJSONLine(b *testing.B) {
	p := Decode(bigJSONLine())
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Preview(120)
	}
}

func BenchmarkDeaggregate100(b *testing.B) {
	records := make([]UserRecord, 100)
	for i := range records {
		records[i] = UserRecord{PartitionKey: fmt.Sprintf("customer-%d", i%10), Data: kibJSON()[:200]}
	}
	agg := Aggregate(records)
	b.SetBytes(int64(len(agg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Deaggregate(agg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAggregate100(b *testing.B) {
	records := make([]UserRecord, 100)
	for i := range records {
		records[i] = UserRecord{PartitionKey: fmt.Sprintf("customer-%d", i%10), Data: kibJSON()[:200]}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Aggregate(records)
	}
}

func BenchmarkFilterMatch1KiB(b *testing.B) {
	f, err := CompileFilter(`.detail.items[] | select(.qty == 5 and $partitionKey == "p")`)
	if err != nil {
		b.Fatal(err)
	}
	p := Decode(kibJSON())
	meta := Meta{PartitionKey: "p", ShardID: "shardId-000000000000", Arrival: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Match(context.Background(), p, meta); err != nil {
			b.Fatal(err)
		}
	}
}
