package s3_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestCreateBucketAlreadyOwned: re-creating a bucket you own answers 200 in
// us-east-1 (S3's legacy behaviour there) and BucketAlreadyOwnedByYou in
// every other region.
func TestCreateBucketAlreadyOwned(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "legacy")
	out, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy")})
	if err != nil || aws.ToString(out.Location) != "/legacy" {
		t.Fatalf("re-create in us-east-1: %+v %v", out, err)
	}
	west := defaultClient(e, func(o *s3.Options) { o.Region = "us-west-2" })
	mkBucket(t, west, "westward")
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("westward")})
	var owned *types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Fatalf("re-create in us-west-2: want BucketAlreadyOwnedByYou, got %v", err)
	}
	wantCode(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantCode(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
	// A bucket of another region, asked for in us-east-1.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("westward")})
	wantCode(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("legacy")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("location after re-create: %+v %v", loc, err)
	}
}
