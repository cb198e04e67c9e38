package s3_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

func prefixesOf(ps []types.CommonPrefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

func TestListObjectsV2(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "list")
	keys := []string{
		"a.txt", "archive/2024/01/x.json", "archive/2024/01/y.json", "archive/2024/02/z.json",
		"archive/2025/01/w.json", "archive/readme", "b", "b/c", "é", "z/",
	}
	for _, k := range keys {
		put(t, c, "list", k, []byte(k))
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted) // Go compares strings bytewise: UTF-8 byte order, as S3

	list := func(in *s3.ListObjectsV2Input) *s3.ListObjectsV2Output {
		t.Helper()
		in.Bucket = aws.String("list")
		out, err := c.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := list(&s3.ListObjectsV2Input{})
	if got := keysOf(out.Contents); strings.Join(got, "|") != strings.Join(sorted, "|") {
		t.Fatalf("all keys: %q", got)
	}
	if aws.ToInt32(out.KeyCount) != int32(len(keys)) || aws.ToBool(out.IsTruncated) || aws.ToInt32(out.MaxKeys) != 1000 {
		t.Fatalf("counts: %+v", out)
	}
	o := out.Contents[0]
	if aws.ToInt64(o.Size) != int64(len("a.txt")) || aws.ToString(o.ETag) != md5Hex([]byte("a.txt")) || o.LastModified == nil || o.StorageClass != types.ObjectStorageClassStandard || o.Owner != nil {
		t.Fatalf("object entry: %+v", o)
	}

	out = list(&s3.ListObjectsV2Input{Delimiter: aws.String("/")})
	if got := keysOf(out.Contents); strings.Join(got, "|") != "a.txt|b|é" {
		t.Fatalf("top-level keys: %q", got)
	}
	if got := prefixesOf(out.CommonPrefixes); strings.Join(got, "|") != "archive/|b/|z/" {
		t.Fatalf("top-level prefixes: %q", got)
	}
	if aws.ToInt32(out.KeyCount) != 6 || aws.ToString(out.Delimiter) != "/" {
		t.Fatalf("delimited: %+v", out)
	}

	out = list(&s3.ListObjectsV2Input{Prefix: aws.String("archive/"), Delimiter: aws.String("/")})
	if got := prefixesOf(out.CommonPrefixes); strings.Join(got, "|") != "archive/2024/|archive/2025/" {
		t.Fatalf("archive prefixes: %q", got)
	}
	if got := keysOf(out.Contents); strings.Join(got, "|") != "archive/readme" || aws.ToString(out.Prefix) != "archive/" {
		t.Fatalf("archive keys: %q", got)
	}
	out = list(&s3.ListObjectsV2Input{Prefix: aws.String("archive/2024/"), Delimiter: aws.String("/")})
	if got := prefixesOf(out.CommonPrefixes); strings.Join(got, "|") != "archive/2024/01/|archive/2024/02/" {
		t.Fatalf("2024 prefixes: %q", got)
	}

	out = list(&s3.ListObjectsV2Input{StartAfter: aws.String("archive/2024/02/z.json")})
	if got := keysOf(out.Contents); got[0] != "archive/2025/01/w.json" || len(got) != 6 || aws.ToString(out.StartAfter) != "archive/2024/02/z.json" {
		t.Fatalf("start-after: %q", got)
	}

	// Pagination with continuation tokens, mixing keys and common prefixes.
	for _, max := range []int32{1, 2, 3} {
		var all []string
		var token *string
		pages := 0
		for {
			out = list(&s3.ListObjectsV2Input{Delimiter: aws.String("/"), MaxKeys: aws.Int32(max), ContinuationToken: token})
			pages++
			all = append(all, keysOf(out.Contents)...)
			all = append(all, prefixesOf(out.CommonPrefixes)...)
			if int(aws.ToInt32(out.KeyCount)) > int(max) {
				t.Fatalf("page of %d over max-keys %d", aws.ToInt32(out.KeyCount), max)
			}
			if !aws.ToBool(out.IsTruncated) {
				if out.NextContinuationToken != nil {
					t.Fatal("last page has a next token")
				}
				break
			}
			if aws.ToString(out.ContinuationToken) != aws.ToString(token) {
				t.Fatal("continuation token not echoed")
			}
			token = out.NextContinuationToken
			if pages > 20 {
				t.Fatal("pagination does not end")
			}
		}
		sort.Strings(all)
		if strings.Join(all, "|") != "a.txt|archive/|b|b/|z/|é" {
			t.Fatalf("max %d: paginated %q", max, all)
		}
	}

	// The SDK paginator over every key, 3 at a time.
	var all []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, keysOf(page.Contents)...)
	}
	if strings.Join(all, "|") != strings.Join(sorted, "|") {
		t.Fatalf("paginator: %q", all)
	}

	out = list(&s3.ListObjectsV2Input{FetchOwner: aws.Bool(true), MaxKeys: aws.Int32(1)})
	if out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
		t.Fatal("fetch-owner gave no owner")
	}
	out = list(&s3.ListObjectsV2Input{MaxKeys: aws.Int32(0)})
	if len(out.Contents) != 0 || aws.ToInt32(out.KeyCount) != 0 {
		t.Fatalf("max-keys 0: %+v", out)
	}
	out = list(&s3.ListObjectsV2Input{Prefix: aws.String("nothing/")})
	if len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) {
		t.Fatalf("empty prefix: %+v", out)
	}

	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("garbage!")})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(-1)})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nobucket")})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)

	// encoding-type=url encodes keys and prefixes.
	put(t, c, "list", "sp ace/k&1", []byte("x"))
	out = list(&s3.ListObjectsV2Input{EncodingType: types.EncodingTypeUrl, Prefix: aws.String("sp ace/")})
	if len(out.Contents) != 1 || out.EncodingType != types.EncodingTypeUrl {
		t.Fatalf("encoded listing: %+v", out)
	}
	dec, err := url.QueryUnescape(aws.ToString(out.Contents[0].Key))
	if err != nil || dec != "sp ace/k&1" || aws.ToString(out.Contents[0].Key) == "sp ace/k&1" {
		t.Fatalf("encoded key %q", aws.ToString(out.Contents[0].Key))
	}
	resp, body := rawDo(t, e, http.MethodGet, "/list?list-type=2&encoding-type=bogus", nil, nil)
	wantXMLCode(t, resp, body, 400, "InvalidArgument")
}

func TestListObjectsV2ManyKeys(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "many")
	var want []string
	for d := 0; d < 5; d++ {
		for i := 0; i < 210; i++ {
			k := fmt.Sprintf("dir%d/obj-%04d", d, i)
			want = append(want, k)
		}
	}
	// Concurrent puts share commits, which keeps this fast.
	errs := make(chan error, len(want))
	sem := make(chan struct{}, 16)
	for _, k := range want {
		sem <- struct{}{}
		go func(k string) {
			defer func() { <-sem }()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(k), Body: strings.NewReader("v")})
			errs <- err
		}(k)
	}
	for range want {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1000 || !aws.ToBool(out.IsTruncated) {
		t.Fatalf("default page: %d truncated=%v", len(out.Contents), aws.ToBool(out.IsTruncated))
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many"), ContinuationToken: out.NextContinuationToken, MaxKeys: aws.Int32(5000)})
	if err != nil || len(out.Contents) != 50 || aws.ToBool(out.IsTruncated) || out.Contents[0].Key == nil || *out.Contents[0].Key != "dir4/obj-0160" {
		t.Fatalf("second page: %d %v", len(out.Contents), err)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many"), Delimiter: aws.String("/")})
	if err != nil || strings.Join(prefixesOf(out.CommonPrefixes), ",") != "dir0/,dir1/,dir2/,dir3/,dir4/" || len(out.Contents) != 0 {
		t.Fatalf("delimited: %v %v", prefixesOf(out.CommonPrefixes), err)
	}
}

func TestListObjectsV1(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "listv1")
	for _, k := range []string{"a", "d/1", "d/2", "e/1", "f"} {
		put(t, c, "listv1", k, []byte(k))
	}
	out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1")})
	if err != nil || strings.Join(keysOf(out.Contents), ",") != "a,d/1,d/2,e/1,f" || out.Contents[0].Owner == nil {
		t.Fatalf("v1 all: %+v %v", out, err)
	}
	var got []string
	var marker *string
	for i := 0; i < 10; i++ {
		out, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, keysOf(out.Contents)...)
		got = append(got, prefixesOf(out.CommonPrefixes)...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = out.NextMarker
	}
	if strings.Join(got, ",") != "a,d/,e/,f" {
		t.Fatalf("v1 paginated by marker: %q", got)
	}
	out, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1"), Marker: aws.String("d/1")})
	if err != nil || strings.Join(keysOf(out.Contents), ",") != "d/2,e/1,f" {
		t.Fatalf("v1 marker: %v %v", keysOf(out.Contents), err)
	}
}
