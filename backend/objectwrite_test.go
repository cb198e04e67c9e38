package backend_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
)

// plainPUT matches WriteObject's own requests.
func plainPUT(r faultproxy.Request) bool {
	return r.Method == http.MethodPut && r.Header.Get("Amz-Sdk-Invocation-Id") == ""
}

// TestWriteObjectIsOnePlainSignedPUT writes objects whose keys need
// every kind of escaping to an engine that checks every signature: each
// write is one PUT, the engine stores exactly the bytes and echoes their
// SHA-256, and the call log has it as S3 PutObject.
func TestWriteObjectIsOnePlainSignedPUT(t *testing.T) {
	s, p := readObjectSession(t)
	keys := []string{"failed/orders/2026/12/07/22/e.json", "failed/a b/ü+%=&;,$@:!'()*[]/x.json", "failed/query?and#hash"}
	for _, k := range keys {
		body := []byte(`{"key":"` + k + `","data":"\u0000\u001b[31m"}`)
		_, echoed, err := s.WriteObject(t.Context(), "archive", k, "application/json", body)
		sum := sha256.Sum256(body)
		if err != nil || echoed != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Fatalf("WriteObject(%q) echoed %q, %v", k, echoed, err)
		}
		out, err := s.S3().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("archive"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != string(body) || aws.ToString(out.ContentType) != "application/json" {
			t.Errorf("%q holds %q (%s), want %q", k, got, aws.ToString(out.ContentType), body)
		}
	}
	if n := len(p.Seen(plainPUT)); n != len(keys) {
		t.Errorf("%d plain PUTs for %d writes", n, len(keys))
	}
	var logged int
	for _, c := range s.Calls.Calls() {
		if c.Operation == "PutObject" && c.Service == "S3" && c.Result == "ok" {
			logged++
		}
	}
	if logged != len(keys) {
		t.Errorf("%d PutObject calls logged, want %d", logged, len(keys))
	}
}

// TestWriteObjectFallsBackToTheSDK: a PUT refused for its signature is
// written again through the SDK, which succeeds and echoes the checksum;
// later writes to that bucket go through the SDK alone.
func TestWriteObjectFallsBackToTheSDK(t *testing.T) {
	s, p := readObjectSession(t)
	p.Add(&faultproxy.Rule{Service: "s3", Match: plainPUT, Times: 1,
		Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "no"}})
	for _, k := range []string{"a", "b"} {
		_, echoed, err := s.WriteObject(t.Context(), "archive", k, "application/json", []byte(k))
		sum := sha256.Sum256([]byte(k))
		if err != nil || echoed != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Fatalf("WriteObject(%q) echoed %q, %v", k, echoed, err)
		}
	}
	if n := len(p.Seen(plainPUT)); n != 1 {
		t.Errorf("%d plain PUTs, want the refused one alone", n)
	}
}

// TestWriteObjectAsksWhatTheSDKWouldAsk compares, for AWS's own
// endpoints, the plain PUT with the SDK's PutObject of the same bytes:
// same URL, signing scope and checksum header.
func TestWriteObjectAsksWhatTheSDKWouldAsk(t *testing.T) {
	awsHome(t, "[profile prod]\nregion = us-west-2\naws_access_key_id = AKIDPROD\naws_secret_access_key = secret\n")
	rec := &recordingClient{}
	s, err := backend.Open(t.Context(), profileNamed(t, "prod"), backend.Env{HTTPClient: rec})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"e"}`)
	sum := sha256.Sum256(body)
	checksum := base64.StdEncoding.EncodeToString(sum[:])
	for _, c := range []struct{ bucket, key string }{
		{"orders-archive", "failed/orders/2026/12/07/22/e.json"},
		{"orders.archive.example", "failed/e.json"},
		{"orders-archive", "failed/a b/ü+%=&.json"},
	} {
		rec.reqs = nil
		if _, err := s.S3().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(c.key),
			Body: bytes.NewReader(body), ChecksumSHA256: aws.String(checksum)}); err != nil {
			t.Fatalf("SDK PutObject: %v", err)
		}
		if _, _, err := s.WriteObject(t.Context(), c.bucket, c.key, "application/json", body); err != nil {
			t.Fatalf("WriteObject: %v", err)
		}
		if len(rec.reqs) != 2 {
			t.Fatalf("%d requests, want the SDK's and the plain one", len(rec.reqs))
		}
		sdk, plain := rec.reqs[0], rec.reqs[1]
		if sdk.URL.String() != plain.URL.String() {
			t.Errorf("%s/%s: plain PUT %s, SDK %s", c.bucket, c.key, plain.URL, sdk.URL)
		}
		if a, b := scopeOf(sdk), scopeOf(plain); a == "" || a != b {
			t.Errorf("%s: signing scope %q, SDK's %q", c.bucket, b, a)
		}
		if got := plain.Header.Get("X-Amz-Checksum-Sha256"); got != checksum || sdk.Header.Get("X-Amz-Checksum-Sha256") != checksum {
			t.Errorf("checksum header %q, SDK's %q, want %q", got, sdk.Header.Get("X-Amz-Checksum-Sha256"), checksum)
		}
		if plain.ContentLength != int64(len(body)) {
			t.Errorf("Content-Length %d", plain.ContentLength)
		}
	}
}
