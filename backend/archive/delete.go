package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// deleteBatch is the most keys one DeleteObjects call takes.
const deleteBatch = 1000

// Delete deletes archived events (waiting ones or replayed copies) by key,
// up to 1,000 a call. Every key must be an event key under loc: nothing
// else in the bucket can be deleted through it. A key that is already gone
// is not an error.
func Delete(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, keys ...string) error {
	for _, k := range keys {
		if _, _, err := ParseKey(loc.Prefix, k); err != nil {
			return fmt.Errorf("delete archived events: %w", err)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	what := fmt.Sprintf("delete %d archived events from %s", len(keys), loc)
	if len(keys) == 1 {
		what = "delete " + objectURL(loc.Bucket, keys[0])
	}
	if err := s.Guard(what); err != nil {
		return err
	}
	var errs []error
	for start := 0; start < len(keys); start += deleteBatch {
		batch := keys[start:min(start+deleteBatch, len(keys))]
		if err := deleteBatchOf(ctx, s, loc.Bucket, batch); err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}

func deleteBatchOf(ctx context.Context, s *backend.Session, bucket string, keys []string) error {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	out, err := s.S3().DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	})
	if err != nil {
		err = s.Explain(err)
		for _, k := range keys {
			s.Audit("archive delete", bucket+"/"+k, err)
		}
		return fmt.Errorf("delete %d archived events from s3://%s: %w", len(keys), bucket, err)
	}
	failed := map[string]error{}
	var errs []error
	for _, e := range out.Errors {
		k := aws.ToString(e.Key)
		failed[k] = fmt.Errorf("%s: %s", aws.ToString(e.Code), aws.ToString(e.Message))
		errs = append(errs, fmt.Errorf("delete %s: %w", objectURL(bucket, k), failed[k]))
	}
	for _, k := range keys {
		s.Audit("archive delete", bucket+"/"+k, failed[k])
	}
	return errors.Join(errs...)
}

// deleteOne deletes one object.
func deleteOne(ctx context.Context, s *backend.Session, bucket, key string) error {
	_, err := s.S3().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	s.Audit("archive delete", bucket+"/"+key, err)
	if err != nil {
		return fmt.Errorf("delete %s: %w", objectURL(bucket, key), s.Explain(err))
	}
	return nil
}
