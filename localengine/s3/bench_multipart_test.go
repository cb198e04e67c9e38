package s3_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkMultipartUpload measures 20 MiB uploads through the SDK's upload
// manager (5 MiB parts, 3 at a time, CRC32 checksums): every part fsynced,
// then the object assembled and fsynced.
func BenchmarkMultipartUpload(b *testing.B) {
	_, c := start(b)
	mkBucket(b, c, "bench")
	data := randomBytes(99, 20*mib)
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.Concurrency = 3 })
	ctx := ctxT(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	startAt := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("obj-%d", i%4)),
			Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(data))/mib/time.Since(startAt).Seconds(), "MiB/s")
}
