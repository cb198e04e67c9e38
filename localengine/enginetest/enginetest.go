// Package enginetest starts a real engine on a loopback port for tests and
// hands out SDK clients pointed at it.
package enginetest

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sluicehq/sluice/localengine"
)

// Engine is a running engine and the clients that reach it.
type Engine struct {
	*localengine.Engine
	URL    string
	Region string
	Clock  *Clock
}

// Option changes the engine's options before it opens.
type Option func(*localengine.Options)

// WithOptions applies f to the options.
func WithOptions(f func(*localengine.Options)) Option { return Option(f) }

// Start opens an engine on a fresh data directory (or the one an option
// sets), serves it on 127.0.0.1 on a port of its own, and shuts it down when
// the test ends. The engine's clock is a Clock that tests can move forward.
func Start(tb testing.TB, opts ...Option) *Engine {
	tb.Helper()
	clock := NewClock()
	o := localengine.Options{DataDir: tb.TempDir(), Now: clock.Now}
	for _, opt := range opts {
		opt(&o)
	}
	eng, err := localengine.Open(o)
	if err != nil {
		tb.Fatalf("open engine: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	served, err := eng.Start(ln)
	if err != nil {
		tb.Fatalf("serve: %v", err)
	}
	e := &Engine{Engine: eng, URL: "http://" + ln.Addr().String(), Region: "us-east-1", Clock: clock}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// A test may have shut the engine down itself already.
		if err := eng.Shutdown(ctx); err != nil && !errors.Is(err, localengine.ErrShutDown) {
			tb.Errorf("engine shutdown: %v", err)
		}
		if err := <-served; err != nil {
			tb.Errorf("engine serve: %v", err)
		}
	})
	return e
}

// Config is an SDK configuration for the engine with static test
// credentials.
func (e *Engine) Config() aws.Config {
	return aws.Config{
		Region:       e.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(e.URL),
		// Tests assert on the first answer; the SDK's retries would hide it.
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient(),
		// What config.LoadDefaultConfig gives real users: checksums sent and
		// validated wherever the service supports them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
}

// Kinesis is a Kinesis client for the engine.
func (e *Engine) Kinesis() *kinesis.Client { return kinesis.NewFromConfig(e.Config()) }

// SQS is an SQS client for the engine.
func (e *Engine) SQS() *sqs.Client { return sqs.NewFromConfig(e.Config()) }

// S3 is an S3 client for the engine, in path style.
func (e *Engine) S3() *s3.Client {
	return s3.NewFromConfig(e.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// Pipes is an EventBridge Pipes client for the engine.
func (e *Engine) Pipes() *pipes.Client { return pipes.NewFromConfig(e.Config()) }

// Lambda is a Lambda client for the engine (event source mappings).
func (e *Engine) Lambda() *lambda.Client { return lambda.NewFromConfig(e.Config()) }

// EventBridge is an EventBridge client for the engine.
func (e *Engine) EventBridge() *eventbridge.Client { return eventbridge.NewFromConfig(e.Config()) }

// CloudWatch is a CloudWatch client for the engine (RPCv2 CBOR).
func (e *Engine) CloudWatch() *cloudwatch.Client { return cloudwatch.NewFromConfig(e.Config()) }

// STS is an STS client for the engine (query protocol).
func (e *Engine) STS() *sts.Client { return sts.NewFromConfig(e.Config()) }

// Clock runs with real time, and tests can jump it forward (past an
// iterator's expiry, a visibility timeout, a retention period).
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock reading the real time.
func NewClock() *Clock { return &Clock{} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
