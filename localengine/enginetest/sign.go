package enginetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Sign signs a hand-made request for service (s3, sqs, kinesis,
// monitoring, pipes, sts …) with the test credentials and us-east-1, as an
// SDK would, so that it passes the engine's refusal of unsigned requests.
// The payload hash is X-Amz-Content-Sha256 when the request sets it,
// UNSIGNED-PAYLOAD for S3 otherwise (S3 bodies are left unread: they may
// be large or slow on purpose), and the body's SHA-256 for the other
// services, whose body stays readable. Call it after every header (and the
// Host) is set.
func Sign(tb testing.TB, req *http.Request, service string) {
	tb.Helper()
	hash := req.Header.Get("X-Amz-Content-Sha256")
	if hash == "" && service == "s3" {
		hash = "UNSIGNED-PAYLOAD"
	}
	var body []byte
	if hash == "" && req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			tb.Fatalf("sign: read body: %v", err)
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if hash == "" {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	// The S3 client signs the path as sent; every other client escapes it twice.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err := signer.SignHTTP(context.Background(), creds, req, hash, service, "us-east-1", time.Now()); err != nil {
		tb.Fatalf("sign: %v", err)
	}
}
