package localengine_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// h2cClient speaks only HTTP/2 without TLS, with prior knowledge, as the
// JavaScript SDK v3's Kinesis client does over http://; it records the
// protocol of every answer.
func h2cClient(protos *[]string) *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: p}
	return &http.Client{Transport: recordProto{tr, protos}}
}

type recordProto struct {
	base   http.RoundTripper
	protos *[]string
}

func (r recordProto) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err == nil {
		*r.protos = append(*r.protos, resp.Proto)
	}
	return resp, err
}

// TestH2C: a signed Kinesis call over h2c is answered over HTTP/2 on the
// engine's one port, next to HTTP/1.1.
func TestH2C(t *testing.T) {
	e := enginetest.Start(t)
	ctx := context.Background()
	var protos []string
	cfg := e.Config()
	cfg.HTTPClient = h2cClient(&protos)
	cfg.RetryMaxAttempts = 1
	c := kinesis.NewFromConfig(cfg)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("h2"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream over h2c: %v", err)
	}
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatalf("ListStreams over h2c: %v", err)
	}
	if len(out.StreamNames) != 1 || out.StreamNames[0] != "h2" {
		t.Fatalf("ListStreams over h2c: %v", out.StreamNames)
	}
	for _, p := range protos {
		if p != "HTTP/2.0" {
			t.Fatalf("answered over %s, want HTTP/2.0", p)
		}
	}
	// HTTP/1.1 on the same port still works.
	if _, err := e.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams over HTTP/1.1: %v", err)
	}
}

// TestH2CStreamsAreBounded: the body idle timeout and the body budget apply
// to HTTP/2 streams as to HTTP/1.1 requests.
func TestH2CStreamsAreBounded(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.BodyMemory = 1 << 20
		o.BodyWait = 300 * time.Millisecond
		o.BodyIdleTimeout = 500 * time.Millisecond
	}))
	var protos []string
	client := h2cClient(&protos)
	post := func(body io.Reader, length int64) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/", body)
		req.ContentLength = length
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", strings.TrimSuffix(strings.TrimPrefix(
			strings.SplitN(fakeAuth("kinesis"), "\r\n", 2)[0], "Authorization: "), "\r\n"))
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, resp.Header.Get("X-Amzn-ErrorType") + " " + string(b)
	}

	// A stream whose body never comes holds the whole budget …
	hogBody, hogWriter := io.Pipe()
	defer hogWriter.Close()
	hogDone := make(chan string, 1)
	go func() {
		resp, text := post(hogBody, 1<<20)
		hogDone <- resp.Status + " " + text
	}()
	// … so another stream is throttled (probe until the hog is in: its
	// stream may take a moment to open) …
	throttled := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !throttled; {
		resp, text := post(strings.NewReader("{}"), 2)
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(text, "ThrottlingException"):
			throttled = true
		case resp.StatusCode == http.StatusServiceUnavailable:
			t.Fatalf("throttled with %s", text)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !throttled {
		t.Errorf("no h2 stream was throttled while another held the whole budget")
	}
	// … until the idle timeout cuts the stalled one.
	select {
	case got := <-hogDone:
		if !strings.Contains(got, "RequestTimeoutException") {
			t.Errorf("stalled h2 body: %s, want RequestTimeoutException", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a stalled h2 body was never cut")
	}
	if resp, text := post(strings.NewReader("{}"), 2); resp.StatusCode == http.StatusServiceUnavailable {
		t.Errorf("after the stalled stream ended: %s %s", resp.Status, text)
	}
	for _, p := range protos {
		if p != "HTTP/2.0" {
			t.Fatalf("answered over %s, want HTTP/2.0", p)
		}
	}
}
