package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestManagerUpload drives the SDK's upload manager (concurrent parts, CRC32
// by default, aws-chunked bodies with a trailing checksum as against AWS)
// and its download manager (concurrent ranged GETs).
func TestManagerUpload(t *testing.T) {
	e, _ := start(t)
	rt := &tlsPretender{}
	c := chunkedClient(e, rt)
	ctx := ctxT(t)
	mkBucket(t, c, "managed")
	data := randomBytes(20, 20*mib+123)

	up := manager.NewUploader(c, func(u *manager.Uploader) { u.Concurrency = 3 })
	res, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("managed"), Key: aws.String("big/object.bin"),
		Body: bytes.NewReader(data), ContentType: aws.String("application/octet-stream")})
	if err != nil {
		t.Fatal(err)
	}
	var chunks [][]byte
	for off := 0; off < len(data); off += int(manager.DefaultUploadPartSize) {
		chunks = append(chunks, data[off:min(off+int(manager.DefaultUploadPartSize), len(data))])
	}
	if len(chunks) != 5 || aws.ToString(res.ETag) != multipartETag(chunks...) || res.UploadID == "" || len(res.CompletedParts) != 5 {
		t.Fatalf("upload: ETag %s (want %s), %d parts", aws.ToString(res.ETag), multipartETag(chunks...), len(res.CompletedParts))
	}
	if aws.ToString(res.ChecksumCRC32) != compositeChecksum(crc32IEEE, chunks...) {
		t.Fatalf("upload CRC32 %s, want %s", aws.ToString(res.ChecksumCRC32), compositeChecksum(crc32IEEE, chunks...))
	}
	if !rt.find(func(h http.Header) bool {
		return strings.Contains(strings.Join(h.Values("Content-Encoding"), ","), "aws-chunked") && h.Get("X-Amz-Trailer") == "x-amz-checksum-crc32"
	}) {
		t.Fatal("the upload manager sent no aws-chunked part")
	}

	buf := manager.NewWriteAtBuffer(nil)
	dl := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 3 * mib; d.Concurrency = 3 })
	n, err := dl.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String("managed"), Key: aws.String("big/object.bin")})
	if err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("download: %d bytes, equal %v: %v", n, bytes.Equal(buf.Bytes(), data), err)
	}
	if got := get(t, c, "managed", "big/object.bin"); !bytes.Equal(got, data) {
		t.Fatalf("get: %d bytes", len(got))
	}
}

// TestMultipartRestart stops the engine in the middle of an upload: the
// upload and its parts are there after the restart, the upload completes,
// and orphan part files are removed.
func TestMultipartRestart(t *testing.T) {
	dir := t.TempDir()
	onDir := enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir })
	e1, c := start(t, onDir)
	mkBucket(t, c, "keep")
	p1, p2 := randomBytes(30, 5*mib+1), randomBytes(31, 77)
	id := createUpload(t, c, "keep", "resumed", func(in *s3.CreateMultipartUploadInput) {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c
		in.Metadata = map[string]string{"phase": "one"}
	})
	cp1 := uploadPart(t, c, "keep", "resumed", id, 1, p1, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	aborted := createUpload(t, c, "keep", "aborted")
	uploadPart(t, c, "keep", "aborted", aborted, 1, []byte("gone"))
	if _, err := c.AbortMultipartUpload(ctxT(t), &s3.AbortMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("aborted"), UploadId: aws.String(aborted)}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	// A part file whose commit never happened.
	if err := os.WriteFile(filepath.Join(dir, "s3-blobs", "0123456789abcdef0123456789abcdef"), []byte("orphan part"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, c = start(t, onDir)
	ctx := ctxT(t)
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Fatalf("blob files after restart: %v (want the one part)", files)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("keep")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != id || lu.Uploads[0].ChecksumAlgorithm != types.ChecksumAlgorithmCrc32c {
		t.Fatalf("uploads after restart: %+v %v", lu, err)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("keep"), Key: aws.String("resumed"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 1 || aws.ToString(lp.Parts[0].ETag) != md5Hex(p1) || aws.ToString(lp.Parts[0].ChecksumCRC32C) != aws.ToString(cp1.ChecksumCRC32C) {
		t.Fatalf("parts after restart: %+v %v", lp, err)
	}
	cp2 := uploadPart(t, c, "keep", "resumed", id, 2, p2, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	out := completeUpload(t, c, "keep", "resumed", id, cp1, cp2)
	if aws.ToString(out.ETag) != multipartETag(p1, p2) {
		t.Fatalf("ETag %s", aws.ToString(out.ETag))
	}
	if got := get(t, c, "keep", "resumed"); !bytes.Equal(got, append(append([]byte(nil), p1...), p2...)) {
		t.Fatalf("object after restart: %d bytes", len(got))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("keep"), Key: aws.String("resumed")})
	if err != nil || h.Metadata["phase"] != "one" {
		t.Fatalf("head: %+v %v", h, err)
	}
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Fatalf("blob files after completion: %v (want the object's)", files)
	}
}

// TestMultipartSIGKILL kills the engine right after acknowledged parts and
// a completion: all of them are there on restart.
func TestMultipartSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		t.Fatalf("child: %q %v", line, err)
	}
	c := s3.NewFromConfig(aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:               aws.String(strings.TrimSpace(strings.TrimPrefix(line, "URL "))),
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, func(o *s3.Options) { o.UsePathStyle = true })
	mkBucket(t, c, "crash")
	p1, p2 := randomBytes(40, 5*mib), randomBytes(41, 1000)
	done := createUpload(t, c, "crash", "done")
	d1 := uploadPart(t, c, "crash", "done", done, 1, p1)
	d2 := uploadPart(t, c, "crash", "done", done, 2, p2)
	completeUpload(t, c, "crash", "done", done, d1, d2)
	pending := createUpload(t, c, "crash", "pending")
	q1 := uploadPart(t, c, "crash", "pending", pending, 1, p1)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	_, c = start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	if got := get(t, c, "crash", "done"); !bytes.Equal(got, append(append([]byte(nil), p1...), p2...)) {
		t.Fatalf("completed object after SIGKILL: %d bytes", len(got))
	}
	q2 := uploadPart(t, c, "crash", "pending", pending, 2, p2)
	completeUpload(t, c, "crash", "pending", pending, q1, q2)
	if got := get(t, c, "crash", "pending"); !bytes.Equal(got, append(append([]byte(nil), p1...), p2...)) {
		t.Fatalf("upload resumed after SIGKILL: %d bytes", len(got))
	}
}
