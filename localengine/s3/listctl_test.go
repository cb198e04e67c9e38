package s3_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestListControlCharacterKeys: keys holding characters XML 1.0 cannot
// carry survive a listing with encoding-type=url, V1 and V2, in every
// field S3 encodes; without it S3 writes them as character references.
func TestListControlCharacterKeys(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "ctl")
	keys := []string{"dir\x01/a\x1bb.json", "dir\x01/plain", "top\x1b key+%.txt", "z/\u00e9\x7f"}
	for _, k := range keys {
		put(t, c, "ctl", k, []byte("x"))
	}
	// An XML 1.0 parser (the SDK's) refuses those references, as it does
	// against S3.
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ctl")})
	if err == nil {
		t.Fatal("ListObjectsV2 without encoding-type parsed keys holding control characters")
	}
	resp, body := rawDo(t, e, http.MethodGet, "/ctl?list-type=2", nil, nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<Key>dir&#x1;/a&#x1b;b.json</Key>")) || bytes.Contains(body, []byte("\uFFFD")) {
		t.Fatalf("raw V2 listing: %d %s", resp.StatusCode, body)
	}
	resp, body = rawDo(t, e, http.MethodGet, "/ctl?delimiter=/", nil, nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<Prefix>dir&#x1;/</Prefix>")) {
		t.Fatalf("raw V1 listing: %d %s", resp.StatusCode, body)
	}

	decode := func(s *string) string {
		t.Helper()
		v, err := url.QueryUnescape(aws.ToString(s))
		if err != nil {
			t.Fatalf("decode %q: %v", aws.ToString(s), err)
		}
		return v
	}
	// V2, one key a page, with a delimiter and a start-after.
	var gotKeys, gotPrefixes []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String("ctl"), EncodingType: types.EncodingTypeUrl, MaxKeys: aws.Int32(1),
		Delimiter: aws.String("/"), StartAfter: aws.String("\x01")}
	for {
		out, err := c.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.EncodingType != types.EncodingTypeUrl || decode(out.StartAfter) != "\x01" || decode(out.Delimiter) != "/" {
			t.Fatalf("V2 echo: %+v", out)
		}
		for _, o := range out.Contents {
			gotKeys = append(gotKeys, decode(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			gotPrefixes = append(gotPrefixes, decode(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	if fmt.Sprint(gotKeys) != fmt.Sprint([]string{"top\x1b key+%.txt"}) || fmt.Sprint(gotPrefixes) != fmt.Sprint([]string{"dir\x01/", "z/"}) {
		t.Fatalf("V2: keys %q prefixes %q", gotKeys, gotPrefixes)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ctl"), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("dir\x01/")})
	if err != nil {
		t.Fatal(err)
	}
	if decode(out.Prefix) != "dir\x01/" || len(out.Contents) != 2 || decode(out.Contents[0].Key) != keys[0] || decode(out.Contents[1].Key) != keys[1] {
		t.Fatalf("V2 under a prefix: %+v", out)
	}
	if raw := aws.ToString(out.Contents[0].Key); raw != "dir%01/a%1Bb.json" {
		t.Fatalf("encoded key %q", raw)
	}

	// V1, with markers.
	var v1 []string
	v1in := &s3.ListObjectsInput{Bucket: aws.String("ctl"), EncodingType: types.EncodingTypeUrl, MaxKeys: aws.Int32(1), Delimiter: aws.String("\x1b")}
	for {
		out, err := c.ListObjects(ctx, v1in)
		if err != nil {
			t.Fatal(err)
		}
		if out.EncodingType != types.EncodingTypeUrl || decode(out.Delimiter) != "\x1b" {
			t.Fatalf("V1 echo: %+v", out)
		}
		for _, o := range out.Contents {
			v1 = append(v1, decode(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			v1 = append(v1, "prefix:"+decode(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		if decode(out.NextMarker) == "" {
			t.Fatalf("V1 truncated without NextMarker: %+v", out)
		}
		v1in.Marker = aws.String(decode(out.NextMarker))
	}
	if want := []string{"prefix:dir\x01/a\x1b", keys[1], "prefix:top\x1b", keys[3]}; fmt.Sprint(v1) != fmt.Sprint(want) {
		t.Fatalf("V1: %q, want %q", v1, want)
	}
	if got := get(t, c, "ctl", keys[0]); string(got) != "x" {
		t.Fatalf("get %q", got)
	}
}
