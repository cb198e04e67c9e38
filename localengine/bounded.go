package localengine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inflight"
	"github.com/sluicehq/sluice/localengine/sigv4"
	"github.com/sluicehq/sluice/localengine/sts"
)

// MemoryCeiling is the resident memory the engine stays under whatever its
// clients send (README, "Bounded under slow and large clients"): request
// bodies held in memory share one budget (DefaultBodyMemory), S3 streams
// objects to disk, and every connection's headers and idle time are
// bounded.
const MemoryCeiling = 256 << 20

// Defaults of the bounds on slow and large clients.
const (
	// DefaultBodyMemory is the budget of memory that request bodies take
	// at once across every connection. A request that is read whole asks
	// for twice its declared length (decodedFactor; its service's limit
	// when it declares none), S3 only for its buffers since it streams
	// objects to disk.
	DefaultBodyMemory = 64 << 20
	// decodedFactor counts a body read whole twice: its bytes, and what
	// the service decodes from them while the request runs.
	decodedFactor = 2
	// DefaultBodyWait is how long a request waits for its share of the
	// budget before it is answered with its protocol's throttling error.
	DefaultBodyWait = 10 * time.Second
	// DefaultBodyIdleTimeout ends a request whose body sends nothing for
	// this long, as S3 does (RequestTimeout); a slow body that keeps
	// moving is never cut.
	DefaultBodyIdleTimeout = 20 * time.Second

	readHeaderTimeout = 10 * time.Second
	idleConnTimeout   = 2 * time.Minute
	// maxHeaderBytes bounds a request's line and headers; S3 allows 8 KiB
	// of headers, presigned URLs fit easily.
	maxHeaderBytes = 64 << 10
	// HTTP/2's flow-control windows are how much of a body the server
	// buffers before a handler reads it: kept small, since those bytes are
	// outside the body budget.
	h2ReceiveBuffer = 256 << 10
	h2MaxStreams    = 100
)

// bounded wraps the engine's handler: each request gets a share of the
// body budget (released when its answer is written) and a body that must
// keep moving.
func (e *Engine) bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: e.opts.BodyIdleTimeout}
			// Until the first read, the request may wait for its share;
			// a body the handler never reads is then bounded too, when
			// the server drains it after the answer.
			_ = b.rc.SetReadDeadline(time.Now().Add(e.opts.BodyWait + b.idle))
			r.Body = b
		}
		ctx, end := e.inflight.Begin(r.Context())
		defer end()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// idleBody pushes the connection's read deadline forward as the handler
// reads, so that a body is cut after idle without a byte, however long it
// takes in all. The deadline is pushed at most every idle/8, and never
// once the body has ended: HTTP/1.1's server then reads the connection in
// the background (clearing the deadline) to notice a client that goes
// away, and a deadline set under that read would cancel the request, a
// long poll say, when it passed.
type idleBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	idle   time.Duration
	pushed time.Time
	ended  bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.ended {
		return b.ReadCloser.Read(p)
	}
	if now := time.Now(); now.Sub(b.pushed) > b.idle/8 {
		_ = b.rc.SetReadDeadline(now.Add(b.idle))
		b.pushed = now
	}
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.ended = true
		if isTimeout(err) {
			err = ErrBodyTimeout
		}
	}
	return n, err
}

// ErrBodyTimeout is what reading a body that stopped for longer than the
// idle timeout returns.
var ErrBodyTimeout = &bodyTimeout{}

type bodyTimeout struct{}

func (*bodyTimeout) Error() string   { return "request body: no data within the idle timeout" }
func (*bodyTimeout) Timeout() bool   { return true }
func (*bodyTimeout) Temporary() bool { return false }
func (*bodyTimeout) Is(target error) bool {
	return target == os.ErrDeadlineExceeded
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// bodyReadError is the answer to a body that could not be read into
// memory: the budget stayed spent (a throttling error, 503 so that every
// SDK retries it), the body stopped moving, or it broke off.
func bodyReadError(r *http.Request, err error) error {
	switch {
	case errors.Is(err, inflight.ErrBusy):
		code := "ThrottlingException"
		if isSQSRequest(r) {
			code = "RequestThrottled"
		}
		return awserr.New(http.StatusServiceUnavailable, code,
			"The engine is reading too many request bodies at once; retry the request.")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return awserr.New(http.StatusBadRequest, "RequestTimeoutException", "The request was cancelled before its body was read.")
	case isTimeout(err):
		return awserr.New(http.StatusBadRequest, "RequestTimeoutException",
			"Your socket connection to the server was not read from or written to within the timeout period.")
	}
	return awserr.Serialization("could not read the request body")
}

// isSQSRequest tells SQS requests (JSON or query) from the other services'
// without reading the body: by target, by signature, or as an unsigned
// form post, which the engine serves as SQS unless it names another
// service's version in its query string.
func isSQSRequest(r *http.Request) bool {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return strings.HasPrefix(t, "AmazonSQS.")
	}
	if auth, _ := sigv4.Parse(r); auth != nil && auth.Service != "" {
		return auth.Service == "sqs"
	}
	v := r.URL.Query().Get("Version")
	return isForm(r) && v != cloudWatchVersion && v != sts.Version
}
