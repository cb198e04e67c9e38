package s3

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/localengine/awserr"
)

func decodeAll(body string, declared, limit int64) (string, *chunkedReader, error) {
	c := newChunkedReader(strings.NewReader(body), declared, limit)
	out, err := io.ReadAll(c)
	return string(out), c, err
}

func codeOf(err error) string {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "other:" + err.Error()
}

func TestChunkedReader(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		declared int64
		want     string
		code     string
	}{
		{"single chunk with trailer", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", 5, "hello", ""},
		{"several chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 5, "abcde", ""},
		{"signed chunks", "3;chunk-signature=aa\r\nabc\r\n0;chunk-signature=bb\r\n\r\n", 3, "abc", ""},
		{"unknown length", "3\r\nabc\r\n0\r\n\r\n", -1, "abc", ""},
		{"empty payload", "0\r\n\r\n", 0, "", ""},
		{"uppercase hex", "A\r\n0123456789\r\n0\r\n\r\n", 10, "0123456789", ""},
		{"truncated data", "5\r\nhel", 5, "hel", "IncompleteBody"},
		{"truncated header", "5", 5, "", "IncompleteBody"},
		{"no final chunk", "3\r\nabc\r\n", 3, "abc", "IncompleteBody"},
		{"no final CRLF", "3\r\nabc\r\n0\r\n", 3, "abc", "IncompleteBody"},
		{"short of declared", "3\r\nabc\r\n0\r\n\r\n", 4, "abc", "IncompleteBody"},
		{"over declared", "3\r\nabc\r\n0\r\n\r\n", 2, "", "InvalidRequest"},
		{"bad hex", "x\r\nabc\r\n0\r\n\r\n", 3, "", "InvalidRequest"},
		{"negative size", "-3\r\nabc\r\n0\r\n\r\n", 3, "", "InvalidRequest"},
		{"hex too long", "00000000000000003\r\nabc\r\n0\r\n\r\n", 3, "", "InvalidRequest"},
		{"LF only", "3\nabc\r\n0\r\n\r\n", 3, "", "InvalidRequest"},
		{"data not followed by CRLF", "3\r\nabcd\r\n0\r\n\r\n", 3, "abc", "InvalidRequest"},
		{"bad extension", "3;junk\r\nabc\r\n0\r\n\r\n", 3, "", "InvalidRequest"},
		{"trailer without colon", "3\r\nabc\r\n0\r\nnocolon\r\n\r\n", 3, "abc", "InvalidRequest"},
		{"repeated trailer", "3\r\nabc\r\n0\r\na:1\r\na:2\r\n\r\n", 3, "abc", "InvalidRequest"},
		{"too many trailers", "0\r\n" + strings.Repeat("a", 0) + "t1:1\r\nt2:1\r\nt3:1\r\nt4:1\r\nt5:1\r\nt6:1\r\nt7:1\r\nt8:1\r\nt9:1\r\n\r\n", 0, "", "InvalidRequest"},
		{"data after end", "0\r\n\r\nmore", 0, "", "InvalidRequest"},
		{"line too long", strings.Repeat("0", maxChunkLine+10) + "\r\n", -1, "", "InvalidRequest"},
		{"over the limit", "ffffffff\r\n", -1, "", "EntityTooLarge"},
	}
	for _, tc := range cases {
		got, _, err := decodeAll(tc.body, tc.declared, 1<<20)
		if codeOf(err) != tc.code || got != tc.want {
			t.Errorf("%s: got %q %s, want %q %s", tc.name, got, codeOf(err), tc.want, tc.code)
		}
	}
	_, c, err := decodeAll("1\r\nx\r\n0\r\nX-Amz-Checksum-CRC32 : abc \r\nx-amz-trailer-signature:sig\r\n\r\n", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Trailer("x-amz-checksum-crc32"); !ok || v != "abc" {
		t.Fatalf("trailer %q %v", v, ok)
	}
}

// oneByteReader hands out one byte per Read, to exercise every boundary.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestChunkedReaderByteAtATime(t *testing.T) {
	body := "4;chunk-signature=00\r\nwiki\r\n5;chunk-signature=01\r\npedia\r\n0;chunk-signature=02\r\n\r\n"
	c := newChunkedReader(oneByteReader{strings.NewReader(body)}, 9, 100)
	var out bytes.Buffer
	buf := make([]byte, 3)
	for {
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if out.String() != "wikipedia" {
		t.Fatalf("got %q", out.String())
	}
}

func TestContentEncodingHelpers(t *testing.T) {
	for in, want := range map[string]string{"": "", "aws-chunked": "", "gzip,aws-chunked": "gzip", "aws-chunked, br": "br", "gzip": "gzip"} {
		if got := storedContentEncoding(in); got != want {
			t.Errorf("storedContentEncoding(%q) = %q, want %q", in, got, want)
		}
	}
	if !isChunkedRequest("gzip, AWS-CHUNKED", "") || !isChunkedRequest("", "STREAMING-UNSIGNED-PAYLOAD-TRAILER") || isChunkedRequest("gzip", "UNSIGNED-PAYLOAD") {
		t.Error("isChunkedRequest")
	}
}

// FuzzChunkedDecoder feeds arbitrary bodies, declared lengths and limits:
// the decoder must never panic, never yield more than the limit (or the
// declared length), and fail only with an S3 error.
func FuzzChunkedDecoder(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), int64(5), int64(100))
	f.Add([]byte("3;chunk-signature=aa\r\nabc\r\n0;chunk-signature=bb\r\n\r\n"), int64(3), int64(100))
	f.Add([]byte("0\r\n\r\n"), int64(-1), int64(0))
	f.Add([]byte("ffffffffffffffff\r\n"), int64(-1), int64(1<<30))
	f.Fuzz(func(t *testing.T, body []byte, declared, limit int64) {
		if limit < 0 {
			limit = -limit
		}
		limit %= 1 << 20
		c := newChunkedReader(bytes.NewReader(body), declared, limit)
		n, err := io.Copy(io.Discard, c)
		if n > limit || (declared >= 0 && n > declared) {
			t.Fatalf("decoded %d bytes, limit %d, declared %d", n, limit, declared)
		}
		if n > int64(len(body)) {
			t.Fatalf("decoded %d bytes from %d", n, len(body))
		}
		if err != nil {
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("non-S3 error %v", err)
			}
		}
	})
}
