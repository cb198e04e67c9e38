package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// An export moves a captured incident between machines: one JSON object a
// line (JSON Lines) for each archived event, holding its key and its
// stored object byte for byte, so that an import writes the very same
// object under the very same key relative to the archive's prefix.

// Line is one exported event.
type Line struct {
	// Bucket and Prefix are the archive the event was exported from;
	// Key is its full key there.
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	Key    string `json:"key"`
	// Body is the stored object as text when it is valid UTF-8, which
	// JSON carries exactly; else BodyBase64 holds it.
	Body       *string `json:"body,omitempty"`
	BodyBase64 string  `json:"bodyBase64,omitempty"`
}

// NewLine is the line of the object at key in loc holding body.
func NewLine(loc backend.ArchiveLocation, key string, body []byte) Line {
	l := Line{Bucket: loc.Bucket, Prefix: loc.Prefix, Key: key}
	if utf8.Valid(body) {
		s := string(body)
		l.Body = &s
	} else {
		l.BodyBase64 = base64.StdEncoding.EncodeToString(body)
	}
	return l
}

// Export reads the events q selects in loc, newest first, and hands each
// to emit as it is read: an export of a long range streams rather than
// gathering everything first. keep, when set, drops listed events before
// they are read. It returns how many it emitted.
func Export(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, q Query, keep func(Object) bool, emit func(Line) error) (int, error) {
	n := 0
	pager := List(s, loc, q)
	for {
		page, err := pager.Next(ctx)
		if err != nil {
			return n, fmt.Errorf("export %s: %w", loc, err)
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, obj := range page {
			if keep != nil && !keep(obj) {
				continue
			}
			body, err := readObject(ctx, s, loc.Bucket, obj.Key)
			if errors.Is(err, ErrNotFound) {
				continue // replayed (moved) since it was listed: no longer waiting
			}
			if err != nil {
				return n, fmt.Errorf("export: %w", err)
			}
			if err := emit(NewLine(loc, obj.Key, body)); err != nil {
				return n, err
			}
			n++
		}
	}
}

// MaxLineSize bounds one line of an export: an object at most
// maxObjectSize, in base64, with its key.
const MaxLineSize = maxObjectSize*4/3 + 64<<10

// DecodeLine reads one line of an export, which may come from anywhere:
// it must name an archived event's key under its prefix (not a replayed
// copy, a manifest or any other object), and its body must be that very
// event, so that an import writes only archive events under their own
// keys.
func DecodeLine(b []byte) (Line, []byte, error) {
	var l Line
	if len(b) > MaxLineSize {
		return l, nil, fmt.Errorf("longer than %d MiB: not an exported event", MaxLineSize>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return l, nil, fmt.Errorf("not an exported event: %w", err)
	}
	if dec.More() {
		return l, nil, errors.New("not an exported event: more than one JSON value on the line")
	}
	var body []byte
	switch {
	case l.Body != nil && l.BodyBase64 != "":
		return l, nil, errors.New("both body and bodyBase64: want one")
	case l.Body != nil:
		body = []byte(*l.Body)
	default:
		var err error
		if body, err = base64.StdEncoding.DecodeString(l.BodyBase64); err != nil {
			return l, nil, fmt.Errorf("bodyBase64: %w", err)
		}
	}
	if !strings.HasPrefix(l.Key, l.Prefix) {
		return l, nil, fmt.Errorf("key %q is not under prefix %q", l.Key, l.Prefix)
	}
	parts, replayed, err := ParseKey(l.Prefix, l.Key)
	if err != nil {
		return l, nil, err
	}
	if replayed {
		return l, nil, fmt.Errorf("key %q is a replayed copy, not a waiting event", l.Key)
	}
	e, err := Unmarshal(body)
	if err != nil {
		return l, nil, fmt.Errorf("body: %w", err)
	}
	if e.ID != parts.ID {
		return l, nil, fmt.Errorf("body is event %q, the key names %q", e.ID, parts.ID)
	}
	return l, body, nil
}

// ImportStatus is what an import did with one line.
type ImportStatus string

const (
	// Written: the object was not there and is now.
	Written ImportStatus = "written"
	// Unchanged: the same bytes were there already (a rerun).
	Unchanged ImportStatus = "unchanged"
	// Conflict: a different object is there; it was kept.
	Conflict ImportStatus = "conflict"
)

// ImportKey is where an exported line's event goes in loc: its key with
// the exported prefix replaced by loc's.
func ImportKey(loc backend.ArchiveLocation, l Line) string {
	return loc.Prefix + strings.TrimPrefix(l.Key, l.Prefix)
}

// Import writes body, a line's event, to key in bucket, never over
// another object: the write is create-only (If-None-Match: *), and an
// object already there is read and compared, so a rerun finds Unchanged
// and a different event is a Conflict, left as it is. A store without
// conditional writes gets a read first, then a plain write.
func Import(ctx context.Context, s *backend.Session, bucket, key string, body []byte) (ImportStatus, error) {
	if err := s.Guard("import " + key); err != nil {
		return "", err
	}
	if s.Lacks("s3", bucket, lacksConditionalWrites) {
		return importUnconditionally(ctx, s, bucket, key, body)
	}
	err := putImported(ctx, s, bucket, key, body, true)
	switch {
	case err == nil:
		return Written, nil
	case backend.IsCode(err, "PreconditionFailed", "ConditionalRequestConflict"):
		return compareExisting(ctx, s, bucket, key, body)
	case notImplemented(err):
		s.NoteLacks("s3", bucket, lacksConditionalWrites)
		return importUnconditionally(ctx, s, bucket, key, body)
	}
	return "", err
}

func importUnconditionally(ctx context.Context, s *backend.Session, bucket, key string, body []byte) (ImportStatus, error) {
	st, err := compareExisting(ctx, s, bucket, key, body)
	if !errors.Is(err, ErrNotFound) {
		return st, err
	}
	if err := putImported(ctx, s, bucket, key, body, false); err != nil {
		return "", err
	}
	return Written, nil
}

// compareExisting reads the object at key: Unchanged when it holds body,
// Conflict when it holds anything else.
func compareExisting(ctx context.Context, s *backend.Session, bucket, key string, body []byte) (ImportStatus, error) {
	there, err := readObject(ctx, s, bucket, key)
	if err != nil {
		return "", err
	}
	if bytes.Equal(there, body) {
		return Unchanged, nil
	}
	return Conflict, nil
}

// putImported writes body with its SHA-256, which S3 checks before it
// stores anything, create-only when conditional.
func putImported(ctx context.Context, s *backend.Session, bucket, key string, body []byte, conditional bool) error {
	sum := sha256.Sum256(body)
	in := &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}
	if conditional {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := s.S3().PutObject(ctx, in)
	if backend.IsCode(err, "PreconditionFailed", "ConditionalRequestConflict") || notImplemented(err) {
		return err // nothing was written
	}
	s.Audit("archive import", bucket+"/"+key, err)
	if err != nil {
		return fmt.Errorf("write %s: %w", objectURL(bucket, key), s.Explain(err))
	}
	return nil
}
