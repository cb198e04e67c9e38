package backend

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// WriteObject puts body at key in bucket with its SHA-256 checksum, and
// returns that checksum (base64, as S3 writes it) and the one the store
// echoed ("" when it echoes none), for the caller to compare: the
// archive's write of one event, the one write hydrate makes per event,
// as one plain signed PUT (see viaPlain) whose payload hash is the same
// SHA-256.
func (s *Session) WriteObject(ctx context.Context, bucket, key, contentType string, body []byte) (sentSHA256, echoedSHA256 string, err error) {
	sum := sha256.Sum256(body)
	checksum := base64.StdEncoding.EncodeToString(sum[:])
	echoed, err := viaPlain(ctx, s, bucket, func(b *plainBucket) (string, error) {
		var echoed string
		err := b.call(ctx, s, plainRequest{operation: "PutObject", method: http.MethodPut, key: key, body: body,
			payloadHash: hex.EncodeToString(sum[:]),
			header: http.Header{
				"Content-Type":          {contentType},
				"X-Amz-Checksum-Sha256": {checksum},
			}}, func(resp *http.Response) error {
			echoed = resp.Header.Get("X-Amz-Checksum-Sha256")
			return nil
		})
		return echoed, err
	}, func(error) bool { return false }, func() (string, error) {
		out, err := s.S3().PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader(body), ContentType: aws.String(contentType),
			ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(checksum),
		})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ChecksumSHA256), nil
	})
	return checksum, echoed, err
}
