package archive

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// deleteBatch is the most keys one DeleteObjects call takes.
const deleteBatch = 1000

// Features an S3-compatible store may lack, remembered per session and
// bucket (backend.Session.Lacks) once it has answered 501 NotImplemented.
const (
	// lacksDeleteObjects: no POST ?delete; objects are deleted one by one.
	lacksDeleteObjects = "DeleteObjects"
	// lacksConditionalWrites: no If-None-Match on PUT; a copy is looked
	// for first, then written unconditionally.
	lacksConditionalWrites = "If-None-Match"
)

// Delete deletes archived events (waiting ones or replayed copies) by key,
// as DeleteMany does, and joins the errors of the keys not deleted.
func Delete(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, keys ...string) error {
	return DeleteMany(ctx, s, loc, keys, ManyOptions{}).Err()
}

// deleteIndexed deletes the keys of res at idx, recording each one's
// error in res: with DeleteObjects, 1,000 a call, or, on a store that
// answered that it lacks it, one DeleteObject per key, limit at once.
func deleteIndexed(ctx context.Context, s *backend.Session, bucket string, res Results, idx []int, limit int) {
	for start := 0; start < len(idx); start += deleteBatch {
		batch := idx[start:min(start+deleteBatch, len(idx))]
		if !s.Lacks("s3", bucket, lacksDeleteObjects) {
			err := deleteBatchOf(ctx, s, bucket, res, batch)
			if !notImplemented(err) {
				continue
			}
			s.NoteLacks("s3", bucket, lacksDeleteObjects)
		}
		forEach(ctx, len(batch), limit, func(ctx context.Context, j int) {
			res[batch[j]].Err = deleteOne(ctx, s, bucket, res[batch[j]].Key)
		})
	}
}

// deleteBatchOf deletes the keys of res at batch with one DeleteObjects
// call and records each key's error. A store that lacks the call is left
// for the caller to fall back from: its error is returned, and nothing is
// recorded.
func deleteBatchOf(ctx context.Context, s *backend.Session, bucket string, res Results, batch []int) error {
	ids := make([]types.ObjectIdentifier, len(batch))
	for j, i := range batch {
		ids[j] = types.ObjectIdentifier{Key: aws.String(res[i].Key)}
	}
	out, err := s.S3().DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	})
	if notImplemented(err) {
		return err
	}
	if err != nil {
		err = fmt.Errorf("delete %d archived events from s3://%s: %w", len(batch), bucket, s.Explain(err))
		for _, i := range batch {
			res[i].Err = err
			s.Audit("archive delete", bucket+"/"+res[i].Key, err)
		}
		return err
	}
	failed := map[string]error{}
	for _, e := range out.Errors {
		k := aws.ToString(e.Key)
		failed[k] = fmt.Errorf("delete %s: %s: %s", objectURL(bucket, k), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	for _, i := range batch {
		res[i].Err = failed[res[i].Key]
		s.Audit("archive delete", bucket+"/"+res[i].Key, res[i].Err)
	}
	return nil
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

// notImplemented reports whether a store answered that it lacks what the
// call asked for: S3's NotImplemented (501), which AWS itself answers to a
// header it does not support, or any 501.
func notImplemented(err error) bool {
	if err == nil {
		return false
	}
	if backend.IsCode(err, "NotImplemented") {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotImplemented
}
