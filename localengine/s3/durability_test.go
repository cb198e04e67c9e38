package s3_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestRestartDurability(t *testing.T) {
	dir := t.TempDir()
	onDir := enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir })
	e1, c := start(t, onDir)
	ctx := ctxT(t)
	mkBucket(t, c, "keep")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	small := []byte("small object")
	large := bytes.Repeat([]byte("L"), 3<<20)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("small"), Body: bytes.NewReader(small),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"m": "1"}, Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	put(t, c, "keep", "large", large)
	put(t, c, "keep", "replaced", large[:1<<20])
	put(t, c, "keep", "replaced", small) // its blob is removed
	put(t, c, "keep", "deleted", large[:200<<10])
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("keep"), Key: aws.String("deleted")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e1.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	// Leftovers of a crash between a blob's write and its commit.
	blobDir := filepath.Join(dir, "s3-blobs")
	for _, name := range []string{"tmp-0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", "not-a-blob"} {
		if err := os.WriteFile(filepath.Join(blobDir, name), []byte("orphan"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	e2, c := start(t, onDir)
	_ = e2
	if got := get(t, c, "keep", "small"); !bytes.Equal(got, small) {
		t.Fatalf("small after restart: %q", got)
	}
	if got := get(t, c, "keep", "large"); !bytes.Equal(got, large) {
		t.Fatalf("large after restart: %d bytes", len(got))
	}
	if got := get(t, c, "keep", "replaced"); !bytes.Equal(got, small) {
		t.Fatalf("replaced after restart: %q", got)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("keep"), Key: aws.String("small")})
	if err != nil || aws.ToString(head.ContentType) != "text/plain" || head.Metadata["m"] != "1" || aws.ToInt32(head.TagCount) != 1 {
		t.Fatalf("metadata after restart: %+v %v", head, err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keep")})
	if err != nil || strings.Join(keysOf(list.Contents), ",") != "large,replaced,small" {
		t.Fatalf("listing after restart: %v %v", keysOf(list.Contents), err)
	}
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != "keep" {
		t.Fatalf("buckets after restart: %+v %v", buckets, err)
	}
	// Only the one referenced blob file is left: orphans are gone.
	files, err := os.ReadDir(blobDir)
	if err != nil || len(files) != 1 {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Fatalf("blob files after restart: %v %v", names, err)
	}
}
