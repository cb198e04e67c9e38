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

// ListBuckets lists every bucket. A page size is always sent, so that S3
// pages the answer rather than cutting it.
func ListBuckets(ctx context.Context, s *backend.Session, opts ...Option) ([]Bucket, error) {
	limit := pageSize(opts, 1000, 10000)
	var out []Bucket
	var token *string
	for {
		page, err := s.S3().ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(limit), ContinuationToken: token})
		if err != nil {
			return nil, fmt.Errorf("list buckets: %w", s.Explain(err))
		}
		for _, b := range page.Buckets {
			out = append(out, Bucket{Name: aws.ToString(b.Name), Region: aws.ToString(b.BucketRegion), Created: aws.ToTime(b.CreationDate)})
		}
		if aws.ToString(page.ContinuationToken) == "" {
			return out, nil
		}
		token = page.ContinuationToken
	}
}
