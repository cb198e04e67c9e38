// Package wire holds what the engine's protocol front ends share: the
// per-request information taken from the signature, and the JSON and XML
// encoders of the AWS protocols.
package wire

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// Account is the account id every resource of the engine belongs to.
const Account = "000000000000"

// DefaultRegion is used when a request carries no signature to take it from.
const DefaultRegion = "us-east-1"

// RequestInfo describes the caller of one request.
type RequestInfo struct {
	Region    string // from the SigV4 credential scope
	AccessKey string // never logged
	RequestID string
	// BaseURL is the scheme and host the client used, e.g.
	// "http://127.0.0.1:4577", for building queue URLs.
	BaseURL string
}

type infoKey struct{}

// WithInfo returns ctx carrying info.
func WithInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// Info returns the request's information, with the default region when the
// context carries none (for direct calls in tests and fuzzers).
func Info(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(infoKey{}).(RequestInfo)
	if info.Region == "" {
		info.Region = DefaultRegion
	}
	if info.BaseURL == "" {
		info.BaseURL = "http://127.0.0.1:4577"
	}
	return info
}

// Region is shorthand for Info(ctx).Region.
func Region(ctx context.Context) string { return Info(ctx).Region }

// NewRequestID returns a random id in the UUID-like form AWS uses.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
