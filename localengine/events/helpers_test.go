package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestMain(m *testing.M) {
	enginetest.RunChildIfAsked()
	os.Exit(m.Run())
}

// fastRetries makes failed deliveries retry within milliseconds.
func fastRetries(o *localengine.Options) {
	o.RetryBase = time.Millisecond
	o.RetryCap = 5 * time.Millisecond
}

func start(t testing.TB, opts ...enginetest.Option) (*enginetest.Engine, *eventbridge.Client) {
	t.Helper()
	e := enginetest.Start(t, append([]enginetest.Option{enginetest.WithOptions(fastRetries)}, opts...)...)
	return e, e.EventBridge()
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// errCode is the error code of an API error, "" for success.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// createQueue makes an SQS queue and returns its URL and ARN.
func createQueue(t testing.TB, e *enginetest.Engine, name string) (string, string) {
	t.Helper()
	c := e.SQS()
	out, err := c.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return *out.QueueUrl, "arn:aws:sqs:us-east-1:000000000000:" + name
}

// receiveN waits for n messages on a queue (deleting them) and returns
// them; it fails the test after 15 seconds.
func receiveN(t testing.TB, e *enginetest.Engine, url string, n int) []sqstypes.Message {
	t.Helper()
	c := e.SQS()
	deadline := time.Now().Add(15 * time.Second)
	var got []sqstypes.Message
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			_, _ = c.DeleteMessage(ctxT(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(got) < n {
		t.Fatalf("received %d messages, want %d", len(got), n)
	}
	return got
}

// queueEmpty asserts that no message arrives on a queue within wait.
func queueEmpty(t testing.TB, e *enginetest.Engine, url string, wait time.Duration) {
	t.Helper()
	out, err := e.SQS().ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: int32(wait / time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		t.Fatalf("unexpected message: %s", *out.Messages[0].Body)
	}
}

// putRule puts an enabled rule with a pattern on a bus ("" for default).
func putRule(t testing.TB, c *eventbridge.Client, bus, name, pattern string) string {
	t.Helper()
	in := &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}
	if bus != "" {
		in.EventBusName = aws.String(bus)
	}
	out, err := c.PutRule(ctxT(t), in)
	if err != nil {
		t.Fatalf("put rule %s: %v", name, err)
	}
	return *out.RuleArn
}

func putTargets(t testing.TB, c *eventbridge.Client, bus, rule string, targets ...ebtypes.Target) {
	t.Helper()
	in := &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: targets}
	if bus != "" {
		in.EventBusName = aws.String(bus)
	}
	out, err := c.PutTargets(ctxT(t), in)
	if err != nil {
		t.Fatalf("put targets: %v", err)
	}
	if out.FailedEntryCount != 0 {
		t.Fatalf("put targets: %d failed: %+v", out.FailedEntryCount, out.FailedEntries)
	}
}

// putEvent puts one event and returns its id.
func putEvent(t testing.TB, c *eventbridge.Client, bus, source, detailType, detail string) string {
	t.Helper()
	entry := ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
	if bus != "" {
		entry.EventBusName = aws.String(bus)
	}
	out, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
	if err != nil {
		t.Fatalf("put events: %v", err)
	}
	if out.FailedEntryCount != 0 {
		t.Fatalf("put events: %s %s", aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return *out.Entries[0].EventId
}

// envelope is the event as EventBridge delivers it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func parseEnvelope(t testing.TB, body string) envelope {
	t.Helper()
	var ev envelope
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("event %q: %v", body, err)
	}
	return ev
}

// recorder is an HTTP target that records what it receives and answers
// with status() (200 when nil).
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	status func(n int) int
	got    chan struct{}
	srv    *httptest.Server
}

type recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
	At     time.Time
}

func newRecorder(t testing.TB, status func(n int) int) *recorder {
	r := &recorder{status: status, got: make(chan struct{}, 1<<16)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := make([]byte, 0, 512)
		buf := make([]byte, 4096)
		for {
			n, err := req.Body.Read(buf)
			body = append(body, buf[:n]...)
			if err != nil {
				break
			}
		}
		r.mu.Lock()
		n := len(r.reqs)
		r.reqs = append(r.reqs, recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: string(body), At: time.Now()})
		r.mu.Unlock()
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		w.WriteHeader(code)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// wait waits for the n-th request in total.
func (r *recorder) wait(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for r.count() < n {
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("the target got %d requests, want %d", r.count(), n)
		}
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// apiDestination makes an API_KEY connection and an API destination to
// url, returning the destination's ARN.
func apiDestination(t testing.TB, c *eventbridge.Client, name, url string, rate int32) string {
	t.Helper()
	conn, err := c.CreateConnection(ctxT(t), &eventbridge.CreateConnectionInput{
		Name: aws.String(name + "-conn"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
				ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("secret-" + name),
			},
		},
	})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	d, err := c.CreateApiDestination(ctxT(t), &eventbridge.CreateApiDestinationInput{
		Name: aws.String(name), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(url),
		HttpMethod: ebtypes.ApiDestinationHttpMethodPost, InvocationRateLimitPerSecond: aws.Int32(rate),
	})
	if err != nil {
		t.Fatalf("create api destination: %v", err)
	}
	return *d.ApiDestinationArn
}
