package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var testCreds = Credentials{AccessKey: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

// signed builds a request as the SDK's own signer signs it, then hands it
// to the server side as net/http would.
func signed(t *testing.T, method, target, service, region string, body []byte, signedAt time.Time) (*http.Request, string) {
	t.Helper()
	out, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out.Header.Set("Content-Type", "application/x-amz-json-1.1")
	out.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: testCreds.AccessKey, SecretAccessKey: testCreds.Secret}
	// The S3 client signs the path as sent; every other client escapes it twice.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err := signer.SignHTTP(context.Background(), creds, out, hash, service, region, signedAt); err != nil {
		t.Fatal(err)
	}
	in := httptest.NewRequest(method, target, bytes.NewReader(body))
	in.Header = out.Header.Clone()
	in.Host = out.Host
	return in, hash
}

func TestVerifyAcceptsTheSDKSignature(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ service, target string }{
		{"kinesis", "http://127.0.0.1:4577/"},
		{"sqs", "http://127.0.0.1:4577/000000000000/orders-dlq?Action=ReceiveMessage&MaxNumberOfMessages=10"},
		{"s3", "http://127.0.0.1:4577/orders-archive/consumer/2026/11/23/a%20b%2Bc.json?tagging"},
	} {
		r, hash := signed(t, http.MethodPost, tc.target, tc.service, "eu-west-1", []byte(`{"Limit":1}`), now)
		a, err := Parse(r)
		if err != nil {
			t.Fatalf("%s: parse: %v", tc.service, err)
		}
		if a.Region != "eu-west-1" || a.Service != tc.service || a.AccessKey != testCreds.AccessKey {
			t.Fatalf("%s: parsed %+v", tc.service, a)
		}
		if err := Verify(r, a, testCreds, hash, now.Add(time.Minute)); err != nil {
			t.Fatalf("%s: verify: %v", tc.service, err)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	r, hash := signed(t, http.MethodPost, "http://127.0.0.1:4577/", "kinesis", "us-east-1", []byte(`{}`), now)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		creds Credentials
		hash  string
		at    time.Time
		want  error
	}{
		{"wrong secret", Credentials{testCreds.AccessKey, "other"}, hash, now, ErrMismatch},
		{"unknown key", Credentials{"AKIDOTHER", testCreds.Secret}, hash, now, ErrUnknownKey},
		{"tampered body", testCreds, hex.EncodeToString(make([]byte, 32)), now, ErrMismatch},
		{"too old", testCreds, hash, now.Add(20 * time.Minute), ErrExpired},
	}
	for _, tc := range cases {
		if err := Verify(r, a, tc.creds, tc.hash, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestPresignedURL(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	out, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:4577/bucket/key.json?X-Amz-Expires=60", nil)
	creds := aws.Credentials{AccessKeyID: testCreds.AccessKey, SecretAccessKey: testCreds.Secret}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, out, "UNSIGNED-PAYLOAD", "s3", "us-west-2", now)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, u, nil)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.Region != "us-west-2" || a.Expires != time.Minute {
		t.Fatalf("parsed %+v", a)
	}
	if err := Verify(r, a, testCreds, "UNSIGNED-PAYLOAD", now.Add(30*time.Second)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := Verify(r, a, testCreds, "UNSIGNED-PAYLOAD", now.Add(2*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired URL: got %v", err)
	}
}

func TestParseUnsignedAndMalformed(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	if _, err := Parse(r); !errors.Is(err, ErrMissing) {
		t.Fatalf("unsigned: %v", err)
	}
	for _, h := range []string{"garbage", "AWS4-HMAC-SHA256 Credential=only/two", "AWS4-HMAC-SHA256 Signature=abc"} {
		r.Header.Set("Authorization", h)
		if _, err := Parse(r); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: got %v, want ErrMalformed", h, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request&X-Amz-Expires=5")
	f.Add("", "X-Amz-Credential=a/b/c/aws4_request&X-Amz-Expires=-1")
	f.Fuzz(func(t *testing.T, header, query string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		a, err := Parse(r)
		if err != nil {
			return
		}
		if a.AccessKey == "" {
			t.Fatalf("accepted a signature without an access key: %+v", a)
		}
		// Recomputing must never panic whatever was parsed.
		_ = Signature(r, a, "secret", "UNSIGNED-PAYLOAD")
	})
}

// The example of AWS's documentation of chunked uploads (sigv4-streaming,
// "Example: PUT Object"): 66,560 bytes of 'a' in chunks of 64 KiB.
func TestStreamFollowsAWSsChunkExample(t *testing.T) {
	a := &Auth{AccessKey: "AKIAIOSFODNN7EXAMPLE", Date: "20130524", Region: "us-east-1", Service: "s3",
		AmzDate: "20130524T000000Z", Signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"}
	s := NewStream(a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", StreamingPayload)
	for _, c := range []struct {
		size int
		sig  string
	}{
		{65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
		{1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
		{0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"},
	} {
		sum := sha256.Sum256(bytes.Repeat([]byte("a"), c.size))
		if err := s.VerifyChunk(sum[:], c.sig); err != nil {
			t.Fatalf("chunk of %d bytes: %v", c.size, err)
		}
	}
	s = NewStream(a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", StreamingPayload)
	sum := sha256.Sum256(bytes.Repeat([]byte("b"), 65536))
	if err := s.VerifyChunk(sum[:], "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("other data under the same signature: %v", err)
	}
}

func TestPresignedExpiryIsAtMostAWeek(t *testing.T) {
	for _, tc := range []struct {
		expires string
		ok      bool
	}{{"0", true}, {"604800", true}, {"604801", false}, {"-1", false}, {"x", false}, {"99999999999999999999999", false}} {
		r := httptest.NewRequest(http.MethodGet, "/b/k?X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires="+tc.expires, nil)
		_, err := Parse(r)
		if (err == nil) != tc.ok || (!tc.ok && !errors.Is(err, ErrQueryParams)) {
			t.Errorf("X-Amz-Expires=%s: %v", tc.expires, err)
		}
	}
}
