package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ErrObjectTooLarge is ReadObject's answer for an object longer than
// the limit asked for.
var ErrObjectTooLarge = errors.New("object too large")

// emptyPayloadHash is the SHA-256 of an empty body, the payload hash of
// a signed GET.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// ReadObject reads an S3 object whole, at most limit bytes
// (ErrObjectTooLarge beyond): the archive's read of one event, the one
// call replay makes per event, as one plain signed GET (see viaPlain).
// A missing key is the SDK's *types.NoSuchKey.
func (s *Session) ReadObject(ctx context.Context, bucket, key string, limit int64) ([]byte, error) {
	final := func(err error) bool {
		var nsk *types.NoSuchKey
		return errors.Is(err, ErrObjectTooLarge) || errors.As(err, &nsk)
	}
	return viaPlain(ctx, s, bucket, func(b *plainBucket) ([]byte, error) { return b.get(ctx, s, key, limit) }, final,
		func() ([]byte, error) { return s.sdkReadObject(ctx, bucket, key, limit) })
}

func (s *Session) sdkReadObject(ctx context.Context, bucket, key string, limit int64) ([]byte, error) {
	out, err := s.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return readLimited(out.Body, aws.ToInt64(out.ContentLength), limit)
}

// get is one plain GetObject.
func (b *plainBucket) get(ctx context.Context, s *Session, key string, limit int64) ([]byte, error) {
	var body []byte
	err := b.call(ctx, s, plainRequest{operation: "GetObject", method: http.MethodGet, key: key, payloadHash: emptyPayloadHash},
		func(resp *http.Response) (err error) {
			body, err = readLimited(resp.Body, resp.ContentLength, limit)
			return err
		})
	var pe *PlainError
	if errors.As(err, &pe) && pe.Status == http.StatusNotFound && pe.Code == "NoSuchKey" {
		return nil, &types.NoSuchKey{Message: aws.String(pe.Message)}
	}
	return body, err
}

// readLimited reads body whole into a buffer sized by its announced
// length, refusing more than limit bytes.
func readLimited(body io.Reader, length, limit int64) ([]byte, error) {
	if length > limit {
		return nil, fmt.Errorf("%d bytes, over %d: %w", length, limit, ErrObjectTooLarge)
	}
	var buf bytes.Buffer
	if length > 0 {
		buf.Grow(int(length) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(body, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("over %d bytes: %w", limit, ErrObjectTooLarge)
	}
	return buf.Bytes(), nil
}
