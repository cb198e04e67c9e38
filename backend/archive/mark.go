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

// MarkReplayed records that the event at key was replayed: it writes a copy
// holding r under _replayed/ and, once S3 has confirmed the copy's bytes,
// deletes the original. It returns the copy's key. A mark cut short can
// simply be run again: an event whose copy exists keeps that copy, which
// records the replay that happened, and only its original is deleted.
func MarkReplayed(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, key string, r Replay) (string, error) {
	newKey, err := replayedKeyOf(loc, key)
	if err != nil {
		return "", err
	}
	if err := s.Guard("mark replayed " + objectURL(loc.Bucket, key)); err != nil {
		return "", err
	}
	e, err := Get(ctx, s, loc.Bucket, key)
	if errors.Is(err, ErrNotFound) {
		if parts, _, perr := ParseKey(loc.Prefix, key); perr == nil && CheckReplayedCopy(ctx, s, loc.Bucket, newKey, parts.ID) == nil {
			return newKey, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("mark replayed: %w", err)
	}
	if _, err := WriteReplayedCopy(ctx, s, loc, key, e, r); err != nil {
		return "", err
	}
	if err := deleteOne(ctx, s, loc.Bucket, key); err != nil {
		return "", fmt.Errorf("mark replayed: copy written to %s, but %w", newKey, err)
	}
	return newKey, nil
}

// WriteReplayedCopy writes e, with r as its replay, to the _replayed/ copy
// of key, and returns the copy's key once it is safely written. It leaves
// the original alone: the caller deletes it next. A copy that is there
// already (a mark cut short before its original was deleted) is kept, not
// overwritten, since it records the replay that happened: the write is
// conditional (If-None-Match: *), and the copy found is checked instead.
// How each answer of the store is handled, fallbacks included, is in
// copy.go.
func WriteReplayedCopy(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, key string, e Event, r Replay) (string, error) {
	newKey, err := replayedKeyOf(loc, key)
	if err != nil {
		return "", err
	}
	if err := s.Guard("mark replayed " + objectURL(loc.Bucket, key)); err != nil {
		return "", err
	}
	e.Replay = &r
	body, err := e.Marshal()
	if err != nil {
		return "", err
	}
	c := newCopyWrite(s, loc.Bucket, newKey, e.ID, body)
	if err := c.write(ctx); err != nil {
		return "", fmt.Errorf("mark %s replayed: %w", key, err)
	}
	return newKey, nil
}

// CheckReplayedCopy reads the object at copyKey and checks that it is a
// replayed copy of the event id: what a mark cut short left behind.
func CheckReplayedCopy(ctx context.Context, s *backend.Session, bucket, copyKey, id string) error {
	c, err := Get(ctx, s, bucket, copyKey)
	if err == nil && (c.ID != id || c.Replay == nil) {
		err = errors.New("it is not a replayed copy of this event")
	}
	if err != nil {
		return fmt.Errorf("a replayed copy exists at %s but does not read back (%w): check it, delete it, and replay again", objectURL(bucket, copyKey), err)
	}
	return nil
}

// replayedKeyOf checks that key is an event waiting under loc and returns
// where its replayed copy goes.
func replayedKeyOf(loc backend.ArchiveLocation, key string) (string, error) {
	_, replayed, err := ParseKey(loc.Prefix, key)
	if err != nil {
		return "", fmt.Errorf("mark replayed: %w", err)
	}
	if replayed {
		return "", fmt.Errorf("mark replayed: %s is already a replayed copy", key)
	}
	return ReplayedKey(loc.Prefix, key), nil
}

func objectURL(bucket, key string) string { return "s3://" + bucket + "/" + key }

// Exists reports whether key is in bucket, without reading it.
func Exists(ctx context.Context, s *backend.Session, bucket, key string) (bool, error) {
	_, err := s.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return true, nil
	}
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return false, nil
	}
	return false, fmt.Errorf("look for %s: %w", objectURL(bucket, key), s.Explain(err))
}
