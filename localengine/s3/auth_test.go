package s3_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

func TestStrictAuth(t *testing.T) {
	e, c := start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDTEST", Secret: "secret"}
	}))
	ctx := ctxT(t)
	mkBucket(t, c, "strict")
	body := bytes.Repeat([]byte("s"), 300<<10)
	put(t, c, "strict", "dir/a key+", body)
	if !bytes.Equal(get(t, c, "strict", "dir/a key+"), body) {
		t.Fatal("signed round trip")
	}
	// The aws-chunked trailer path is signed with STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	cc := chunkedClient(e, &tlsPretender{})
	if _, err := cc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("chunked"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("signed aws-chunked put: %v", err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("strict"), Prefix: aws.String("dir/")}); err != nil {
		t.Fatal(err)
	}

	cfg := e.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIDTEST", "wrong", "")
	bad := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("x"), Body: strings.NewReader("x")})
	wantCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
}
