package s3_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCreateBucket(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "alpha")

	// Twice in us-east-1 is 200; elsewhere BucketAlreadyOwnedByYou
	// (TestCreateBucketAlreadyOwned).
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatalf("create twice in us-east-1: %v", err)
	}

	for _, bad := range []string{"ab", "Upper-case", "has_underscore", "-leading", "trailing-", "two..dots", "192.168.1.1", "xn--punycode", "a-s3alias"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		wantCode(t, err, "InvalidBucketName", http.StatusBadRequest)
	}

	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("west"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraintUsWest2,
		},
	})
	if err != nil {
		t.Fatalf("create with location: %v", err)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("west")})
	if err != nil || loc.LocationConstraint != types.BucketLocationConstraintUsWest2 {
		t.Fatalf("location of west: %v %v", loc, err)
	}
	loc, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("location of alpha (us-east-1 is empty): %+v %v", loc, err)
	}
	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("west")})
	if err != nil || aws.ToString(head.BucketRegion) != "us-west-2" {
		t.Fatalf("head west: %+v %v", head, err)
	}
	head, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	if err != nil || aws.ToString(head.BucketRegion) != "us-east-1" {
		t.Fatalf("head alpha: %+v %v", head, err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("head missing: want NotFound, got %v", err)
	}
	_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("missing")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestCreateBucketRegionFromSignature(t *testing.T) {
	e, _ := start(t)
	cfg := e.Config()
	cfg.Region = "eu-central-1"
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	mkBucket(t, c, "frankfurt")
	head, err := c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String("frankfurt")})
	if err != nil || aws.ToString(head.BucketRegion) != "eu-central-1" {
		t.Fatalf("head: %+v %v", head, err)
	}
}

func TestListBuckets(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	for _, b := range []string{"charlie", "alpha", "bravo", "logs-1", "logs-2"} {
		mkBucket(t, c, b)
	}
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() || aws.ToString(b.BucketRegion) != "us-east-1" {
			t.Fatalf("bucket %+v lacks date or region", b)
		}
	}
	if want := "alpha bravo charlie logs-1 logs-2"; join(names) != want {
		t.Fatalf("buckets %q, want %q", join(names), want)
	}
	if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
		t.Fatalf("no owner: %+v", out.Owner)
	}

	out, err = c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("logs-")})
	if err != nil || len(out.Buckets) != 2 || aws.ToString(out.Prefix) != "logs-" {
		t.Fatalf("prefix listing: %+v %v", out, err)
	}

	// Pagination through the SDK paginator, two at a time.
	names = nil
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range page.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
	}
	if pages != 3 || join(names) != "alpha bravo charlie logs-1 logs-2" {
		t.Fatalf("paginated: %d pages %q", pages, join(names))
	}

	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(0)})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

func TestDeleteBucket(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "full")
	put(t, c, "full", "k", []byte("v"))

	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("full")})
	wantCode(t, err, "BucketNotEmpty", http.StatusConflict)

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("full"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("full")}); err != nil {
		t.Fatalf("delete empty bucket: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("full")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	// The name is free again, and the new bucket starts empty.
	mkBucket(t, c, "full")
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("full")})
	if err != nil || aws.ToInt32(out.KeyCount) != 0 {
		t.Fatalf("recreated bucket: %+v %v", out, err)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
