package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// HourCount is a count, in progress or done, of the events waiting in
// one of a consumer's hours. Counting lists the hour's keys a page (1,000
// keys, one ListObjectsV2 call) at a time, so that a view can show the
// count growing and stop when the hour leaves the screen.
type HourCount struct {
	// Hour is the UTC start of the hour.
	Hour time.Time
	// N is the events counted so far: a lower bound until Complete.
	N        int
	Complete bool
	// Pages is the listing calls made so far.
	Pages int
	// PageSize is the keys a call lists: S3's 1,000 when zero (tests
	// choose fewer to see a count grow).
	PageSize int32
	next     *string
}

// NewHourCount starts a count of the hour t falls in.
func NewHourCount(t time.Time) HourCount { return HourCount{Hour: t.UTC().Truncate(time.Hour)} }

// CountPage reads one more page of c's hour and returns the count with
// it added. A complete count is returned as it is, without a call.
// Objects that are not archived events (someone else's README) are not
// counted.
func CountPage(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, c HourCount) (HourCount, error) {
	if c.Complete {
		return c, nil
	}
	prefix := HourPrefix(loc.Prefix, consumer, c.Hour)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix),
		EncodingType: types.EncodingTypeUrl, ContinuationToken: c.next}
	if c.PageSize > 0 {
		in.MaxKeys = aws.Int32(c.PageSize)
	}
	out, err := s.ListObjectsV2(ctx, in)
	if err != nil {
		return c, fmt.Errorf("count s3://%s/%s: %w", loc.Bucket, prefix, s.Explain(err))
	}
	c.Pages++
	for _, o := range out.Contents {
		key, err := listed(o.Key, out.EncodingType)
		if err != nil {
			return c, fmt.Errorf("count s3://%s/%s: %w", loc.Bucket, prefix, err)
		}
		if p, replayed, err := ParseKey(loc.Prefix, key); err == nil && !replayed && p.Consumer == consumer {
			c.N++
		}
	}
	if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
		c.Complete, c.next = true, nil
	} else {
		c.next = out.NextContinuationToken
	}
	return c, nil
}

// CountHour counts the events waiting in the hour t falls in, page by
// page to the end (or until ctx ends, with the count so far).
func CountHour(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, t time.Time) (HourCount, error) {
	c := NewHourCount(t)
	for !c.Complete {
		var err error
		if c, err = CountPage(ctx, s, loc, consumer, c); err != nil {
			return c, err
		}
	}
	return c, nil
}
