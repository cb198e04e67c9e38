package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Streaming modes of x-amz-content-sha256 whose chunks are signed with
// HMAC-SHA256 (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
const (
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// emptySHA256 is the hex SHA-256 of nothing, a fixed line of every chunk's
// string to sign.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Stream checks the signatures of an aws-chunked body, each chained from
// the one before, starting with the request's (seed) signature:
//
//	chunk:   HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" +
//	                   previous + "\n" + hex(sha256("")) + "\n" + hex(sha256(data)))
//	trailer: HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" + date + "\n" + scope + "\n" +
//	                   previous + "\n" + hex(sha256(trailers)))
//
// where trailers is "name:value\n" for each trailing header. A Stream is
// used by one request's reader only.
type Stream struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
	// Trailer tells whether the body ends with signed trailing headers.
	Trailer bool
}

// NewStream starts the chain of a request whose seed signature a has been
// verified with secret; mode is its x-amz-content-sha256.
func NewStream(a *Auth, secret, mode string) *Stream {
	return &Stream{
		key:     signingKey(a, secret),
		amzDate: a.AmzDate,
		scope:   a.scope(),
		prev:    strings.ToLower(a.Signature),
		Trailer: mode == StreamingPayloadTrailer,
	}
}

// VerifyChunk checks the signature of the next chunk, whose data has the
// SHA-256 sum, and advances the chain. The final, empty chunk is signed
// too.
func (s *Stream) VerifyChunk(sum []byte, signature string) error {
	want := s.sign("AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" +
		emptySHA256 + "\n" + hex.EncodeToString(sum))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(signature))) {
		return ErrMismatch
	}
	s.prev = want
	return nil
}

// VerifyTrailer checks the trailer signature over the trailing headers,
// given as "name:value\n" lines in the order they came.
func (s *Stream) VerifyTrailer(canonical, signature string) error {
	sum := sha256.Sum256([]byte(canonical))
	want := s.sign("AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" +
		hex.EncodeToString(sum[:]))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(signature))) {
		return ErrMismatch
	}
	return nil
}

func (s *Stream) sign(stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(s.key, stringToSign))
}

type streamKey struct{}

// WithStream returns ctx carrying the chunk verifier of its request.
func WithStream(ctx context.Context, s *Stream) context.Context {
	return context.WithValue(ctx, streamKey{}, s)
}

// StreamFrom returns the chunk verifier the router attached, or nil when
// chunk signatures are not checked (lenient authentication, or a mode
// whose chunks are unsigned).
func StreamFrom(ctx context.Context) *Stream {
	s, _ := ctx.Value(streamKey{}).(*Stream)
	return s
}
