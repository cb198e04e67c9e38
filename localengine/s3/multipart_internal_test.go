package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
)

func TestCRCCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, alg := range []string{algCRC32, algCRC32C, algCRC64NVME} {
		whole := newChecksumHash(alg)
		whole.Write(data)
		want := base64Sum(whole)
		for trial := 0; trial < 20; trial++ {
			// Random cuts, empty pieces included.
			cuts := []int{0, len(data)}
			for i := 0; i < trial%6; i++ {
				cuts = append(cuts, r.IntN(len(data)+1))
			}
			if trial == 1 {
				cuts = append(cuts, 0, 0, len(data))
			}
			sortInts(cuts)
			var pieces []crcPiece
			for i := 0; i+1 < len(cuts); i++ {
				h := newChecksumHash(alg)
				h.Write(data[cuts[i]:cuts[i+1]])
				pieces = append(pieces, crcPiece{sum: base64Sum(h), size: int64(cuts[i+1] - cuts[i])})
			}
			got, ok := combineCRCs(alg, pieces)
			if !ok || got != want {
				t.Fatalf("%s cuts %v: combined %s, want %s", alg, cuts, got, want)
			}
		}
	}
	if _, ok := combineCRCs(algSHA256, nil); ok {
		t.Fatal("SHA256 combined")
	}
	if _, ok := combineCRCs(algCRC32, []crcPiece{{sum: "AAAAAAAAAAA=", size: 1}}); ok {
		t.Fatal("a CRC64 value combined as CRC32")
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func TestLayout(t *testing.T) {
	sums := []string{"AAAAAQ==", "AAAAAg==", "AAAAAw=="}
	parts := []*partRecord{{Size: 10, Checksum: sums[0]}, {Size: 20, Checksum: sums[1]}, {Size: 5, Checksum: sums[2]}}
	for _, composite := range []bool{false, true} {
		rec := &objectRecord{ChecksumAlg: algCRC32, Parts: 3}
		if composite {
			rec.ChecksumType = typeComposite
		}
		table, err := encodeLayout(rec, parts)
		if err != nil {
			t.Fatal(err)
		}
		wantOff := []int64{0, 10, 30}
		for i := range parts {
			off, size, sum, err := layoutPart(rec, table, i+1)
			if err != nil || off != wantOff[i] || size != parts[i].Size {
				t.Fatalf("part %d: %d %d %v", i+1, off, size, err)
			}
			if composite && sum != sums[i] || !composite && sum != "" {
				t.Fatalf("part %d checksum %q", i+1, sum)
			}
		}
		if _, _, _, err := layoutPart(rec, table, 4); err == nil {
			t.Fatal("part 4 of 3 found")
		}
		if _, _, _, err := layoutPart(rec, table[:len(table)-1], 1); err == nil {
			t.Fatal("truncated table accepted")
		}
	}
	if _, err := encodeLayout(&objectRecord{ChecksumAlg: algSHA256, ChecksumType: typeComposite}, parts); err == nil {
		t.Fatal("CRC32 part checksums accepted for a SHA256 object")
	}
}

func TestUploadIndexKey(t *testing.T) {
	id := newUploadID(time.Unix(1700000000, 0))
	if !validUploadID(id) || validUploadID(id[1:]) || validUploadID(strings.Repeat("g", 32)) {
		t.Fatalf("upload id validation: %s", id)
	}
	for _, key := range []string{"k", "a/b c", "with\x00nul", strings.Repeat("x", 1024)} {
		k, i, ok := splitUploadIndexKey(uploadIndexKey(key, id))
		if !ok || k != key || i != id {
			t.Fatalf("split %q: %q %q %v", key, k, i, ok)
		}
	}
	if _, _, ok := splitUploadIndexKey([]byte("short")); ok {
		t.Fatal("short index key split")
	}
	// Ids sort by initiation.
	if a, b := newUploadID(time.Unix(1, 0)), newUploadID(time.Unix(2, 0)); a >= b {
		t.Fatalf("ids out of order: %s %s", a, b)
	}
}

func TestParseCopyRange(t *testing.T) {
	for _, tc := range []struct {
		v    string
		size int64
		want byteRange
		ok   bool
	}{
		{"bytes=0-9", 10, byteRange{0, 9}, true},
		{"bytes=5-5", 10, byteRange{5, 5}, true},
		{"bytes=0-10", 10, byteRange{}, false},
		{"bytes=3-2", 10, byteRange{}, false},
		{"bytes=0-", 10, byteRange{}, false},
		{"bytes=-5", 10, byteRange{}, false},
		{"bytes=a-b", 10, byteRange{}, false},
		{"0-5", 10, byteRange{}, false},
		{"bytes=0-0", 0, byteRange{}, false},
	} {
		got, err := parseCopyRange(tc.v, tc.size)
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("parseCopyRange(%q, %d) = %v, %v", tc.v, tc.size, got, err)
		}
		if err != nil && !isCode(err, "InvalidArgument") {
			t.Errorf("parseCopyRange(%q): %v", tc.v, err)
		}
	}
}

func TestUploadChecksum(t *testing.T) {
	for _, tc := range []struct {
		alg, typ          string
		wantAlg, wantType string
		ok                bool
	}{
		{"", "", "", "", true},
		{"CRC32", "", algCRC32, typeComposite, true},
		{"crc32c", "FULL_OBJECT", algCRC32C, typeFullObject, true},
		{"CRC64NVME", "", algCRC64NVME, typeFullObject, true},
		{"CRC64NVME", "COMPOSITE", "", "", false},
		{"SHA256", "FULL_OBJECT", "", "", false},
		{"SHA1", "COMPOSITE", algSHA1, typeComposite, true},
		{"", "COMPOSITE", "", "", false},
		{"MD5", "", "", "", false},
		{"CRC32", "OTHER", "", "", false},
	} {
		h := http.Header{}
		if tc.alg != "" {
			h.Set("X-Amz-Checksum-Algorithm", tc.alg)
		}
		if tc.typ != "" {
			h.Set("X-Amz-Checksum-Type", tc.typ)
		}
		alg, typ, err := uploadChecksum(h)
		if (err == nil) != tc.ok || tc.ok && (alg != tc.wantAlg || typ != tc.wantType) {
			t.Errorf("%s/%s: %q %q %v", tc.alg, tc.typ, alg, typ, err)
		}
	}
}

func TestParseCompleteXML(t *testing.T) {
	parts, err := parseCompleteXML([]byte(`<?xml version="1.0"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
		<Part><ETag>&quot;abc&quot;</ETag><PartNumber> 1 </PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
		<Part><PartNumber>3</PartNumber><ETag>def</ETag></Part></CompleteMultipartUpload>`))
	if err != nil || len(parts) != 2 || parts[0].number != 1 || parts[0].etag != "abc" || parts[1].number != 3 || parts[1].etag != "def" {
		t.Fatalf("parts %+v %v", parts, err)
	}
	if v, ok := parts[0].checksums.get(algCRC32); !ok || v != "AAAAAA==" {
		t.Fatalf("checksum %q %v", v, ok)
	}
	many := &bytes.Buffer{}
	many.WriteString("<CompleteMultipartUpload>")
	for i := 1; i <= maxPartNumber+1; i++ {
		fmt.Fprintf(many, "<Part><PartNumber>%d</PartNumber><ETag>e</ETag></Part>", i)
	}
	many.WriteString("</CompleteMultipartUpload>")
	if _, err := parseCompleteXML(many.Bytes()); !isCode(err, "MalformedXML") {
		t.Fatalf("10,001 parts: %v", err)
	}
}

// FuzzCompleteXML feeds arbitrary bodies to the CompleteMultipartUpload
// parser: it must never panic, and must return either parts that obey S3's
// rules or an S3 error.
func FuzzCompleteXML(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>2</PartNumber><ETag>a</ETag><ChecksumSHA256>x</ChecksumSHA256></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>99999999999999999999</PartNumber><ETag/></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload/>`))
	f.Add([]byte(`<a><b>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		parts, err := parseCompleteXML(body)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("not a 400 S3 error: %v", err)
			}
			return
		}
		if len(parts) == 0 || len(parts) > maxPartNumber {
			t.Fatalf("%d parts", len(parts))
		}
		for i, p := range parts {
			if p.number < 1 || p.number > maxPartNumber || i > 0 && p.number <= parts[i-1].number {
				t.Fatalf("part numbers %+v", parts)
			}
		}
	})
}

// TestSlowAnswer checks the keep-alive answer: 200, the XML declaration,
// whitespace, then the result, success or error, as one document that XML
// decoders (and the SDKs) read.
func TestSlowAnswer(t *testing.T) {
	for _, fail := range []bool{false, true} {
		w := httptest.NewRecorder()
		ticks := make(chan time.Time)
		a := startSlowAnswerTicks(w, ticks)
		// An unbuffered channel: the second send returns once the first
		// tick's whitespace is written.
		ticks <- time.Time{}
		ticks <- time.Time{}
		if !a.finish() {
			t.Fatal("answer not started after two ticks")
		}
		r := httptest.NewRequest(http.MethodPost, "/b/k?uploadId=x", nil)
		if fail {
			a.writeError(r, errNoSuchUpload())
		} else {
			a.writeXML(completeResultXML{Xmlns: s3Namespace, Bucket: "b", Key: "k", ETag: `"e-1"`})
		}
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.HasPrefix(body, xml.Header+"  <") {
			t.Fatalf("answer %d %q", w.Code, body)
		}
		var root struct {
			XMLName xml.Name
			Code    string `xml:"Code"`
			ETag    string `xml:"ETag"`
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &root); err != nil {
			t.Fatalf("answer is not one XML document: %v %q", err, body)
		}
		if fail && (root.XMLName.Local != "Error" || root.Code != "NoSuchUpload") || !fail && root.ETag != `"e-1"` {
			t.Fatalf("answer %+v", root)
		}
	}
	// Work done before the first tick answers normally.
	w := httptest.NewRecorder()
	if startSlowAnswerTicks(w, make(chan time.Time)).finish() {
		t.Fatal("answer started without a tick")
	}
	if w.Body.Len() != 0 {
		t.Fatalf("wrote %q", w.Body.String())
	}
}

// TestSlowCompletion runs a completion through Serve whose answer has
// started: the result is a 200 with the document after the whitespace.
func TestSlowCompletion(t *testing.T) {
	svc := newFuzzService(t)
	svc.keepAliveEvery = time.Nanosecond
	serveRaw(svc, http.MethodPut, "/slow", "", "", nil)
	w := serveRaw(svc, http.MethodPost, "/slow/k", "uploads", "", nil)
	var init initiateResultXML
	if err := xml.Unmarshal(w.Body.Bytes(), &init); err != nil || init.UploadID == "" {
		t.Fatalf("create: %v %s", err, w.Body.String())
	}
	w = serveRaw(svc, http.MethodPut, "/slow/k", "partNumber=1&uploadId="+init.UploadID, "", []byte("body"))
	if w.Code != 200 {
		t.Fatalf("upload part: %d %s", w.Code, w.Body.String())
	}
	etag := w.Header().Get("ETag")
	doc := "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + etag + "</ETag></Part></CompleteMultipartUpload>"
	w = serveRaw(svc, http.MethodPost, "/slow/k", "uploadId="+init.UploadID, "", []byte(doc))
	var res completeResultXML
	if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &res) != nil || res.ETag == "" {
		t.Fatalf("complete: %d %q", w.Code, w.Body.String())
	}
	w = serveRaw(svc, http.MethodGet, "/slow/k", "", "", nil)
	if w.Code != 200 || w.Body.String() != "body" {
		t.Fatalf("get: %d %q", w.Code, w.Body.String())
	}
}
