package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// conflictWait is how long a copy write that met a concurrent conditional
// write (409 ConditionalRequestConflict) waits before it looks again: long
// enough for the other write to land, short next to a replay.
const conflictWait = 250 * time.Millisecond

// copyWrite is the write of one event's _replayed/ copy.
//
// The write is conditional (If-None-Match: *), so that a copy already
// there, which records a replay that happened, is never overwritten. The
// store's answers:
//
//   - 200: written. It carries the body's SHA-256, which S3 checks before it
//     stores anything (a mismatch is refused with BadDigest) and echoes
//     back; S3 reads are strongly consistent after a write. So a write that
//     succeeds with the checksum echoed has stored exactly these bytes, and
//     reading the copy back would prove nothing more, at the price of a
//     third more calls per replayed event. A store that echoes no checksum
//     (some S3-compatible ones) gets the copy read back instead.
//   - 412 PreconditionFailed: a copy is there; it is kept once it reads back
//     as a replayed copy of this event.
//   - 409 ConditionalRequestConflict: another conditional write of the same
//     key was in flight (AWS's answer to a race). Its copy, once there,
//     records a replay too and is kept; if it is not there yet, the write
//     is tried once more after conflictWait.
//   - 501 NotImplemented (a store without conditional writes): remembered
//     for the session and bucket, and from then on the copy is looked for
//     with HeadObject first and, when absent, written unconditionally. A
//     writer racing in between could have its copy overwritten by this
//     one; both record an accepted replay of the same event, so what is
//     lost is which of the two wrote last, never the event or its mark.
type copyWrite struct {
	s        *backend.Session
	bucket   string
	key, id  string
	body     []byte
	checksum string
}

func newCopyWrite(s *backend.Session, bucket, key, id string, body []byte) copyWrite {
	sum := sha256.Sum256(body)
	return copyWrite{s: s, bucket: bucket, key: key, id: id, body: body,
		checksum: base64.StdEncoding.EncodeToString(sum[:])}
}

func (c copyWrite) write(ctx context.Context) error {
	if c.s.Lacks("s3", c.bucket, lacksConditionalWrites) {
		return c.writeUnconditionally(ctx)
	}
	err := c.put(ctx, true)
	switch {
	case backend.IsCode(err, "PreconditionFailed"):
		return CheckReplayedCopy(ctx, c.s, c.bucket, c.key, c.id)
	case backend.IsCode(err, "ConditionalRequestConflict"):
		return c.afterConflict(ctx)
	case notImplemented(err):
		c.s.NoteLacks("s3", c.bucket, lacksConditionalWrites)
		return c.writeUnconditionally(ctx)
	}
	return err
}

// afterConflict keeps the copy the concurrent writer wrote, or writes this
// one if the other never landed.
func (c copyWrite) afterConflict(ctx context.Context) error {
	if found, err := c.found(ctx); found || err != nil {
		return err
	}
	if err := backend.Sleep(ctx, conflictWait); err != nil {
		return fmt.Errorf("write %s: %w", objectURL(c.bucket, c.key), err)
	}
	err := c.put(ctx, true)
	if !backend.IsCode(err, "PreconditionFailed", "ConditionalRequestConflict") {
		return err
	}
	found, ferr := c.found(ctx)
	if ferr == nil && !found {
		ferr = fmt.Errorf("write %s: another writer's conditional write of the same copy conflicted twice, and its copy is not there: run the mark again", objectURL(c.bucket, c.key))
	}
	return ferr
}

// writeUnconditionally is the fallback for a store without conditional
// writes: a copy already there is kept, else this one is written.
func (c copyWrite) writeUnconditionally(ctx context.Context) error {
	there, err := Exists(ctx, c.s, c.bucket, c.key)
	if err != nil {
		return err
	}
	if there {
		return CheckReplayedCopy(ctx, c.s, c.bucket, c.key, c.id)
	}
	return c.put(ctx, false)
}

// found reads the copy at the key: false when there is none, an error when
// what is there is not a replayed copy of this event.
func (c copyWrite) found(ctx context.Context) (bool, error) {
	err := CheckReplayedCopy(ctx, c.s, c.bucket, c.key, c.id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// put writes the copy, create-only when conditional, and confirms what
// was stored. The answers write handles (412, 409, 501) come back as the
// SDK's errors, for write to tell apart; any other failure is explained.
func (c copyWrite) put(ctx context.Context, conditional bool) error {
	in := &s3.PutObjectInput{
		Bucket: aws.String(c.bucket), Key: aws.String(c.key),
		Body: bytes.NewReader(c.body), ContentType: aws.String("application/json"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(c.checksum),
	}
	if conditional {
		in.IfNoneMatch = aws.String("*")
	}
	out, err := c.s.S3().PutObject(ctx, in)
	if backend.IsCode(err, "PreconditionFailed", "ConditionalRequestConflict") || notImplemented(err) {
		return err // nothing was written: not a write to record
	}
	c.s.Audit("archive mark replayed", c.bucket+"/"+c.key, err)
	if err != nil {
		return fmt.Errorf("write %s: %w", c.key, c.s.Explain(err))
	}
	switch echoed := aws.ToString(out.ChecksumSHA256); echoed {
	case c.checksum:
		return nil
	case "":
		return verifyCopy(ctx, c.s, c.bucket, c.key, c.body)
	default:
		return fmt.Errorf("write %s: the store confirmed SHA-256 %s, not the %s written", c.key, echoed, c.checksum)
	}
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
