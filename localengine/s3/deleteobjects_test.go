package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestDeleteObjects(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "del")
	big := strings.Repeat("b", 200<<10) // a blob-backed object among them
	for i := 0; i < 5; i++ {
		body := "v"
		if i == 0 {
			body = big
		}
		put(t, c, "del", fmt.Sprint("k", i), []byte(body))
	}
	ids := func(keys ...string) []types.ObjectIdentifier {
		var out []types.ObjectIdentifier
		for _, k := range keys {
			out = append(out, types.ObjectIdentifier{Key: aws.String(k)})
		}
		return out
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"),
		Delete: &types.Delete{Objects: ids("k0", "k1", "missing")}})
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	if strings.Join(deleted, ",") != "k0,k1,missing" || len(out.Errors) != 0 {
		t.Fatalf("deleted %q errors %+v", deleted, out.Errors)
	}
	// Quiet mode reports only errors; a bad version id is a per-key error.
	objs := ids("k2", "k3")
	objs = append(objs, types.ObjectIdentifier{Key: aws.String("k4"), VersionId: aws.String("v9")})
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"),
		Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 0 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "k4" || aws.ToString(out.Errors[0].Code) != "NoSuchVersion" {
		t.Fatalf("quiet: %+v %+v", out.Deleted, out.Errors)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || strings.Join(keysOf(list.Contents), ",") != "k4" {
		t.Fatalf("left: %v %v", keysOf(list.Contents), err)
	}

	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("nobucket"), Delete: &types.Delete{Objects: ids("a")}})
	wantCode(t, err, "NoSuchBucket", http.StatusNotFound)
	var tooMany []string
	for i := 0; i < 1001; i++ {
		tooMany = append(tooMany, fmt.Sprint("x", i))
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: ids(tooMany...)}})
	wantCode(t, err, "MalformedXML", http.StatusBadRequest)

	// S3 requires Content-MD5 or a checksum, and well-formed XML.
	xmlBody := "<Delete><Object><Key>k4</Key></Object></Delete>"
	resp, body := rawDo(t, e, http.MethodPost, "/del?delete", strings.NewReader(xmlBody), nil)
	wantXMLCode(t, resp, body, 400, "InvalidRequest")
	resp, body = rawDo(t, e, http.MethodPost, "/del?delete", strings.NewReader(xmlBody),
		map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte("other"))})
	wantXMLCode(t, resp, body, 400, "BadDigest")
	for _, bad := range []string{"<Delete><Object><Key>k4</Key></Object>", "<Delete></Delete>", "<Other><Object><Key>k4</Key></Object></Other>", "<Delete><Object></Object></Delete>", ""} {
		resp, body = rawDo(t, e, http.MethodPost, "/del?delete", strings.NewReader(bad), map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte(bad))})
		wantXMLCode(t, resp, body, 400, "MalformedXML")
	}
	resp, body = rawDo(t, e, http.MethodPost, "/del?delete", strings.NewReader(xmlBody), map[string]string{"X-Amz-Checksum-Crc32": crc32B64([]byte(xmlBody))})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Deleted><Key>k4</Key></Deleted>") {
		t.Fatalf("raw delete: %d %s", resp.StatusCode, body)
	}
}
