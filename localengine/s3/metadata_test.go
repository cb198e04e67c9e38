package s3_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func b64Word(s string) string {
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

// TestNonASCIIMetadata: S3 reads header bytes as ISO-8859-1, decodes RFC
// 2047 encoded-words before storing, and returns a non-ASCII value as a
// UTF-8 B encoded-word.
func TestNonASCIIMetadata(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "meta")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("k"), Body: strings.NewReader("x"),
		Metadata: map[string]string{
			"ascii":   "plain value",
			"raw":     "café",                   // the Go SDK sends the UTF-8 bytes as they are
			"b":       "=?UTF-8?B?Y2Fmw6k=?=",   // café, B-encoded
			"q":       "=?utf-8?q?na=C3=AFve?=", // naïve, Q-encoded
			"mixed":   "x =?UTF-8?B?w6k=?= y",
			"bad":     "=?UTF-8?B?not base64!?=",
			"unknown": "=?x-unknown?B?YQ==?=",
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ascii": "plain value",
		// c3 a9 read as ISO-8859-1 is "Ã©", returned as UTF-8.
		"raw":     b64Word("cafÃ©"),
		"b":       b64Word("café"),
		"q":       b64Word("naïve"),
		"mixed":   b64Word("x é y"),
		"bad":     "=?UTF-8?B?not base64!?=",
		"unknown": "=?x-unknown?B?YQ==?=",
	}
	check := func(what string, got map[string]string) {
		t.Helper()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: metadata %s = %q, want %q", what, k, got[k], v)
			}
		}
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	check("head", head.Metadata)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	check("get", got.Metadata)
	// A copy keeps the stored values, and so answers the same.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("meta"), Key: aws.String("copy"), CopySource: aws.String("meta/k")}); err != nil {
		t.Fatal(err)
	}
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	check("copy", head.Metadata)

	// A client that sends ISO-8859-1 bytes (Python's http.client does)
	// gets its text back, never U+FFFD.
	resp, body := rawDo(t, e, http.MethodPut, "/meta/latin1", strings.NewReader("x"), map[string]string{"X-Amz-Meta-Name": "caf\xe9"})
	if resp.StatusCode != 200 {
		t.Fatalf("put latin-1 metadata: %d %s", resp.StatusCode, body)
	}
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("latin1")})
	if err != nil || head.Metadata["name"] != b64Word("café") {
		t.Fatalf("latin-1 metadata: %q %v", head.Metadata["name"], err)
	}
	// A multipart object gets its upload's metadata the same way.
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("meta"), Key: aws.String("mp"),
		Metadata: map[string]string{"q": "=?utf-8?q?na=C3=AFve?="}})
	if err != nil {
		t.Fatal(err)
	}
	p := uploadPart(t, c, "meta", "mp", aws.ToString(out.UploadId), 1, []byte("x"))
	completeUpload(t, c, "meta", "mp", aws.ToString(out.UploadId), p)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("mp")})
	if err != nil || head.Metadata["q"] != b64Word("naïve") {
		t.Fatalf("multipart metadata: %q %v", head.Metadata["q"], err)
	}
	// The 2 KB bound counts the stored (decoded) UTF-8 bytes: 1,100 "é"
	// are 2,200 bytes, though their encoded-word is ASCII.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("big"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"v": b64Word(strings.Repeat("é", 1100))}})
	wantCode(t, err, "MetadataTooLarge", http.StatusBadRequest)
}
