package s3_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// loseAnswer is an HTTP client that performs every request but, the first
// time a CompleteMultipartUpload is sent, throws its answer away and
// reports a reset connection, as a network failure after the server
// committed would.
type loseAnswer struct{ lost atomic.Bool }

func (l *loseAnswer) Do(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodPost && r.URL.Query().Has("uploadId") && l.lost.CompareAndSwap(false, true) {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return resp, nil
}

// TestCompleteMultipartUploadRepeated: completing an upload that was
// completed, with the same parts, answers as the first completion did, so
// that an SDK retry after a lost answer succeeds.
func TestCompleteMultipartUploadRepeated(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	p1, p2 := randomBytes(1, 5*mib), []byte("tail")

	lossy := &loseAnswer{}
	lc := defaultClient(e, func(o *s3.Options) { o.HTTPClient, o.RetryMaxAttempts = lossy, 3 })
	id := createUpload(t, c, "mpu", "k")
	parts := []types.CompletedPart{uploadPart(t, c, "mpu", "k", id, 1, p1), uploadPart(t, c, "mpu", "k", id, 2, p2)}
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
	out, err := lc.CompleteMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("complete, answer lost once: %v", err)
	}
	if !lossy.lost.Load() {
		t.Fatal("the first answer was not lost")
	}
	want := multipartETag(p1, p2)
	if aws.ToString(out.ETag) != want || aws.ToString(out.Key) != "k" || aws.ToString(out.Bucket) != "mpu" {
		t.Fatalf("retried completion: %+v", out)
	}
	// And again, by hand.
	again, err := c.CompleteMultipartUpload(ctx, in)
	if err != nil || aws.ToString(again.ETag) != want || aws.ToString(again.ChecksumCRC64NVME) != aws.ToString(out.ChecksumCRC64NVME) ||
		aws.ToString(again.Location) != aws.ToString(out.Location) {
		t.Fatalf("repeated completion: %+v %v", again, err)
	}
	if got := get(t, c, "mpu", "k"); !bytes.Equal(got, append(append([]byte(nil), p1...), p2...)) {
		t.Fatalf("object: %d bytes", len(got))
	}

	// Other parts than those completed: the upload is gone.
	other := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts[:1]}}
	_, err = c.CompleteMultipartUpload(ctx, other)
	wantCode(t, err, "NoSuchUpload", http.StatusNotFound)
	// Another key with that upload id.
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k2"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	wantCode(t, err, "NoSuchUpload", http.StatusNotFound)

	// Once the object is replaced, or deleted, the completion is forgotten.
	put(t, c, "mpu", "k", []byte("replaced"))
	_, err = c.CompleteMultipartUpload(ctx, in)
	wantCode(t, err, "NoSuchUpload", http.StatusNotFound)

	id = createUpload(t, c, "mpu", "d")
	p := uploadPart(t, c, "mpu", "d", id, 1, []byte("one"))
	in = &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("d"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}}
	completeUpload(t, c, "mpu", "d", id, p)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpu"), Key: aws.String("copy"), CopySource: aws.String("mpu/d")}); err != nil {
		t.Fatal(err)
	}
	// A copy is not the completed object.
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copy"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}})
	wantCode(t, err, "NoSuchUpload", http.StatusNotFound)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("mpu"), Key: aws.String("d")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, in)
	wantCode(t, err, "NoSuchUpload", http.StatusNotFound)
}
