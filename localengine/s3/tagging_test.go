package s3_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestObjectTagging(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "tags")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Body: strings.NewReader("x"), Tagging: aws.String("a=1&b=two%20words&c=")})
	if err != nil {
		t.Fatal(err)
	}
	tagsOf := func() string {
		t.Helper()
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, tg := range out.TagSet {
			s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(s, ",")
	}
	if got := tagsOf(); got != "a=1,b=two words,c=" {
		t.Fatalf("tags from header: %q", got)
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("replayed"), Value: aws.String("true")}, {Key: aws.String("ünï/cødé:+=.@_-"), Value: aws.String("ok")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(); got != "replayed=true,ünï/cødé:+=.@_-=ok" {
		t.Fatalf("tags after put: %q", got)
	}
	// Retagging keeps the body and metadata.
	if string(get(t, c, "tags", "k")) != "x" {
		t.Fatal("body changed by tagging")
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(); got != "" {
		t.Fatalf("tags after delete: %q", got)
	}

	many := make([]types.Tag, 11)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	bad := []struct {
		tags []types.Tag
		code string
	}{
		{many, "BadRequest"},
		{[]types.Tag{{Key: aws.String("d"), Value: aws.String("1")}, {Key: aws.String("d"), Value: aws.String("2")}}, "InvalidTag"},
		{[]types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}, "InvalidTag"},
		{[]types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}, "InvalidTag"},
		{[]types.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("v")}}, "InvalidTag"},
		{[]types.Tag{{Key: aws.String("bad<char>"), Value: aws.String("v")}}, "InvalidTag"},
		{[]types.Tag{{Key: aws.String(""), Value: aws.String("v")}}, "InvalidTag"},
	}
	for _, b := range bad {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: b.tags}})
		wantCode(t, err, b.code, http.StatusBadRequest)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k2"), Body: strings.NewReader("x"), Tagging: aws.String("a=1&a=2")})
	wantCode(t, err, "InvalidTag", http.StatusBadRequest)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k2"), Body: strings.NewReader("x"), Tagging: aws.String("a=%zz")})
	wantCode(t, err, "InvalidArgument", http.StatusBadRequest)

	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) && !isCode(err, "NoSuchKey") {
		t.Fatalf("tagging of missing key: %v", err)
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing"), Tagging: &types.Tagging{TagSet: []types.Tag{}}})
	wantCode(t, err, "NoSuchKey", http.StatusNotFound)

	// S3 requires an integrity header on PutObjectTagging; a malformed body is MalformedXML.
	resp, body := rawDo(t, e, http.MethodPut, "/tags/k?tagging", strings.NewReader("<Tagging><TagSet></TagSet></Tagging>"), nil)
	wantXMLCode(t, resp, body, 400, "InvalidRequest")
	resp, body = rawDo(t, e, http.MethodPut, "/tags/k?tagging", strings.NewReader("<Tagging><TagSet>"),
		map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte("<Tagging><TagSet>"))})
	wantXMLCode(t, resp, body, 400, "MalformedXML")
}
