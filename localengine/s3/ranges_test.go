package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestUploadPartCopyRanges: x-amz-copy-source-range must lie within the
// source (InvalidArgument naming its size otherwise), and a copied part is
// held to the 5 MiB minimum of every part but the last.
func TestUploadPartCopyRanges(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	src := randomBytes(3, 6*mib)
	put(t, c, "mpu", "src", src)
	put(t, c, "mpu", "empty", nil)
	id := createUpload(t, c, "mpu", "dst")
	copyPart := func(n int32, source, rng string) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst"), UploadId: aws.String(id),
			PartNumber: aws.Int32(n), CopySource: aws.String(source)}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		return c.UploadPartCopy(ctx, in)
	}
	size := len(src)
	for _, rng := range []string{fmt.Sprintf("bytes=0-%d", size), fmt.Sprintf("bytes=%d-%d", size, size+10)} {
		_, err := copyPart(1, "mpu/src", rng)
		wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
		if !strings.Contains(err.Error(), fmt.Sprintf("Range specified is not valid for source object of size: %d", size)) {
			t.Errorf("%s: %v", rng, err)
		}
	}
	for _, rng := range []string{"bytes=10-5", "bytes=0-", "bytes=-5", "bytes 0-5"} {
		_, err := copyPart(1, "mpu/src", rng)
		wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
	}
	// Any range of an empty source is out of it.
	_, err := copyPart(1, "mpu/empty", "bytes=0-0")
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)

	// A copied part below 5 MiB may only be the last one.
	small, err := copyPart(1, "mpu/src", "bytes=0-1023")
	if err != nil {
		t.Fatal(err)
	}
	last, err := copyPart(2, "mpu/src", fmt.Sprintf("bytes=%d-%d", size-10, size-1))
	if err != nil {
		t.Fatal(err)
	}
	parts := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: small.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: last.CopyPartResult.ETag}}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("dst"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	wantCode(t, err, "EntityTooSmall", http.StatusBadRequest)
	// Exactly 5 MiB is enough.
	big, err := copyPart(1, "mpu/src", fmt.Sprintf("bytes=0-%d", 5*mib-1))
	if err != nil {
		t.Fatal(err)
	}
	parts[0].ETag = big.CopyPartResult.ETag
	out := completeUpload(t, c, "mpu", "dst", id, parts...)
	if aws.ToString(out.ETag) != multipartETag(src[:5*mib], src[size-10:]) {
		t.Fatalf("ETag %s", aws.ToString(out.ETag))
	}
	if got := get(t, c, "mpu", "dst"); !bytes.Equal(got, append(append([]byte(nil), src[:5*mib]...), src[size-10:]...)) {
		t.Fatalf("assembled: %d bytes", len(got))
	}
}

// TestRangePastEnd: a Range that starts at or past the end of the object
// (any range of an empty one) is 416 InvalidRange with Content-Range:
// bytes */SIZE, on GET and HEAD, single-part and multipart.
func TestRangePastEnd(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "rng")
	put(t, c, "rng", "k", []byte("0123456789"))
	put(t, c, "rng", "empty", nil)
	id := createUpload(t, c, "rng", "mp")
	p1, p2 := randomBytes(4, 5*mib), []byte("end")
	completeUpload(t, c, "rng", "mp", id, uploadPart(t, c, "rng", "mp", id, 1, p1), uploadPart(t, c, "rng", "mp", id, 2, p2))
	mpSize := 5*mib + 3
	for _, tc := range []struct {
		key, rng string
		size     int
	}{
		{"k", "bytes=10-", 10}, {"k", "bytes=10-20", 10}, {"k", "bytes=100-200", 10}, {"k", "bytes=-0", 10},
		{"empty", "bytes=0-", 0}, {"empty", "bytes=0-0", 0}, {"empty", "bytes=-1", 0},
		{"mp", fmt.Sprintf("bytes=%d-", mpSize), mpSize}, {"mp", fmt.Sprintf("bytes=%d-%d", mpSize+1, mpSize+5), mpSize},
	} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String(tc.key), Range: aws.String(tc.rng)})
		wantCode(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
		resp, body := rawDo(t, e, http.MethodGet, "/rng/"+tc.key, nil, map[string]string{"Range": tc.rng})
		wantXMLCode(t, resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		if got, want := resp.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", tc.size); got != want {
			t.Errorf("%s %s: Content-Range %q, want %q", tc.key, tc.rng, got, want)
		}
		resp, _ = rawDo(t, e, http.MethodHead, "/rng/"+tc.key, nil, map[string]string{"Range": tc.rng})
		if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", tc.size) {
			t.Errorf("HEAD %s %s: %d %q", tc.key, tc.rng, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
	}
	// A range that runs past the end is cut to it.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("mp"),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", mpSize-2, mpSize+100))})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "nd" || aws.ToString(out.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", mpSize-2, mpSize-1, mpSize) {
		t.Fatalf("tail of multipart object: %q %q", b, aws.ToString(out.ContentRange))
	}
}
