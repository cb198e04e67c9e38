package backend_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend/backendtest"
)

// BenchmarkReadObject reads 5,000 archived-event-sized objects from the
// bundled engine, 32 at a time, with the SDK's GetObject and with
// ReadObject's plain signed GET, and reports the process's CPU time per
// read (client and engine alike) and the reads a second.
func BenchmarkReadObject(b *testing.B) {
	const objects, concurrency = 5000, 32
	s, _ := backendtest.Open(b)
	ctx := context.Background()
	if _, err := s.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		b.Fatal(err)
	}
	keys := make([]string, objects)
	for i := range keys {
		keys[i] = fmt.Sprintf("failed/orders/2026/12/07/22/customer-%d-%d.json", i%37, 1796680000000+i)
	}
	each(b, keys, concurrency, func(k string) error {
		_, err := s.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String(k),
			Body: strings.NewReader(`{"id":"` + k + `","record":{"data":"eyJvcmRlciI6MX0=","partitionKey":"customer-1"}}`)})
		return err
	})
	reads := map[string]func(k string) error{
		"read=sdk": func(k string) error {
			out, err := s.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("archive"), Key: aws.String(k)})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = io.ReadAll(out.Body)
			return err
		},
		"read=plain": func(k string) error {
			_, err := s.ReadObject(ctx, "archive", k, 1<<20)
			return err
		},
	}
	for _, name := range []string{"read=sdk", "read=plain"} {
		b.Run(name, func(b *testing.B) {
			var cpu, wall time.Duration
			for b.Loop() {
				c0, t0 := backendtest.ProcessCPU(b), time.Now()
				each(b, keys, concurrency, reads[name])
				cpu, wall = cpu+backendtest.ProcessCPU(b)-c0, wall+time.Since(t0)
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(objects*b.N), "cpu-µs/read")
			b.ReportMetric(float64(objects*b.N)/wall.Seconds(), "reads/s")
		})
	}
}

// each calls f for every key with concurrency workers.
func each(b *testing.B, keys []string, concurrency int, f func(string) error) {
	next := make(chan string)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for k := range next {
				if err := f(k); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()
}
