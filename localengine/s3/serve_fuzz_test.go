package s3

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine/store"
)

func newFuzzService(tb testing.TB) *Service {
	dir := tb.TempDir()
	st, err := store.Open(filepath.Join(dir, "engine.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	svc, err := New(st, Config{DataDir: dir, Now: time.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// serveRaw runs one request through Serve the way the router does for
// path-style addressing.
func serveRaw(svc *Service, method, path, rawQuery, headers string, body []byte) *httptest.ResponseRecorder {
	r := &http.Request{
		Method:        method,
		URL:           &url.URL{Path: path, RawQuery: rawQuery},
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          "localhost",
	}
	sc := bufio.NewScanner(strings.NewReader(headers))
	for n := 0; sc.Scan() && n < 32; n++ {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k != "" {
			r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	w := httptest.NewRecorder()
	svc.Serve(w, r, bucket, key)
	return w
}

var fuzzMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead, http.MethodPatch}

// FuzzServe feeds arbitrary methods, paths, queries, headers and bodies to
// the handler: it must never panic, and must answer either a success or an
// S3 XML error.
func FuzzServe(f *testing.F) {
	svc := newFuzzService(f)
	serveRaw(svc, http.MethodPut, "/fuzz", "", "", nil)
	serveRaw(svc, http.MethodPut, "/fuzz/obj", "", "Content-Type: text/plain\nx-amz-meta-a: b\nx-amz-tagging: a=1", []byte("hello world"))

	f.Add(uint8(0), "/fuzz/obj", "", "Range: bytes=0-3", []byte(nil))
	f.Add(uint8(0), "/fuzz", "list-type=2&delimiter=/&max-keys=1", "", []byte(nil))
	f.Add(uint8(0), "/fuzz", "list-type=2&continuation-token=a29iag", "", []byte(nil))
	f.Add(uint8(1), "/fuzz/new", "", "Content-Encoding: aws-chunked\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\nx-amz-decoded-content-length: 5\nx-amz-trailer: x-amz-checksum-crc32",
		[]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"))
	f.Add(uint8(1), "/fuzz/copy", "", "x-amz-copy-source: fuzz/obj\nx-amz-metadata-directive: REPLACE", []byte(nil))
	f.Add(uint8(1), "/fuzz/obj", "tagging", "Content-MD5: AAAAAAAAAAAAAAAAAAAAAA==", []byte("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"))
	f.Add(uint8(2), "/fuzz", "delete", "x-amz-checksum-crc32: AAAAAA==", []byte("<Delete><Object><Key>obj</Key></Object></Delete>"))
	f.Add(uint8(3), "/fuzz/obj", "", "", []byte(nil))
	f.Add(uint8(4), "/fuzz", "", "", []byte(nil))
	f.Add(uint8(1), "/new-bucket", "", "", []byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"))
	f.Add(uint8(0), "/", "max-buckets=1&continuation-token=eA", "", []byte(nil))

	// Multipart: an upload the seeds can name, with one part.
	w := serveRaw(svc, http.MethodPost, "/fuzz/mp", "uploads", "x-amz-checksum-algorithm: CRC32", nil)
	var init initiateResultXML
	if err := xml.Unmarshal(w.Body.Bytes(), &init); err != nil {
		f.Fatal(err)
	}
	up := "uploadId=" + init.UploadID
	serveRaw(svc, http.MethodPut, "/fuzz/mp", "partNumber=1&"+up, "", []byte("part one"))
	f.Add(uint8(2), "/fuzz/mp", "uploads", "Content-Type: text/plain\nx-amz-checksum-type: FULL_OBJECT", []byte(nil))
	f.Add(uint8(1), "/fuzz/mp", "partNumber=2&"+up, "x-amz-checksum-crc32: AAAAAA==", []byte("part two"))
	f.Add(uint8(1), "/fuzz/mp", "partNumber=3&"+up, "x-amz-copy-source: fuzz/obj\nx-amz-copy-source-range: bytes=0-3", []byte(nil))
	f.Add(uint8(0), "/fuzz/mp", up+"&max-parts=1&part-number-marker=0", "", []byte(nil))
	f.Add(uint8(0), "/fuzz", "uploads&prefix=m&delimiter=/&key-marker=a&upload-id-marker=b&max-uploads=1", "", []byte(nil))
	f.Add(uint8(2), "/fuzz/mp", up, "x-amz-checksum-crc32: AAAAAA==-1\nx-amz-mp-object-size: 8",
		[]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`))
	f.Add(uint8(3), "/fuzz/mp", up, "", []byte(nil))
	f.Fuzz(func(t *testing.T, m uint8, path, rawQuery, headers string, body []byte) {
		if len(body) > 1<<20 {
			return
		}
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		w := serveRaw(svc, method, path, rawQuery, headers, body)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		if w.Code >= 400 && method != http.MethodHead && !bytes.Contains(w.Body.Bytes(), []byte("<Error><Code>")) {
			t.Fatalf("status %d without an S3 error body: %q", w.Code, w.Body.String())
		}
	})
}
