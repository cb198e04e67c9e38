package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// maxObjectSize bounds what Get reads: a record is at most 10 MiB, and its
// base64 and the failure context add a third.
const maxObjectSize = 16 << 20

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("no such archived event")

// Put writes e under its key in loc and returns the key. Writing the same
// event twice writes the same key with the same content.
func Put(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, e Event) (string, error) {
	key := Key(loc.Prefix, e.KeyParts())
	if err := s.Guard("archive " + key); err != nil {
		return "", err
	}
	body, err := e.Marshal()
	if err != nil {
		return "", err
	}
	_, err = s.S3().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(loc.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
	})
	s.Audit("archive put", loc.Bucket+"/"+key, err)
	if err != nil {
		return "", fmt.Errorf("archive %s to s3://%s: %w", e.ID, loc.Bucket, s.Explain(err))
	}
	return key, nil
}

// PutConfirmed is Put with the body's SHA-256, which S3 checks before it
// stores anything and echoes back (S3 reads are strongly consistent after
// a write): confirmed is true when the store echoed exactly that
// checksum, so that the object holds exactly these bytes and reading it
// back would prove nothing more. A store that echoes none leaves
// confirmed false, for the caller to read the object back; one that
// echoes another checksum is an error.
func PutConfirmed(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, e Event) (key string, confirmed bool, err error) {
	key = Key(loc.Prefix, e.KeyParts())
	if err := s.Guard("archive " + key); err != nil {
		return "", false, err
	}
	body, err := e.Marshal()
	if err != nil {
		return "", false, err
	}
	checksum, echoed, err := s.WriteObject(ctx, loc.Bucket, key, "application/json", body)
	s.Audit("archive put", loc.Bucket+"/"+key, err)
	if err != nil {
		return "", false, fmt.Errorf("archive %s to s3://%s: %w", e.ID, loc.Bucket, s.Explain(err))
	}
	switch echoed {
	case checksum:
		return key, true, nil
	case "":
		return key, false, nil
	default:
		return "", false, fmt.Errorf("archive %s to %s: the store confirmed SHA-256 %s, not the %s written", e.ID, objectURL(loc.Bucket, key), echoed, checksum)
	}
}

// Get reads the event at key in bucket; the key of a manifest entry (see
// marks.go) reads the event that manifest marks replayed.
func Get(ctx context.Context, s *backend.Session, bucket, key string) (Event, error) {
	if manifestKey, id, ok := SplitManifestEntry(key); ok {
		return getManifestEntry(ctx, s, bucket, manifestKey, id)
	}
	body, err := readObject(ctx, s, bucket, key)
	if err != nil {
		return Event{}, err
	}
	e, err := Unmarshal(body)
	if err != nil {
		return Event{}, fmt.Errorf("read %s: %w", objectURL(bucket, key), err)
	}
	return e, nil
}

// readObject reads an object's bytes, bounded as Get bounds them.
func readObject(ctx context.Context, s *backend.Session, bucket, key string) ([]byte, error) {
	body, err := s.ReadObject(ctx, bucket, key, maxObjectSize)
	switch {
	case err == nil:
		return body, nil
	case errors.Is(err, backend.ErrObjectTooLarge):
		return nil, fmt.Errorf("read %s: larger than %d MiB, not an archived event", objectURL(bucket, key), maxObjectSize>>20)
	}
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return nil, fmt.Errorf("read %s: %w", objectURL(bucket, key), ErrNotFound)
	}
	return nil, fmt.Errorf("read %s: %w", objectURL(bucket, key), s.Explain(err))
}
