package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// benchClients is how many SDK clients run at once.
const benchClients = 8

func parallelism() int {
	return max(1, benchClients/runtime.GOMAXPROCS(0))
}

// BenchmarkPutObject4KiB measures durable 4 KiB PUTs per second through the
// SDK (default checksums on) from 8 concurrent clients.
func BenchmarkPutObject4KiB(b *testing.B) {
	_, c := start(b)
	mkBucket(b, c, "bench")
	body := bytes.Repeat([]byte("x"), 4096)
	var seq atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(parallelism())
	b.ResetTimer()
	startAt := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := ctxT(b)
		for pb.Next() {
			key := fmt.Sprintf("obj-%08d", seq.Add(1))
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(startAt).Seconds(), "puts/s")
}

// BenchmarkGetObject4KiB measures 4 KiB GETs per second (checksum
// validation on) from 8 concurrent clients.
func BenchmarkGetObject4KiB(b *testing.B) {
	_, c := start(b)
	mkBucket(b, c, "bench")
	body := bytes.Repeat([]byte("x"), 4096)
	const keys = 256
	for i := 0; i < keys; i++ {
		put(b, c, "bench", fmt.Sprintf("obj-%03d", i), body)
	}
	var seq atomic.Int64
	b.SetBytes(int64(len(body)))
	b.SetParallelism(parallelism())
	b.ResetTimer()
	startAt := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := ctxT(b)
		for pb.Next() {
			key := fmt.Sprintf("obj-%03d", seq.Add(1)%keys)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)})
			if err != nil {
				b.Error(err)
				return
			}
			n, err := io.Copy(io.Discard, out.Body)
			out.Body.Close()
			if err != nil || n != int64(len(body)) {
				b.Errorf("read %d bytes: %v", n, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(startAt).Seconds(), "gets/s")
}
