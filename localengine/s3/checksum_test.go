package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

// tlsPretender makes the SDK believe it talks HTTPS (so that it uses the
// aws-chunked trailing checksum, as it does against AWS) while it sends
// plain HTTP to the engine, and records what it sent.
type tlsPretender struct {
	mu   sync.Mutex
	sent []http.Header
}

func (p *tlsPretender) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = "http"
	p.mu.Lock()
	p.sent = append(p.sent, r.Header.Clone())
	p.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (p *tlsPretender) find(pred func(http.Header) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.sent {
		if pred(h) {
			return true
		}
	}
	return false
}

func chunkedClient(e *enginetest.Engine, rt http.RoundTripper) *s3.Client {
	return defaultClient(e, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(strings.Replace(e.URL, "http://", "https://", 1))
		o.HTTPClient = &http.Client{Transport: rt}
	})
}

func TestSDKAwsChunkedUpload(t *testing.T) {
	e, _ := start(t)
	rt := &tlsPretender{}
	c := chunkedClient(e, rt)
	ctx := ctxT(t)
	mkBucket(t, c, "chunky")
	sizes := []int{1, 4096, 200 << 10, 3<<20 + 17}
	for _, alg := range []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme} {
		for _, n := range sizes {
			body := bytes.Repeat([]byte("chunk-data-"), n/11+1)[:n]
			key := fmt.Sprintf("%s/%d", alg, n)
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("chunky"), Key: aws.String(key),
				Body: bytes.NewReader(body), ChecksumAlgorithm: alg, ContentEncoding: aws.String("gzip")})
			if err != nil {
				t.Fatalf("put %s: %v", key, err)
			}
			if aws.ToString(out.ETag) != md5Hex(body) {
				t.Fatalf("put %s: ETag %s", key, aws.ToString(out.ETag))
			}
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("chunky"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("get %s: %v", key, err)
			}
			data, err := io.ReadAll(got.Body) // the SDK validates the checksum here
			got.Body.Close()
			if err != nil || !bytes.Equal(data, body) {
				t.Fatalf("get %s: %d bytes, %v", key, len(data), err)
			}
			if aws.ToString(got.ContentEncoding) != "gzip" {
				t.Fatalf("stored Content-Encoding %q, want gzip (aws-chunked removed)", aws.ToString(got.ContentEncoding))
			}
			var sum *string
			switch alg {
			case "":
				sum = got.ChecksumCRC32
			case types.ChecksumAlgorithmCrc32c:
				sum = got.ChecksumCRC32C
			case types.ChecksumAlgorithmSha1:
				sum = got.ChecksumSHA1
			case types.ChecksumAlgorithmSha256:
				sum = got.ChecksumSHA256
			case types.ChecksumAlgorithmCrc64nvme:
				sum = got.ChecksumCRC64NVME
			}
			if aws.ToString(sum) == "" {
				t.Fatalf("get %s: no %s checksum returned", key, alg)
			}
		}
	}
	if !rt.find(func(h http.Header) bool {
		return strings.Contains(strings.Join(h.Values("Content-Encoding"), ","), "aws-chunked") &&
			h.Get("X-Amz-Content-Sha256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" &&
			h.Get("X-Amz-Trailer") == "x-amz-checksum-crc32" && h.Get("X-Amz-Decoded-Content-Length") != ""
	}) {
		t.Fatal("the SDK never sent an aws-chunked body with a CRC32 trailer")
	}
}

// chunkedBody frames data as aws-chunked, cut into chunks of size chunk,
// with optional chunk signatures and trailers.
func chunkedBody(data []byte, chunk int, signed bool, trailers ...string) []byte {
	var b bytes.Buffer
	ext := func() string {
		if signed {
			return ";chunk-signature=" + strings.Repeat("ab", 32)
		}
		return ""
	}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		fmt.Fprintf(&b, "%x%s\r\n", end-off, ext())
		b.Write(data[off:end])
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "0%s\r\n", ext())
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func crc32B64(b []byte) string {
	var s [4]byte
	v := crc32.ChecksumIEEE(b)
	s[0], s[1], s[2], s[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return base64.StdEncoding.EncodeToString(s[:])
}

func chunkedHeaders(decoded int, mode string, trailer string) map[string]string {
	h := map[string]string{
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Content-Sha256":         mode,
		"X-Amz-Decoded-Content-Length": strconv.Itoa(decoded),
	}
	if trailer != "" {
		h["X-Amz-Trailer"] = trailer
	}
	return h
}

func TestRawAwsChunked(t *testing.T) {
	e, c := start(t)
	mkBucket(t, c, "raw")
	data := []byte(strings.Repeat("0123456789", 2000)) // 20,000 bytes
	good := crc32B64(data)

	// Unsigned with trailer, several chunks.
	body := chunkedBody(data, 8192, false, "x-amz-checksum-crc32:"+good)
	resp, out := rawDo(t, e, http.MethodPut, "/raw/unsigned", bytes.NewReader(body),
		chunkedHeaders(len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32"))
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Checksum-Crc32") != good {
		t.Fatalf("unsigned chunked: %d %s %v", resp.StatusCode, out, resp.Header)
	}
	if got := get(t, c, "raw", "unsigned"); !bytes.Equal(got, data) {
		t.Fatal("unsigned chunked body differs")
	}

	// Signed chunks without trailer (what other SDKs send over HTTP).
	body = chunkedBody(data, 8192, true)
	resp, out = rawDo(t, e, http.MethodPut, "/raw/signed", bytes.NewReader(body),
		chunkedHeaders(len(data), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", ""))
	if resp.StatusCode != 200 || !bytes.Equal(get(t, c, "raw", "signed"), data) {
		t.Fatalf("signed chunked: %d %s", resp.StatusCode, out)
	}

	// Signed chunks with a trailer and its signature.
	body = chunkedBody(data, 8192, true, "x-amz-checksum-crc32:"+good, "x-amz-trailer-signature:"+strings.Repeat("cd", 32))
	resp, out = rawDo(t, e, http.MethodPut, "/raw/signed-trailer", bytes.NewReader(body),
		chunkedHeaders(len(data), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-checksum-crc32"))
	if resp.StatusCode != 200 || !bytes.Equal(get(t, c, "raw", "signed-trailer"), data) {
		t.Fatalf("signed chunked with trailer: %d %s", resp.StatusCode, out)
	}

	type bad struct {
		name   string
		body   []byte
		hdr    map[string]string
		status int
		code   string
	}
	corrupt := append([]byte(nil), data...)
	corrupt[100] ^= 0xff
	unsignedHdr := chunkedHeaders(len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32")
	cases := []bad{
		{"wrong trailer checksum", chunkedBody(data, 8192, false, "x-amz-checksum-crc32:"+crc32B64([]byte("other"))), unsignedHdr, 400, "BadDigest"},
		{"corrupted data", chunkedBody(corrupt, 8192, false, "x-amz-checksum-crc32:"+good), unsignedHdr, 400, "BadDigest"},
		{"trailer missing", chunkedBody(data, 8192, false), unsignedHdr, 400, "InvalidRequest"},
		{"trailer not base64", chunkedBody(data, 8192, false, "x-amz-checksum-crc32:!!!"), unsignedHdr, 400, "InvalidRequest"},
		{"no final chunk", chunkedBody(data, 8192, false)[:20000], unsignedHdr, 400, "IncompleteBody"},
		{"decoded length too large", chunkedBody(data, 8192, false, "x-amz-checksum-crc32:"+good),
			chunkedHeaders(len(data)+5, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32"), 400, "IncompleteBody"},
		{"decoded length too small", chunkedBody(data, 8192, false, "x-amz-checksum-crc32:"+good),
			chunkedHeaders(len(data)-5, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32"), 400, "InvalidRequest"},
		{"bad chunk size", []byte("zz\r\nabc\r\n0\r\n\r\n"), chunkedHeaders(3, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""), 400, "InvalidRequest"},
		{"no CRLF after data", []byte("3\r\nabcX\r\n0\r\n\r\n"), chunkedHeaders(3, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""), 400, "InvalidRequest"},
		{"data after end", []byte("3\r\nabc\r\n0\r\n\r\nextra"), chunkedHeaders(3, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""), 400, "InvalidRequest"},
		{"huge line", []byte(strings.Repeat("1", 70000)), chunkedHeaders(3, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", ""), 400, "InvalidRequest"},
	}
	for _, tc := range cases {
		resp, out := rawDo(t, e, http.MethodPut, "/raw/bad", bytes.NewReader(tc.body), tc.hdr)
		if resp.StatusCode != tc.status || !bytes.Contains(out, []byte("<Code>"+tc.code+"</Code>")) {
			t.Errorf("%s: want %d %s, got %d %s", tc.name, tc.status, tc.code, resp.StatusCode, out)
		}
	}
	_, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("raw"), Key: aws.String("bad")})
	if err == nil {
		t.Fatal("a rejected upload was stored")
	}
}

func TestHeaderChecksums(t *testing.T) {
	e, c := start(t)
	mkBucket(t, c, "sums")
	data := []byte("checksummed payload")
	md5sum := md5.Sum(data)
	sha := sha256.Sum256(data)
	cases := []struct {
		name   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"good crc32", map[string]string{"X-Amz-Checksum-Crc32": crc32B64(data)}, 200, ""},
		{"bad crc32", map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte("x"))}, 400, "BadDigest"},
		{"crc32 wrong size", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAAAA"}, 400, "InvalidRequest"},
		{"two checksums", map[string]string{"X-Amz-Checksum-Crc32": crc32B64(data), "X-Amz-Checksum-Sha256": base64.StdEncoding.EncodeToString(sha[:])}, 400, "InvalidRequest"},
		{"good sha256", map[string]string{"X-Amz-Checksum-Sha256": base64.StdEncoding.EncodeToString(sha[:])}, 200, ""},
		{"good md5", map[string]string{"Content-Md5": base64.StdEncoding.EncodeToString(md5sum[:])}, 200, ""},
		{"bad md5", map[string]string{"Content-Md5": base64.StdEncoding.EncodeToString(make([]byte, 16))}, 400, "BadDigest"},
		{"invalid md5", map[string]string{"Content-Md5": "nope"}, 400, "InvalidDigest"},
		{"good content sha256", map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(sha[:])}, 200, ""},
		{"bad content sha256", map[string]string{"X-Amz-Content-Sha256": strings.Repeat("0", 64)}, 400, "XAmzContentSHA256Mismatch"},
		{"invalid content sha256", map[string]string{"X-Amz-Content-Sha256": "bogus"}, 400, "InvalidArgument"},
		{"sdk algorithm without checksum", map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "CRC32"}, 400, "InvalidRequest"},
	}
	for _, tc := range cases {
		resp, out := rawDo(t, e, http.MethodPut, "/sums/k", bytes.NewReader(data), tc.hdr)
		if resp.StatusCode != tc.status || (tc.code != "" && !bytes.Contains(out, []byte("<Code>"+tc.code+"</Code>"))) {
			t.Errorf("%s: want %d %s, got %d %s", tc.name, tc.status, tc.code, resp.StatusCode, out)
		}
	}
	// An object stored with SHA256 answers it when asked.
	got, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, got.Body)
	got.Body.Close()
	if got.ChecksumCRC64NVME == nil && got.ChecksumSHA256 == nil && got.ChecksumCRC32 == nil {
		t.Fatal("no checksum returned with checksum mode enabled")
	}
}
