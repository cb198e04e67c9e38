package decode

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"testing"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// kplWrap frames an encoded AggregatedRecord message as the KPL does,
// computing the checksum independently of the package.
func kplWrap(message []byte) []byte {
	sum := md5.Sum(message)
	out := []byte{0xf3, 0x89, 0x9a, 0xc2}
	out = append(out, message...)
	return append(out, sum[:]...)
}

func sameRecords(a, b []UserRecord) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].PartitionKey != b[i].PartitionKey || a[i].ExplicitHashKey != b[i].ExplicitHashKey ||
			!bytes.Equal(a[i].Data, b[i].Data) || a[i].SubSequence != b[i].SubSequence {
			return false
		}
	}
	return true
}
