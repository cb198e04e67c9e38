package sqs_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// testCtx bounds each test's calls so that a hang fails instead of
// stalling the run.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type fixture struct {
	t   *testing.T
	e   *enginetest.Engine
	c   *sqs.Client
	ctx context.Context
}

func start(t *testing.T, opts ...enginetest.Option) *fixture {
	t.Helper()
	e := enginetest.Start(t, opts...)
	return &fixture{t: t, e: e, c: e.SQS(), ctx: testCtx(t)}
}

func (f *fixture) createQueue(name string, attrs map[string]string) string {
	f.t.Helper()
	out, err := f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		f.t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func (f *fixture) arn(url string) string {
	f.t.Helper()
	return f.attrs(url, "QueueArn")["QueueArn"]
}

func (f *fixture) attrs(url string, names ...types.QueueAttributeName) map[string]string {
	f.t.Helper()
	out, err := f.c.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	if err != nil {
		f.t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes
}

// counts is (visible, in flight, delayed).
func (f *fixture) counts(url string) [3]string {
	f.t.Helper()
	a := f.attrs(url, types.QueueAttributeNameAll)
	return [3]string{a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"], a["ApproximateNumberOfMessagesDelayed"]}
}

func (f *fixture) send(url, body string) *sqs.SendMessageOutput {
	f.t.Helper()
	out, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

func (f *fixture) sendFifo(url, body, group, dedup string) *sqs.SendMessageOutput {
	f.t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body), MessageGroupId: aws.String(group)}
	if dedup != "" {
		in.MessageDeduplicationId = aws.String(dedup)
	}
	out, err := f.c.SendMessage(f.ctx, in)
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

func (f *fixture) receive(url string, max int32, optFns ...func(*sqs.ReceiveMessageInput)) []types.Message {
	f.t.Helper()
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: max,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"}}
	for _, fn := range optFns {
		fn(in)
	}
	out, err := f.c.ReceiveMessage(f.ctx, in)
	if err != nil {
		f.t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func (f *fixture) deleteMsg(url string, m types.Message) {
	f.t.Helper()
	if _, err := f.c.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		f.t.Fatalf("DeleteMessage: %v", err)
	}
}

func bodies(ms []types.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = aws.ToString(m.Body)
	}
	return out
}

// wantCode asserts err is an API error with the given code (the legacy
// query code the SDK reports for SQS).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s (%s)", code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

func wantType[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %v", target, err)
	}
	return target
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func equalSlices[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

// eventually polls cond until it holds, failing after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawEngine is an engine a test shuts down itself, for restarts:
// enginetest.Start's cleanup shuts its engine down again, which a second
// Shutdown does not survive.
type rawEngine struct {
	eng    *localengine.Engine
	url    string
	client *sqs.Client
	served chan error
	down   bool
}

func openRaw(t *testing.T, dir string, clock *enginetest.Clock) *rawEngine {
	t.Helper()
	eng, err := localengine.Open(localengine.Options{DataDir: dir, Now: clock.Now})
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &rawEngine{eng: eng, url: "http://" + ln.Addr().String(), served: make(chan error, 1)}
	go func() { r.served <- eng.Serve(ln) }()
	r.client = sqs.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:     aws.String(r.url),
		RetryMaxAttempts: 1,
	})
	t.Cleanup(func() {
		if !r.down {
			r.shutdown(t)
		}
	})
	return r
}

func (r *rawEngine) shutdown(t *testing.T) {
	t.Helper()
	r.down = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.eng.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-r.served; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
