package s3_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

func TestStrictAuth(t *testing.T) {
	e, c := start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDTEST", Secret: "secret"}
	}))
	ctx := ctxT(t)
	mkBucket(t, c, "strict")
	body := bytes.Repeat([]byte("s"), 300<<10)
	put(t, c, "strict", "dir/a key+", body)
	if !bytes.Equal(get(t, c, "strict", "dir/a key+"), body) {
		t.Fatal("signed round trip")
	}
	// The aws-chunked trailer path is signed with STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	cc := chunkedClient(e, &tlsPretender{})
	if _, err := cc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("chunked"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("signed aws-chunked put: %v", err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("strict"), Prefix: aws.String("dir/")}); err != nil {
		t.Fatal(err)
	}

	cfg := e.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIDTEST", "wrong", "")
	bad := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("x"), Body: strings.NewReader("x")})
	wantCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
}

// streamingPut builds a PUT whose body is aws-chunked and signed as
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD (or -TRAILER, with a CRC32 trailer):
// the seed signature by the SDK's signer, the chunk and trailer
// signatures by the chain AWS documents. forge changes one signature.
func streamingPut(t *testing.T, e *enginetest.Engine, key string, payload []byte, chunk int, trailer bool, forge string) *http.Request {
	t.Helper()
	const secret = "secret"
	now := time.Now().UTC()
	mode := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	if trailer {
		mode += "-TRAILER"
	}
	req, err := http.NewRequest(http.MethodPut, e.URL+"/strict/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
	if trailer {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: secret}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(ctxT(t), creds, req, mode, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	prev := auth[strings.LastIndex(auth, "=")+1:]
	amzDate := now.Format("20060102T150405Z")
	scope := now.Format("20060102") + "/us-east-1/s3/aws4_request"
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	signingKey := mac(mac(mac(mac([]byte("AWS4"+secret), now.Format("20060102")), "us-east-1"), "s3"), "aws4_request")
	hexSHA := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	sign := func(kind, prev string, parts ...string) string {
		return hex.EncodeToString(mac(signingKey, strings.Join(append([]string{kind, amzDate, scope, prev}, parts...), "\n")))
	}
	var body bytes.Buffer
	var pieces [][]byte
	for off := 0; off < len(payload); off += chunk {
		pieces = append(pieces, payload[off:min(off+chunk, len(payload))])
	}
	pieces = append(pieces, nil)
	for i, p := range pieces {
		sig := sign("AWS4-HMAC-SHA256-PAYLOAD", prev, hexSHA(nil), hexSHA(p))
		prev = sig
		if forge == "chunk" && i == 0 {
			// A signature the attacker can compute: the right chain from
			// the seed, but for other data, so it cannot match.
			sig = sign("AWS4-HMAC-SHA256-PAYLOAD", sig, hexSHA(nil), hexSHA([]byte("attacker")))
		}
		if forge == "missing" && i == 0 {
			fmt.Fprintf(&body, "%x\r\n%s\r\n", len(p), p)
			continue
		}
		if trailer && len(p) == 0 {
			// The trailers follow the final chunk's line.
			fmt.Fprintf(&body, "0;chunk-signature=%s\r\n", sig)
			continue
		}
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(p), sig, p)
	}
	if trailer {
		sum := crc32.ChecksumIEEE(payload)
		value := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
		canonical := "x-amz-checksum-crc32:" + value + "\n"
		sig := sign("AWS4-HMAC-SHA256-TRAILER", prev, hexSHA([]byte(canonical)))
		if forge == "trailer" {
			sig = strings.Repeat("0", 64)
		}
		fmt.Fprintf(&body, "x-amz-checksum-crc32:%s\r\nx-amz-trailer-signature:%s\r\n\r\n", value, sig)
	}
	req.Body = io.NopCloser(bytes.NewReader(body.Bytes()))
	req.ContentLength = int64(body.Len())
	return req
}

func TestStrictAuthVerifiesTheChunkSignatureChain(t *testing.T) {
	e, c := start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDTEST", Secret: "secret"}
	}))
	mkBucket(t, c, "strict")
	payload := bytes.Repeat([]byte("0123456789abcdef"), 10<<10) // 160 KiB: three chunks of 64 KiB
	for _, trailer := range []bool{false, true} {
		key := fmt.Sprintf("signed-%v", trailer)
		resp, err := http.DefaultClient.Do(streamingPut(t, e, key, payload, 64<<10, trailer, ""))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("trailer %v: a correctly signed chunked upload: %d %s", trailer, resp.StatusCode, b)
		}
		if !bytes.Equal(get(t, c, "strict", key), payload) {
			t.Fatalf("trailer %v: stored object differs", trailer)
		}
		forgeries := []string{"chunk", "missing"}
		if trailer {
			forgeries = append(forgeries, "trailer")
		}
		for _, forge := range forgeries {
			key := fmt.Sprintf("forged-%s-%v", forge, trailer)
			resp, err := http.DefaultClient.Do(streamingPut(t, e, key, payload, 64<<10, trailer, forge))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !bytes.Contains(b, []byte("<Code>SignatureDoesNotMatch</Code>")) {
				t.Errorf("trailer %v, forged %s: %d %s", trailer, forge, resp.StatusCode, b)
			}
			if _, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("strict"), Key: aws.String(key)}); err == nil {
				t.Errorf("trailer %v, forged %s: the object was stored", trailer, forge)
			}
		}
	}
}
