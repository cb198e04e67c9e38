package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
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
//
// The write carries the body's SHA-256, which S3 checks before it stores
// anything (a mismatch is refused with BadDigest) and echoes back; S3
// reads are strongly consistent after a write. So a write that succeeds
// with the checksum echoed has stored exactly these bytes, and reading the
// copy back would prove nothing more, at the price of a third more calls
// per replayed event. A store that echoes no checksum (some S3-compatible
// ones) gets the copy read back instead.
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
	sum := sha256.Sum256(body)
	checksum := base64.StdEncoding.EncodeToString(sum[:])
	out, err := s.S3().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(loc.Bucket), Key: aws.String(newKey),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(checksum),
		IfNoneMatch: aws.String("*"),
	})
	if backend.IsCode(err, "PreconditionFailed") {
		if err := CheckReplayedCopy(ctx, s, loc.Bucket, newKey, e.ID); err != nil {
			return "", fmt.Errorf("mark %s replayed: %w", key, err)
		}
		return newKey, nil
	}
	s.Audit("archive mark replayed", loc.Bucket+"/"+newKey, err)
	if err != nil {
		return "", fmt.Errorf("mark %s replayed: write %s: %w", key, newKey, s.Explain(err))
	}
	switch echoed := aws.ToString(out.ChecksumSHA256); echoed {
	case checksum:
		return newKey, nil
	case "":
		if err := verifyCopy(ctx, s, loc.Bucket, newKey, body); err != nil {
			return "", fmt.Errorf("mark %s replayed: %w", key, err)
		}
		return newKey, nil
	default:
		return "", fmt.Errorf("mark %s replayed: write %s: the store confirmed SHA-256 %s, not the %s written", key, newKey, echoed, checksum)
	}
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

// verifyCopy reads the object at key back and checks that it holds
// exactly body.
func verifyCopy(ctx context.Context, s *backend.Session, bucket, key string, body []byte) error {
	back, err := readObject(ctx, s, bucket, key)
	if err != nil {
		return fmt.Errorf("read the copy back: %w", err)
	}
	if !bytes.Equal(back, body) {
		return fmt.Errorf("the copy at %s does not hold what was written", objectURL(bucket, key))
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
