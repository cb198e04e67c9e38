package backend_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

// plainGET matches ReadObject's own requests: the SDK marks each of its
// requests with an invocation id.
func plainGET(r faultproxy.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Amz-Sdk-Invocation-Id") == ""
}

// readObjectSession opens a profile with real keys on an engine that
// checks every signature, through a fault proxy.
func readObjectSession(t *testing.T) (*backend.Session, *faultproxy.Proxy) {
	t.Helper()
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDGOOD", Secret: "good-secret"}
	}))
	p := faultproxy.Start(t, e.URL)
	awsHome(t, "[profile archive]\nregion = eu-west-1\naws_access_key_id = AKIDGOOD\naws_secret_access_key = good-secret\n")
	s, err := backend.Open(t.Context(), profileNamed(t, "archive"), backend.Env{Endpoint: p.URL, HTTPClient: enginetest.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.S3().CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("archive"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	return s, p
}

func putArchived(t *testing.T, s *backend.Session, key string, body []byte) {
	t.Helper()
	if _, err := s.S3().PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
}

// TestReadObjectIsOnePlainSignedGET reads objects whose keys need every
// kind of escaping: each read is one GET the engine accepts as signed
// by the profile's key, not the SDK's, logged and budgeted as the SDK's
// GetObject is.
func TestReadObjectIsOnePlainSignedGET(t *testing.T) {
	s, p := readObjectSession(t)
	keys := []string{
		"failed/orders/2026/12/07/22/customer-1-1796680000000-abc.json",
		"failed/a b/ü+%=&;,$@:!'()*[]/x.json",
		"failed/tilde~and.dots../~/k",
		"failed/query?and#hash",
	}
	for i, k := range keys {
		putArchived(t, s, k, fmt.Appendf(nil, `{"n":%d}`, i))
	}
	before := len(p.Seen(plainGET))
	for i, k := range keys {
		body, err := s.ReadObject(t.Context(), "archive", k, 1<<20)
		if err != nil || string(body) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("ReadObject(%q) = %q, %v", k, body, err)
		}
	}
	if got := len(p.Seen(plainGET)) - before; got != len(keys) {
		t.Errorf("%d plain GETs for %d reads", got, len(keys))
	}
	if n := p.Count("s3", ""); n == 0 {
		t.Fatal("the proxy saw no S3 requests")
	}
	var logged []backend.Call
	for _, c := range s.Calls.Calls() {
		if c.Operation == "GetObject" {
			logged = append(logged, c)
		}
	}
	if len(logged) != len(keys) {
		t.Fatalf("call log has %d GetObject calls, want %d: %+v", len(logged), len(keys), logged)
	}
	for i, c := range logged {
		if c.Service != "S3" || c.Resource != "archive/"+keys[i] || c.Result != "ok" || c.Limit == 0 {
			t.Errorf("call %d = %+v", i, c)
		}
	}
}

// TestReadObjectAnswers: a missing key is the SDK's NoSuchKey, read in
// one call; an object over the limit is refused; neither turns the
// plain GET off.
func TestReadObjectAnswers(t *testing.T) {
	s, p := readObjectSession(t)
	putArchived(t, s, "big", bytes.Repeat([]byte("x"), 2048))
	putArchived(t, s, "small", []byte("ok"))
	before := len(p.Seen(nil))
	_, err := s.ReadObject(t.Context(), "archive", "missing", 1<<20)
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("missing key: %v, want NoSuchKey", err)
	}
	if n := len(p.Seen(nil)) - before; n != 1 {
		t.Errorf("a missing key took %d requests, want 1", n)
	}
	if _, err := s.ReadObject(t.Context(), "archive", "big", 1024); !errors.Is(err, backend.ErrObjectTooLarge) {
		t.Fatalf("2 KiB with a 1 KiB limit: %v", err)
	}
	before = len(p.Seen(plainGET))
	if body, err := s.ReadObject(t.Context(), "archive", "small", 1024); err != nil || string(body) != "ok" {
		t.Fatalf("small: %q %v", body, err)
	}
	if len(p.Seen(plainGET)) != before+1 {
		t.Error("the plain GET was turned off by a missing key or a large object")
	}
}

// TestReadObjectFallsBackToTheSDK: a plain GET refused for what the SDK
// gets right (here the signature) is asked again through the SDK, which
// answers, and that bucket is then read through the SDK alone; a
// throttled plain GET slows the budget, is answered by the SDK too, and
// keeps the plain GET on.
func TestReadObjectFallsBackToTheSDK(t *testing.T) {
	s, p := readObjectSession(t)
	putArchived(t, s, "k", []byte("event"))
	slow := p.Add(&faultproxy.Rule{Service: "s3", Match: plainGET, Times: 1,
		Fault: faultproxy.Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}})
	if body, err := s.ReadObject(t.Context(), "archive", "k", 1024); err != nil || string(body) != "event" {
		t.Fatalf("after SlowDown: %q %v", body, err)
	}
	if slow.Fired() != 1 {
		t.Fatalf("SlowDown fired %d times", slow.Fired())
	}
	var throttles int
	for _, st := range s.Budget.States() {
		if st.Service == "S3" && st.Operation == "GetObject" {
			throttles = st.Throttles
		}
	}
	if throttles != 1 {
		t.Errorf("S3.GetObject throttles = %d after SlowDown, want 1", throttles)
	}
	before := len(p.Seen(plainGET))
	if _, err := s.ReadObject(t.Context(), "archive", "k", 1024); err != nil || len(p.Seen(plainGET)) != before+1 {
		t.Fatalf("after a throttle the plain GET is still used: %v, %d plain GETs", err, len(p.Seen(plainGET))-before)
	}

	p.Add(&faultproxy.Rule{Service: "s3", Match: plainGET, Times: 1,
		Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match"}})
	for range 3 {
		if body, err := s.ReadObject(t.Context(), "archive", "k", 1024); err != nil || string(body) != "event" {
			t.Fatalf("after SignatureDoesNotMatch: %q %v", body, err)
		}
	}
	if n := len(p.Seen(plainGET)) - before; n != 2 {
		t.Errorf("%d plain GETs, want 2: the refused one turns them off for the bucket", n)
	}
	var refused bool
	for _, c := range s.Calls.Calls() {
		refused = refused || c.Operation == "GetObject" && c.Result == "SignatureDoesNotMatch"
	}
	if !refused {
		t.Error("the refused GET is not in the call log")
	}
}

// TestReadObjectAsksWhatTheSDKWouldAsk compares, for AWS's own
// endpoints, the plain GET with the SDK's GetObject of the same object:
// same URL and same signing scope (service and region), for a
// virtual-hosted bucket, one whose dots force path style, an access
// point, and a key needing escapes. Nothing reaches AWS: the client
// answers every request itself.
func TestReadObjectAsksWhatTheSDKWouldAsk(t *testing.T) {
	awsHome(t, "[profile prod]\nregion = us-west-2\naws_access_key_id = AKIDPROD\naws_secret_access_key = secret\n")
	rec := &recordingClient{}
	s, err := backend.Open(t.Context(), profileNamed(t, "prod"), backend.Env{HTTPClient: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ bucket, key string }{
		{"orders-archive", "failed/orders/2026/12/07/22/e.json"},
		{"orders.archive.example", "failed/e.json"},
		{"arn:aws:s3:us-west-2:123456789012:accesspoint/replays", "failed/e.json"},
		{"orders-archive", "failed/a b/ü+%=&.json"},
	} {
		rec.reqs = nil
		if _, err := s.S3().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(c.key)}); err != nil {
			t.Fatalf("SDK GetObject %s/%s: %v", c.bucket, c.key, err)
		}
		if _, err := s.ReadObject(t.Context(), c.bucket, c.key, 1024); err != nil {
			t.Fatalf("ReadObject %s/%s: %v", c.bucket, c.key, err)
		}
		if len(rec.reqs) != 2 {
			t.Fatalf("%d requests, want the SDK's and the plain one", len(rec.reqs))
		}
		sdk, plain := rec.reqs[0], rec.reqs[1]
		if plain.Header.Get("Amz-Sdk-Invocation-Id") != "" {
			t.Fatalf("%s: the second request is the SDK's too", c.bucket)
		}
		if sdk.URL.String() != plain.URL.String() {
			t.Errorf("%s/%s: plain GET %s, SDK %s", c.bucket, c.key, plain.URL, sdk.URL)
		}
		if a, b := scopeOf(sdk), scopeOf(plain); a == "" || a != b {
			t.Errorf("%s: signing scope %q, SDK's %q", c.bucket, b, a)
		}
	}
}

// scopeOf is the region and service of a request's SigV4 credential
// scope.
func scopeOf(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2] + "/" + parts[3]
}

// recordingClient answers every request with body ("{}" when empty)
// and keeps the requests.
type recordingClient struct {
	reqs []*http.Request
	body string
}

func (c *recordingClient) Do(r *http.Request) (*http.Response, error) {
	c.reqs = append(c.reqs, r)
	body := c.body
	if body == "" {
		body = "{}"
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Length": {fmt.Sprint(len(body))}}, ContentLength: int64(len(body)),
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// TestReadObjectTakesADenialAsTheAnswer: a read the bucket's policy
// denies, or of a bucket that does not exist, is one call: the SDK would
// only be told the same.
func TestReadObjectTakesADenialAsTheAnswer(t *testing.T) {
	s, p := readObjectSession(t)
	putArchived(t, s, "k", []byte("event"))
	p.Add(&faultproxy.Rule{Service: "s3", Match: plainGET, Times: 1,
		Fault: faultproxy.Fault{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}})
	before := len(p.Seen(nil))
	_, err := s.ReadObject(t.Context(), "archive", "k", 1024)
	if backend.ErrorCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "S3 GetObject") {
		t.Fatalf("err = %v, want AccessDenied naming S3 GetObject", err)
	}
	if n := len(p.Seen(nil)) - before; n != 1 {
		t.Errorf("a denied read took %d requests, want 1", n)
	}
	before = len(p.Seen(nil))
	if _, err := s.ReadObject(t.Context(), "nonexistent-bucket", "k", 1024); backend.ErrorCode(err) != "NoSuchBucket" {
		t.Fatalf("missing bucket: %v", err)
	}
	if n := len(p.Seen(nil)) - before; n != 1 {
		t.Errorf("a read of a missing bucket took %d requests, want 1", n)
	}
	if body, err := s.ReadObject(t.Context(), "archive", "k", 1024); err != nil || string(body) != "event" {
		t.Fatalf("the next read: %q %v (a denial turned the plain GET off?)", body, err)
	}
}
