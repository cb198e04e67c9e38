package s3_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCopyObject(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "src")
	mkBucket(t, c, "dst")
	body := []byte(`{"id":"évènement 1"}`)
	srcKey := "dir/odd key+é%.json"
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"), Metadata: map[string]string{"origin": "stream"}, Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	source := "src/" + url.PathEscape(srcKey)
	e.Clock.Advance(time.Hour)

	// COPY keeps metadata and tags.
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copied"), CopySource: aws.String(source)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != md5Hex(body) || out.CopyObjectResult.LastModified == nil {
		t.Fatalf("copy result: %+v", out.CopyObjectResult)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copied")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "application/json" || head.Metadata["origin"] != "stream" || aws.ToInt32(head.TagCount) != 1 {
		t.Fatalf("COPY lost metadata: %+v", head)
	}
	if !bytes.Equal(get(t, c, "dst", "copied"), body) {
		t.Fatal("copied body differs")
	}

	// REPLACE takes the request's metadata and tags.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String(source),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"), Metadata: map[string]string{"replayed": "true"},
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("x=1&y=2")})
	if err != nil {
		t.Fatal(err)
	}
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/plain" || head.Metadata["replayed"] != "true" || head.Metadata["origin"] != "" || aws.ToInt32(head.TagCount) != 2 {
		t.Fatalf("REPLACE: %+v", head)
	}

	// Copying onto itself needs REPLACE (the way to rewrite metadata in place).
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source)})
	wantCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"replayed": "true"}})
	if err != nil {
		t.Fatalf("self copy with REPLACE: %v", err)
	}
	head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)})
	if head.Metadata["replayed"] != "true" || !bytes.Equal(get(t, c, "src", srcKey), body) {
		t.Fatalf("self copy: %+v", head.Metadata)
	}

	// Copy-source preconditions.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String(source), CopySourceIfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String(source), CopySourceIfNoneMatch: aws.String(md5Hex(body))})
	wantCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String(source), CopySourceIfMatch: aws.String(md5Hex(body))})
	if err != nil {
		t.Fatal(err)
	}

	// Errors.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String("src/missing")})
	wantCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String("nobucket/k")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("c3"), CopySource: aws.String(source)})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String("justbucket")})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c3"), CopySource: aws.String(source), MetadataDirective: "MERGE"})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)

	// A leading slash and ?versionId=null are accepted.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c4"), CopySource: aws.String("/" + source + "?versionId=null")})
	if err != nil {
		t.Fatal(err)
	}

	// A copy can change the checksum algorithm.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c5"), CopySource: aws.String(source), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("c5")})
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if aws.ToString(got.ChecksumSHA256) == "" {
		t.Fatal("copy with SHA256 has no SHA256 checksum")
	}
}

func TestCopyLargeObject(t *testing.T) {
	_, c := start(t)
	mkBucket(t, c, "big")
	body := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16) // 300 KiB: a blob
	put(t, c, "big", "a", body)
	if _, err := c.CopyObject(ctxT(t), &s3.CopyObjectInput{Bucket: aws.String("big"), Key: aws.String("b"), CopySource: aws.String("big/a")}); err != nil {
		t.Fatal(err)
	}
	// Deleting the source must not affect the copy.
	if _, err := c.DeleteObject(ctxT(t), &s3.DeleteObjectInput{Bucket: aws.String("big"), Key: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c, "big", "b"); !bytes.Equal(got, body) {
		t.Fatalf("copy of a blob: %d bytes", len(got))
	}
}
