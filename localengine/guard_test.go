package localengine_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// queueWithMessages makes a queue holding three messages.
func queueWithMessages(t *testing.T, e *enginetest.Engine) string {
	t.Helper()
	ctx := context.Background()
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("m")}); err != nil {
			t.Fatal(err)
		}
	}
	return aws.ToString(q.QueueUrl)
}

func queueDepth(t *testing.T, e *enginetest.Engine, queueURL string) string {
	t.Helper()
	out, err := e.SQS().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"]
}

// browserPurge is what a web page can make a browser send: a form POST
// with no credentials, or, with header set, whatever fetch allows.
func browserPurge(t *testing.T, e *enginetest.Engine, queueURL string, mutate func(*http.Request)) (int, string) {
	t.Helper()
	form := url.Values{"Action": {"PurgeQueue"}, "QueueUrl": {queueURL}, "Version": {"2012-11-05"}}
	req, _ := http.NewRequest(http.MethodPost, queueURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func signSQS(t *testing.T) func(*http.Request) {
	return func(r *http.Request) { enginetest.Sign(t, r, "sqs") }
}

func TestBrowsersCannotReachTheEngine(t *testing.T) {
	e := enginetest.Start(t)
	q := queueWithMessages(t, e)
	for _, tc := range []struct {
		name   string
		mutate func(*http.Request)
		status int
		code   string
	}{
		{"unsigned form post", nil, 403, "<Code>MissingAuthenticationToken</Code>"},
		{"signed, with an Origin", func(r *http.Request) {
			r.Header.Set("Origin", "https://evil.example")
			signSQS(t)(r)
		}, 403, "<Code>AccessDenied</Code>"},
		{"signed, from a cross-site page without Origin", func(r *http.Request) {
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			signSQS(t)(r)
		}, 403, "<Code>AccessDenied</Code>"},
		{"signed, for another host (DNS rebinding)", func(r *http.Request) {
			r.Host = "evil.example:4577"
			signSQS(t)(r)
		}, 403, "<Code>AccessDenied</Code>"},
	} {
		status, body := browserPurge(t, e, q, tc.mutate)
		if status != tc.status || !strings.Contains(body, tc.code) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
		if n := queueDepth(t, e, q); n != "3" {
			t.Fatalf("%s: the queue holds %s messages, want 3", tc.name, n)
		}
	}
	// The SDK's own request, signed, from no browser, goes through.
	if status, body := browserPurge(t, e, q, signSQS(t)); status != 200 {
		t.Fatalf("signed purge: %d %s", status, body)
	}
}

func TestEachAllowanceLetsItsRequestsThrough(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opt    func(*localengine.Options)
		mutate func(*http.Request)
	}{
		{"--allow-unsigned", func(o *localengine.Options) { o.AllowUnsigned = true }, nil},
		{"--allow-origin", func(o *localengine.Options) { o.AllowOrigins = []string{"http://localhost:3000"} }, func(r *http.Request) {
			r.Header.Set("Origin", "http://localhost:3000")
			signSQS(t)(r)
		}},
		{"--allow-origin *", func(o *localengine.Options) { o.AllowOrigins = []string{"*"} }, func(r *http.Request) {
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			signSQS(t)(r)
		}},
		{"--allow-host", func(o *localengine.Options) { o.AllowHosts = []string{"sluice.internal"} }, func(r *http.Request) {
			r.Host = "sluice.internal:4577"
			signSQS(t)(r)
		}},
		{"--allow-host *.suffix", func(o *localengine.Options) { o.AllowHosts = []string{"*.example.test"} }, func(r *http.Request) {
			r.Host = "engine.example.test"
			signSQS(t)(r)
		}},
	} {
		e := enginetest.Start(t, enginetest.WithOptions(tc.opt))
		q := queueWithMessages(t, e)
		if status, body := browserPurge(t, e, q, tc.mutate); status != 200 {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
		if n := queueDepth(t, e, q); n != "0" {
			t.Errorf("%s: the queue holds %s messages after the purge", tc.name, n)
		}
	}
}

func TestAllowedOriginsGetCORS(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.AllowOrigins = []string{"http://localhost:3000"} }))
	req, _ := http.NewRequest(http.MethodOptions, e.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,x-amz-target,x-amz-date,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-target") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, h)
	}
	req.Header.Set("Origin", "http://other.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestUnsignedRequestsAreRefusedInEachProtocol(t *testing.T) {
	e := enginetest.Start(t)
	for _, tc := range []struct {
		name, method, path, target, contentType, body string
		status                                        int
		code                                          string
	}{
		{"kinesis", "POST", "/", "Kinesis_20131202.ListStreams", "application/x-amz-json-1.1", "{}", 400, "MissingAuthenticationTokenException"},
		{"sqs json", "POST", "/", "AmazonSQS.ListQueues", "application/x-amz-json-1.0", "{}", 403, "MissingAuthenticationToken"},
		{"s3", "GET", "/", "", "", "", 403, "<Code>AccessDenied</Code>"},
		{"sts", "POST", "/", "", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>MissingAuthenticationToken</Code>"},
		{"pipes", "GET", "/v1/pipes", "", "", "", 400, "MissingAuthenticationTokenException"},
	} {
		req, _ := http.NewRequest(tc.method, e.URL+tc.path, strings.NewReader(tc.body))
		if tc.target != "" {
			req.Header.Set("X-Amz-Target", tc.target)
		}
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := resp.Header.Get("X-Amzn-Errortype") + " " + string(b)
		if resp.StatusCode != tc.status || !strings.Contains(got, tc.code) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, got, tc.status, tc.code)
		}
	}
	// A malformed Authorization is not a signature either.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Authorization", "Bearer abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "IncompleteSignatureException") {
		t.Errorf("malformed Authorization: %d %s", resp.StatusCode, b)
	}
}

// Every way of starting an engine goes through Start, which keeps it on
// loopback unless AllowRemote says otherwise.
func TestStartRefusesANonLoopbackListener(t *testing.T) {
	for _, allow := range []bool{false, true} {
		eng, err := localengine.Open(localengine.Options{DataDir: t.TempDir(), AllowRemote: allow})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		done, err := eng.Start(ln)
		if allow {
			if err != nil {
				t.Fatalf("AllowRemote: %v", err)
			}
		} else if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			t.Fatalf("0.0.0.0 without AllowRemote: %v", err)
		}
		_ = ln.Close()
		_ = eng.Shutdown(context.Background())
		if done != nil {
			<-done
		}
	}
}

// boto3 and the aws CLI presign S3 URLs with Signature Version 2 by
// default; the lenient engine takes them as it takes any signature.
func TestSigV2PresignedURLsAreSigned(t *testing.T) {
	e := enginetest.Start(t)
	ctx := context.Background()
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("presigned")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presigned"), Key: aws.String("k"), Body: strings.NewReader("v2")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.URL + "/presigned/k?AWSAccessKeyId=AK&Signature=eKX%2BCa5U1Y6HHQkvwKLZwS2z1rc%3D&Expires=1796666739")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "v2" {
		t.Fatalf("SigV2 presigned GET: %d %s", resp.StatusCode, b)
	}
}
