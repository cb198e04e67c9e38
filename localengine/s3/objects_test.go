package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func TestPutGetHeadObject(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "objs")
	body := []byte(`{"event":"order","id":42}`)
	expires := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:             aws.String("objs"),
		Key:                aws.String("orders/2024/01/event.json"),
		Body:               bytes.NewReader(body),
		ContentType:        aws.String("application/json"),
		ContentEncoding:    aws.String("identity"),
		CacheControl:       aws.String("max-age=60"),
		ContentDisposition: aws.String(`attachment; filename="event.json"`),
		ContentLanguage:    aws.String("en"),
		Expires:            aws.Time(expires),
		Metadata:           map[string]string{"Replayed": "false", "source-shard": "shardId-000000000001"},
		Tagging:            aws.String("env=test&team=data%20eng"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != md5Hex(body) {
		t.Fatalf("put ETag %s, want %s", aws.ToString(out.ETag), md5Hex(body))
	}

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objs"), Key: aws.String("orders/2024/01/event.json")})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || !bytes.Equal(data, body) {
		t.Fatalf("body %q %v", data, err)
	}
	checks := map[string][2]string{
		"ETag":               {aws.ToString(got.ETag), md5Hex(body)},
		"ContentType":        {aws.ToString(got.ContentType), "application/json"},
		"ContentEncoding":    {aws.ToString(got.ContentEncoding), "identity"},
		"CacheControl":       {aws.ToString(got.CacheControl), "max-age=60"},
		"ContentDisposition": {aws.ToString(got.ContentDisposition), `attachment; filename="event.json"`},
		"ContentLanguage":    {aws.ToString(got.ContentLanguage), "en"},
		"ExpiresString":      {aws.ToString(got.ExpiresString), expires.Format(http.TimeFormat)},
		"meta replayed":      {got.Metadata["replayed"], "false"},
		"meta source-shard":  {got.Metadata["source-shard"], "shardId-000000000001"},
		"AcceptRanges":       {aws.ToString(got.AcceptRanges), "bytes"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if aws.ToInt64(got.ContentLength) != int64(len(body)) || aws.ToInt32(got.TagCount) != 2 {
		t.Errorf("length %d tag count %d", aws.ToInt64(got.ContentLength), aws.ToInt32(got.TagCount))
	}
	if got.LastModified == nil || time.Since(*got.LastModified) > time.Minute {
		t.Errorf("last modified %v", got.LastModified)
	}
	// The SDK asks for the checksum and validates the body against it.
	if aws.ToString(got.ChecksumCRC32) == "" || got.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("no CRC32 checksum in GetObject answer: %+v", got)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objs"), Key: aws.String("orders/2024/01/event.json")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != md5Hex(body) ||
		aws.ToString(head.ContentType) != "application/json" || head.Metadata["replayed"] != "false" {
		t.Fatalf("head: %+v", head)
	}

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objs"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("get missing: want NoSuchKey, got %v", err)
	}
	wantCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objs"), Key: aws.String("nope")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("head missing: want NotFound, got %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestObjectDefaultsAndOverwrite(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "bkt")
	put(t, c, "bkt", "k", []byte("first"))
	put(t, c, "bkt", "k", []byte("second version"))
	if got := get(t, c, "bkt", "k"); string(got) != "second version" {
		t.Fatalf("overwrite: %q", got)
	}
	// Empty objects round-trip.
	put(t, c, "bkt", "empty", nil)
	if got := get(t, c, "bkt", "empty"); len(got) != 0 {
		t.Fatalf("empty: %q", got)
	}
	// Without Content-Type S3 answers binary/octet-stream.
	resp, _ := rawDo(t, e, http.MethodPut, "/bkt/raw", strings.NewReader("raw"), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("raw put: %d", resp.StatusCode)
	}
	resp, body := rawDo(t, e, http.MethodGet, "/bkt/raw", nil, nil)
	if resp.Header.Get("Content-Type") != "binary/octet-stream" || string(body) != "raw" {
		t.Fatalf("raw get: %v %q", resp.Header, body)
	}
	// Response overrides.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("raw"),
		ResponseContentType: aws.String("text/plain"), ResponseContentDisposition: aws.String("inline")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ContentDisposition) != "inline" {
		t.Fatalf("overrides: %+v", out)
	}
	// DeleteObject answers 204 whether or not the key exists.
	for i := 0; i < 2; i++ {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("deleted object still there: %v", err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("raw"), VersionId: aws.String("v123")})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

func TestConditionalPut(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "bkt")
	in := func(body string) *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader(body), IfNoneMatch: aws.String("*")}
	}
	if _, err := c.PutObject(ctx, in("first")); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, in("second"))
	wantCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader("x"), IfMatch: aws.String(`"0000"`)})
	wantCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("once"), Body: strings.NewReader("third"), IfMatch: aws.String(md5Hex([]byte("first")))})
	if err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if got := get(t, c, "bkt", "once"); string(got) != "third" {
		t.Fatalf("got %q", got)
	}
}

func TestOddKeys(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "odd")
	long := strings.Repeat("k", 1024)
	keys := []string{
		"with space", "plus+sign", "percent%2Fencoded", "percent%", "unicode/日本語/ключ/🎉",
		"/leading-slash", "double//slash", "trailing/", "a?b#c&d=e", "dots/../up", "./here",
		"tilde~*'()!$,;:@", "tab\there", `quote"s<and>&amp`, long,
	}
	for i, k := range keys {
		body := []byte("body-" + string(rune('A'+i)))
		put(t, c, "odd", k, body)
		if got := get(t, c, "odd", k); !bytes.Equal(got, body) {
			t.Fatalf("key %q: got %q, want %q", k, got, body)
		}
	}
	listed := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("odd"), MaxKeys: aws.Int32(4)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			listed[aws.ToString(o.Key)] = true
		}
	}
	for _, k := range keys {
		if !listed[k] {
			t.Errorf("key %q not listed", k)
		}
	}
	if len(listed) != len(keys) {
		t.Errorf("listed %d keys, want %d", len(listed), len(keys))
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("odd"), Key: aws.String(long + "x"), Body: strings.NewReader("x")})
	wantCode(t, err, "KeyTooLongError", http.StatusBadRequest)
	// A key that is a literal "%2F" stays distinct from "/".
	put(t, c, "odd", "a%2Fb", []byte("literal"))
	put(t, c, "odd", "a/b", []byte("slash"))
	if string(get(t, c, "odd", "a%2Fb")) != "literal" || string(get(t, c, "odd", "a/b")) != "slash" {
		t.Fatal("a%2Fb and a/b collide")
	}
	// Raw request with an encoded slash reaches the key "x/y".
	resp, _ := rawDo(t, e, http.MethodPut, "/odd/x%2Fy", strings.NewReader("enc"), nil)
	if resp.StatusCode != 200 || string(get(t, c, "odd", "x/y")) != "enc" {
		t.Fatalf("encoded slash: %d", resp.StatusCode)
	}
}

func TestRangeGets(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "rng")
	body := []byte("0123456789abcdefghij") // 20 bytes
	put(t, c, "rng", "k", body)
	cases := []struct {
		rng, want, contentRange string
	}{
		{"bytes=0-4", "01234", "bytes 0-4/20"},
		{"bytes=5-", "56789abcdefghij", "bytes 5-19/20"},
		{"bytes=-3", "hij", "bytes 17-19/20"},
		{"bytes=15-100", "fghij", "bytes 15-19/20"},
		{"bytes=-50", string(body), "bytes 0-19/20"},
		{"bytes=19-19", "j", "bytes 19-19/20"},
	}
	for _, tc := range cases {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String(tc.rng)})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != tc.want || aws.ToString(out.ContentRange) != tc.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tc.want)) {
			t.Fatalf("%s: got %q %q %d", tc.rng, got, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength))
		}
		if out.ChecksumCRC32 != nil {
			t.Fatalf("%s: a ranged answer must not carry the whole object's checksum", tc.rng)
		}
	}
	for _, rng := range []string{"bytes=20-", "bytes=25-30", "bytes=-0"} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String(rng)})
		wantCode(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
	}
	// Malformed and multi-range headers are ignored: the whole object, 200.
	for _, rng := range []string{"bytes=5-2", "items=0-1", "bytes=0-1,3-4", "bytes=x-y"} {
		resp, got := rawDo(t, e, http.MethodGet, "/rng/k", nil, map[string]string{"Range": rng})
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("%s: %d %q", rng, resp.StatusCode, got)
		}
	}
	resp, _ := rawDo(t, e, http.MethodGet, "/rng/k", nil, map[string]string{"Range": "bytes=30-"})
	if resp.Header.Get("Content-Range") != "bytes */20" {
		t.Fatalf("416 Content-Range: %q", resp.Header.Get("Content-Range"))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String("bytes=2-5")})
	if err != nil || aws.ToInt64(head.ContentLength) != 4 || aws.ToString(head.ContentRange) != "bytes 2-5/20" {
		t.Fatalf("ranged head: %+v %v", head, err)
	}
	// partNumber=1 of a single-part object is the whole object.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, body) || aws.ToInt32(out.PartsCount) != 1 {
		t.Fatalf("part 1: %q %+v", got, out)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), PartNumber: aws.Int32(2)})
	wantCode(t, err, "InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable)
}

func TestConditionalGets(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "cond")
	body := []byte("conditional")
	put(t, c, "cond", "k", body)
	etag := md5Hex(body)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	mod := *head.LastModified
	before, after := mod.Add(-time.Hour), mod.Add(time.Hour)

	ok := func(in *s3.GetObjectInput) {
		t.Helper()
		in.Bucket, in.Key = aws.String("cond"), aws.String("k")
		out, err := c.GetObject(ctx, in)
		if err != nil {
			t.Fatalf("want 200: %v", err)
		}
		out.Body.Close()
	}
	status := func(in *s3.GetObjectInput, want int) {
		t.Helper()
		in.Bucket, in.Key = aws.String("cond"), aws.String("k")
		_, err := c.GetObject(ctx, in)
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != want {
			t.Fatalf("want %d, got %v", want, err)
		}
	}
	ok(&s3.GetObjectInput{IfMatch: aws.String(etag)})
	ok(&s3.GetObjectInput{IfMatch: aws.String("*")})
	status(&s3.GetObjectInput{IfMatch: aws.String(`"deadbeef"`)}, 412)
	ok(&s3.GetObjectInput{IfNoneMatch: aws.String(`"deadbeef"`)})
	status(&s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304)
	ok(&s3.GetObjectInput{IfModifiedSince: aws.Time(before)})
	status(&s3.GetObjectInput{IfModifiedSince: aws.Time(after)}, 304)
	ok(&s3.GetObjectInput{IfUnmodifiedSince: aws.Time(after)})
	status(&s3.GetObjectInput{IfUnmodifiedSince: aws.Time(before)}, 412)
	// A matching If-Match overrides a failing If-Unmodified-Since, and a
	// failing If-None-Match overrides If-Modified-Since.
	ok(&s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(before)})
	ok(&s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`), IfModifiedSince: aws.Time(after)})

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(`"x"`)})
	wantCode(t, err, "PreconditionFailed", 412)

	resp, got := rawDo(t, e, http.MethodGet, "/cond/k", nil, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 304 || len(got) != 0 || resp.Header.Get("ETag") != etag {
		t.Fatalf("304: %d %q %v", resp.StatusCode, got, resp.Header)
	}
}

func TestUserMetadataTooLarge(t *testing.T) {
	_, c := start(t)
	mkBucket(t, c, "meta")
	_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("k"),
		Body: strings.NewReader("x"), Metadata: map[string]string{"big": strings.Repeat("v", 2100)}})
	wantCode(t, err, "MetadataTooLarge", http.StatusBadRequest)
}
