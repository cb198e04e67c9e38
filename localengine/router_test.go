package localengine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// post sends a request signed as an SDK signs it: for the service its
// target or its form's Version names.
func post(t *testing.T, url, target, contentType, body string) (int, http.Header, string) {
	t.Helper()
	service := "sqs"
	switch {
	case target != "":
		service = "kinesis" // the target, not the signature, names the service
	case strings.Contains(body, "Version=2011-06-15"):
		service = "sts"
	case strings.Contains(body, "Version=2010-08-01"):
		service = "monitoring"
	}
	return send(t, url, target, contentType, body, func(r *http.Request) { enginetest.Sign(t, r, service) })
}

// postUnsigned sends a request without a signature.
func postUnsigned(t *testing.T, url, target, contentType, body string) (int, http.Header, string) {
	t.Helper()
	return send(t, url, target, contentType, body, nil)
}

func send(t *testing.T, url, target, contentType, body string, sign func(*http.Request)) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", contentType)
	if sign != nil {
		sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestRouterAnswersBadRequestsInEachProtocol(t *testing.T) {
	e := enginetest.Start(t)
	status, _, body := post(t, e.URL+"/", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.0", "{}")
	if status != 400 || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("unknown target: %d %s", status, body)
	}
	status, _, body = post(t, e.URL+"/", "Kinesis_20131202.ListStreams", "application/x-amz-json-1.1", "{not json")
	if status != 400 || !strings.Contains(body, "SerializationException") {
		t.Errorf("malformed kinesis body: %d %s", status, body)
	}
	status, hdr, body := post(t, e.URL+"/", "AmazonSQS.ListQueues", "application/x-amz-json-1.0", `{"MaxResults":"x"}`)
	if status != 400 || hdr.Get("X-Amzn-Query-Error") == "" {
		t.Errorf("malformed sqs body: %d %v %s", status, hdr, body)
	}
	var decoded map[string]any
	if err := json.Unmarshal([]byte(body), &decoded); err != nil || decoded["__type"] == nil {
		t.Errorf("sqs error is not a JSON error document: %s", body)
	}
	status, _, body = post(t, e.URL+"/", "", "application/x-www-form-urlencoded", "Action=NoSuchAction&Version=2012-11-05")
	if status != 400 || !strings.Contains(body, "<ErrorResponse") {
		t.Errorf("unknown query action: %d %s", status, body)
	}
	big := bytes.Repeat([]byte("a"), 33<<20)
	status, _, _ = post(t, e.URL+"/", "Kinesis_20131202.PutRecord", "application/x-amz-json-1.1", string(big))
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", status)
	}
}

func TestVirtualHostStyleReachesTheBucket(t *testing.T) {
	e := enginetest.Start(t)
	req, _ := http.NewRequest(http.MethodPut, e.URL+"/", nil)
	req.Host = "vhost-bucket.localhost"
	enginetest.Sign(t, req, "s3")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("create bucket by virtual host: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, e.URL+"/vhost-bucket?list-type=2", nil)
	enginetest.Sign(t, req, "s3")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<Name>vhost-bucket</Name>") {
		t.Fatalf("list by path style: %d %s", resp.StatusCode, b)
	}
}

// FuzzEngine feeds arbitrary requests to the whole engine: whatever comes
// in, it answers with a status and never panics.
func FuzzEngine(f *testing.F) {
	f.Add("POST", "/", "Kinesis_20131202.PutRecords", "application/x-amz-json-1.1", "", `{"StreamName":"s","Records":[{"Data":"AA==","PartitionKey":"k"}]}`)
	f.Add("POST", "/", "AmazonSQS.SendMessage", "application/x-amz-json-1.0", "", `{"QueueUrl":"http://x/000000000000/q","MessageBody":"b"}`)
	f.Add("POST", "/000000000000/q", "", "application/x-www-form-urlencoded", "", "Action=SendMessage&MessageBody=x")
	f.Add("PUT", "/bucket/key", "", "text/plain", "", "hello")
	f.Add("POST", "/bucket", "", "application/xml", "delete", "<Delete><Object><Key>k</Key></Object></Delete>")
	f.Add("GET", "/bucket", "", "", "list-type=2&prefix=a&delimiter=/", "")
	f.Add("POST", "/", "", "application/x-www-form-urlencoded", "", "Action=GetCallerIdentity&Version=2011-06-15")
	f.Add("GET", "/", "", "", "Action=AssumeRole&Version=2011-06-15", "")
	// Unsigned, so that the fuzzer reaches the services' handlers.
	eng, err := localengine.Open(localengine.Options{DataDir: f.TempDir(), AllowUnsigned: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = eng.Shutdown(context.Background()) })
	f.Fuzz(func(t *testing.T, method, path, target, contentType, query, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") || strings.ContainsAny(method, " \r\n\t/") || method == "" {
			return
		}
		req, err := http.NewRequest(method, "http://127.0.0.1:4577"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		eng.ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
	})
}
