package s3_test

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestLargeObject(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "large")
	body := make([]byte, 20<<20)
	if _, err := rand.Read(body); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(body)
	want := `"` + hex.EncodeToString(sum[:]) + `"`
	out := put(t, c, "large", "blob.bin", body)
	if aws.ToString(out.ETag) != want {
		t.Fatalf("ETag %s, want %s", aws.ToString(out.ETag), want)
	}
	// The body lives in a blob file, not in the database.
	blobs, err := os.ReadDir(filepath.Join(e.DataDir(), "s3-blobs"))
	if err != nil || len(blobs) != 1 {
		t.Fatalf("blob files: %v %v", blobs, err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String("blob.bin")})
	if err != nil {
		t.Fatal(err)
	}
	h := md5.New()
	n, err := io.Copy(h, got.Body) // validates the checksum too
	got.Body.Close()
	if err != nil || n != int64(len(body)) || `"`+hex.EncodeToString(h.Sum(nil))+`"` != want || aws.ToString(got.ETag) != want {
		t.Fatalf("get: %d bytes %v", n, err)
	}
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("large"), Key: aws.String("blob.bin"), Range: aws.String("bytes=10485760-10485775")})
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(rng.Body)
	rng.Body.Close()
	if !bytes.Equal(part, body[10485760:10485776]) {
		t.Fatal("range of a blob differs")
	}
	// Overwriting with a small body and deleting remove the blob file.
	put(t, c, "large", "blob.bin", []byte("small now"))
	if blobs, _ := os.ReadDir(filepath.Join(e.DataDir(), "s3-blobs")); len(blobs) != 0 {
		t.Fatalf("old blob kept after overwrite: %v", blobs)
	}
	put(t, c, "large", "again", body[:1<<20])
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("large"), Key: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	if blobs, _ := os.ReadDir(filepath.Join(e.DataDir(), "s3-blobs")); len(blobs) != 0 {
		t.Fatalf("blob kept after delete: %v", blobs)
	}
}

func TestVirtualHostStyle(t *testing.T) {
	e, c := start(t)
	mkBucket(t, c, "vhost")
	port := e.URL[strings.LastIndex(e.URL, ":")+1:]
	host := map[string]string{"Host": "vhost.localhost:" + port}
	resp, body := rawDo(t, e, http.MethodPut, "/dir/key%20one", strings.NewReader("virtual"), host)
	if resp.StatusCode != 200 {
		t.Fatalf("vhost put: %d %s", resp.StatusCode, body)
	}
	if got := get(t, c, "vhost", "dir/key one"); string(got) != "virtual" {
		t.Fatalf("path-style read of a vhost write: %q", got)
	}
	resp, body = rawDo(t, e, http.MethodGet, "/dir/key%20one", nil, host)
	if resp.StatusCode != 200 || string(body) != "virtual" {
		t.Fatalf("vhost get: %d %q", resp.StatusCode, body)
	}
	resp, body = rawDo(t, e, http.MethodGet, "/?list-type=2", nil, host)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Key>dir/key one</Key>") {
		t.Fatalf("vhost list: %d %s", resp.StatusCode, body)
	}
	resp, _ = rawDo(t, e, http.MethodHead, "/", nil, host)
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Bucket-Region") != "us-east-1" {
		t.Fatalf("vhost head bucket: %d", resp.StatusCode)
	}
}

func TestUnsupportedAndInvalid(t *testing.T) {
	e, c := start(t)
	mkBucket(t, c, "misc")
	put(t, c, "misc", "k", []byte("v"))
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/misc?acl", 501, "NotImplemented"},
		{http.MethodPut, "/misc?cors", 501, "NotImplemented"},
		{http.MethodPost, "/misc/k?restore", 501, "NotImplemented"},
		{http.MethodPut, "/misc/k?partNumber=1&uploadId=x", 404, "NoSuchUpload"},
		{http.MethodPatch, "/misc/k", 405, "MethodNotAllowed"},
		{http.MethodPost, "/misc/k", 405, "MethodNotAllowed"},
		{http.MethodPost, "/misc", 405, "MethodNotAllowed"},
		{http.MethodDelete, "/", 405, "MethodNotAllowed"},
		{http.MethodGet, "/misc?list-type=2&max-keys=abc", 400, "InvalidArgument"},
		{http.MethodGet, "/misc/k?partNumber=0", 400, "InvalidArgument"},
	}
	for _, tc := range cases {
		resp, body := rawDo(t, e, tc.method, tc.path, nil, nil)
		wantXMLCode(t, resp, body, tc.status, tc.code)
	}
	// GetBucketVersioning answers for unversioned buckets.
	out, err := c.GetBucketVersioning(ctxT(t), &s3.GetBucketVersioningInput{Bucket: aws.String("misc")})
	if err != nil || out.Status != "" {
		t.Fatalf("versioning: %+v %v", out, err)
	}
}

// rawHeaderOnly sends a request's head and returns the status line, for
// bodies too large (or too malformed) to send. The request carries a
// signature the lenient engine takes, since it refuses unsigned ones.
func rawHeaderOnly(t *testing.T, addr, head string) string {
	t.Helper()
	reqLine, rest, _ := strings.Cut(head, "\r\n")
	head = reqLine + "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n" + rest
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func TestBodyLimits(t *testing.T) {
	e, c := start(t)
	mkBucket(t, c, "limits")
	addr := strings.TrimPrefix(e.URL, "http://")
	status := rawHeaderOnly(t, addr, fmt.Sprintf("PUT /limits/huge HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", addr, int64(5<<30)+1))
	if !strings.Contains(status, " 400 ") {
		t.Fatalf("over 5 GiB: %q", status)
	}
	status = rawHeaderOnly(t, addr, fmt.Sprintf("PUT /limits/huge HTTP/1.1\r\nHost: %s\r\nContent-Encoding: aws-chunked\r\nX-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nX-Amz-Decoded-Content-Length: %d\r\nContent-Length: 10\r\n\r\n0123456789", addr, int64(6<<30)))
	if !strings.Contains(status, " 400 ") {
		t.Fatalf("declared decoded length over 5 GiB: %q", status)
	}
	// A plain (not aws-chunked) upload needs a Content-Length.
	status = rawHeaderOnly(t, addr, fmt.Sprintf("PUT /limits/nolen HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", addr))
	if !strings.Contains(status, " 411 ") {
		t.Fatalf("no Content-Length: %q", status)
	}
	resp, body := rawDo(t, e, http.MethodPut, "/limits/"+strings.Repeat("k", 1025), strings.NewReader("x"), nil)
	wantXMLCode(t, resp, body, 400, "KeyTooLongError")
}

// TestPlainEnginetestClient drives the checksum-requiring operations with
// enginetest's client, which computes checksums only when an operation
// requires one.
func TestPlainEnginetestClient(t *testing.T) {
	e, _ := start(t)
	c := e.S3()
	ctx := ctxT(t)
	mkBucket(t, c, "plain")
	put(t, c, "plain", "k", []byte("v"))
	if string(get(t, c, "plain", "k")) != "v" {
		t.Fatal("round trip")
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("plain"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("plain"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
	if err != nil || len(out.Deleted) != 1 {
		t.Fatalf("delete objects: %+v %v", out, err)
	}
}
