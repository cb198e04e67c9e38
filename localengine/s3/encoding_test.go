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

// TestContentEncodingVerbatim: GET and HEAD return the Content-Encoding an
// object was stored with as it was sent, less aws-chunked.
func TestContentEncodingVerbatim(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "enc")
	rt := &tlsPretender{}
	chunky := chunkedClient(e, rt)
	headEncoding := func(key string) []string {
		t.Helper()
		resp, _ := rawDo(t, e, http.MethodHead, "/enc/"+key, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("head %s: %d", key, resp.StatusCode)
		}
		return resp.Header.Values("Content-Encoding")
	}
	for i, enc := range []string{"gzip", "gzip, br", "x-custom;q=1", "identity"} {
		// The SDK streams the body aws-chunked, adding that encoding to
		// the object's own; a plain PUT sends the header alone.
		key := fmt.Sprintf("sdk%d", i)
		if _, err := chunky.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String(key), Body: strings.NewReader("body"),
			ContentEncoding: aws.String(enc), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
			t.Fatalf("sdk put %q: %v", enc, err)
		}
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if aws.ToString(got.ContentEncoding) != enc || string(b) != "body" {
			t.Errorf("sdk put %q: get Content-Encoding %q body %q", enc, aws.ToString(got.ContentEncoding), b)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("enc"), Key: aws.String(key)})
		if err != nil || aws.ToString(head.ContentEncoding) != enc {
			t.Errorf("sdk put %q: head Content-Encoding %q %v", enc, aws.ToString(head.ContentEncoding), err)
		}
		key = fmt.Sprintf("raw%d", i)
		resp, body := rawDo(t, e, http.MethodPut, "/enc/"+key, strings.NewReader("body"), map[string]string{"Content-Encoding": enc})
		if resp.StatusCode != 200 {
			t.Fatalf("raw put %q: %d %s", enc, resp.StatusCode, body)
		}
		if v := headEncoding(key); len(v) != 1 || v[0] != enc {
			t.Errorf("raw put %q: head Content-Encoding %q", enc, v)
		}
	}
	if !rt.find(func(h http.Header) bool {
		return strings.Contains(strings.Join(h.Values("Content-Encoding"), ","), "aws-chunked")
	}) {
		t.Fatal("the SDK never sent aws-chunked")
	}
	// aws-chunked describes the transfer: S3 drops it, wherever it stands.
	for i, tc := range []struct{ sent, want string }{
		{"aws-chunked", ""}, {"aws-chunked,gzip", "gzip"}, {"gzip, aws-chunked", "gzip"},
		{"br , AWS-Chunked, zstd", "br , zstd"},
	} {
		key := fmt.Sprintf("chunked%d", i)
		h := chunkedHeaders(4, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "")
		h["Content-Encoding"] = tc.sent
		resp, body := rawDo(t, e, http.MethodPut, "/enc/"+key, bytes.NewReader(chunkedBody([]byte("body"), 4, false)), h)
		if resp.StatusCode != 200 {
			t.Fatalf("chunked put %q: %d %s", tc.sent, resp.StatusCode, body)
		}
		v := headEncoding(key)
		if tc.want == "" && len(v) != 0 || tc.want != "" && (len(v) != 1 || v[0] != tc.want) {
			t.Errorf("chunked put %q: head Content-Encoding %q, want %q", tc.sent, v, tc.want)
		}
	}
}
