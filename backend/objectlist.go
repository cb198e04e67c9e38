package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxListBody bounds a listing's answer: 1,000 keys of 1 KiB each, with
// their XML, are under 2 MiB.
const maxListBody = 16 << 20

// ListObjectsV2 is S3's ListObjectsV2 as one plain signed GET (see
// viaPlain): an archive listing reads a page of 1,000 keys per call, and
// the SDK's XML decoding of it costs a replay more CPU per event than
// anything it does but the event's own read. The answer holds what
// sluice reads of a listing: each object's key, size, last-modified time
// and ETag, the common prefixes, the encoding type, and the continuation.
func (s *Session) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
	bucket := aws.ToString(in.Bucket)
	return viaPlain(ctx, s, bucket, func(b *plainBucket) (*s3.ListObjectsV2Output, error) { return b.list(ctx, s, in) },
		func(error) bool { return false },
		func() (*s3.ListObjectsV2Output, error) { return s.S3().ListObjectsV2(ctx, in) })
}

func (b *plainBucket) list(ctx context.Context, s *Session, in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
	q := url.Values{"list-type": {"2"}}
	set := func(name string, v *string) {
		if v != nil {
			q.Set(name, *v)
		}
	}
	set("prefix", in.Prefix)
	set("delimiter", in.Delimiter)
	set("continuation-token", in.ContinuationToken)
	set("start-after", in.StartAfter)
	if in.EncodingType != "" {
		q.Set("encoding-type", string(in.EncodingType))
	}
	if in.MaxKeys != nil {
		q.Set("max-keys", strconv.Itoa(int(*in.MaxKeys)))
	}
	var out *s3.ListObjectsV2Output
	err := b.call(ctx, s, plainRequest{operation: "ListObjectsV2", method: http.MethodGet, query: q, payloadHash: emptyPayloadHash},
		func(resp *http.Response) (err error) {
			out, err = decodeListObjectsV2(io.LimitReader(resp.Body, maxListBody))
			return err
		})
	return out, err
}

// decodeListObjectsV2 reads a ListObjectsV2 answer, untrusted input:
// malformed XML, a number or a time is an error, never a guess.
func decodeListObjectsV2(r io.Reader) (*s3.ListObjectsV2Output, error) {
	doc, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ListObjectsV2: read the answer: %w", err)
	}
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
	var obj types.Object
	var prefix types.CommonPrefix
	err = scanXML(doc, func(e xmlElement) error {
		if e.path[0] != "ListBucketResult" {
			return fmt.Errorf("a %s, not a ListBucketResult", e.path[0])
		}
		switch {
		case len(e.path) == 2 && e.path[1] == "Contents":
			if obj.Key == nil {
				return errors.New("an object without a key")
			}
			out.Contents = append(out.Contents, obj)
			obj = types.Object{}
		case len(e.path) == 2 && e.path[1] == "CommonPrefixes":
			out.CommonPrefixes = append(out.CommonPrefixes, prefix)
			prefix = types.CommonPrefix{}
		case len(e.path) == 2 && e.leaf:
			return listField(out, e.path[1], string(e.text))
		case len(e.path) == 3 && e.path[1] == "Contents" && e.leaf:
			return objectField(&obj, e.path[2], string(e.text))
		case len(e.path) == 3 && e.path[1] == "CommonPrefixes" && e.path[2] == "Prefix" && e.leaf:
			prefix.Prefix = aws.String(string(e.text))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ListObjectsV2: decode the answer: %w", err)
	}
	return out, nil
}

func listField(out *s3.ListObjectsV2Output, name, text string) error {
	switch name {
	case "IsTruncated":
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("IsTruncated %q", text)
		}
		out.IsTruncated = aws.Bool(b)
	case "NextContinuationToken":
		if text != "" {
			out.NextContinuationToken = aws.String(text)
		}
	case "EncodingType":
		out.EncodingType = types.EncodingType(strings.TrimSpace(text))
	case "KeyCount":
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
		if err != nil {
			return fmt.Errorf("KeyCount %q", text)
		}
		out.KeyCount = aws.Int32(int32(n))
	}
	return nil
}

func objectField(o *types.Object, name, text string) error {
	switch name {
	case "Key":
		o.Key = aws.String(text)
	case "ETag":
		o.ETag = aws.String(text)
	case "Size":
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("Size %q", text)
		}
		o.Size = aws.Int64(n)
	case "LastModified":
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("LastModified %q: %w", text, err)
		}
		o.LastModified = aws.Time(t)
	}
	return nil
}
