package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
)

// Bucket is an S3 bucket.
type Bucket struct {
	Name    string    `json:"name"`
	Region  string    `json:"region,omitempty"`
	Created time.Time `json:"created,omitzero"`
}

// BucketList is what ListBuckets could read, and the failure that
// stopped it.
type BucketList struct {
	Buckets  []Bucket         `json:"buckets"`
	Failures backend.Failures `json:"failures,omitempty"`
}

// ListBuckets lists every bucket. A page size is always sent, so that S3
// pages the answer rather than cutting it; a page that fails keeps the
// pages before it, with the failure beside them.
func ListBuckets(ctx context.Context, s *backend.Session, opts ...Option) BucketList {
	limit := pageSize(opts, 1000, 10000)
	ctx, cancel := context.WithTimeout(ctx, timeoutOf(opts))
	defer cancel()
	var out BucketList
	var token *string
	for {
		page, err := s.S3().ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(limit), ContinuationToken: token})
		if err != nil {
			out.Failures = append(out.Failures, s.Failure("s3", "", fmt.Errorf("list buckets: %w", err)))
			return out
		}
		for _, b := range page.Buckets {
			out.Buckets = append(out.Buckets, Bucket{Name: aws.ToString(b.Name), Region: aws.ToString(b.BucketRegion), Created: aws.ToTime(b.CreationDate)})
		}
		if aws.ToString(page.ContinuationToken) == "" {
			return out
		}
		token = page.ContinuationToken
	}
}
