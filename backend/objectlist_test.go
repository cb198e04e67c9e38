package backend_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// TestListObjectsV2ReadsWhatTheSDKReads lists, page by page, keys and
// prefixes needing every escape from an engine that checks every
// signature: the plain listing gives the SDK's keys, sizes, ETags,
// times, prefixes and continuations, one plain GET a page.
func TestListObjectsV2ReadsWhatTheSDKReads(t *testing.T) {
	s, p := readObjectSession(t)
	keys := []string{"failed/a b/1.json", "failed/a b/2.json", "failed/ü+%=&/3.json", "failed/x\x01y/4.json", "failed/z/5.json", "other/6.json"}
	for _, k := range keys {
		putArchived(t, s, k, []byte(k))
	}
	for _, in := range []s3.ListObjectsV2Input{
		{Prefix: aws.String("failed/"), MaxKeys: aws.Int32(2), EncodingType: types.EncodingTypeUrl},
		{Prefix: aws.String("failed/"), Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl},
		{Prefix: aws.String("failed/a b/"), StartAfter: aws.String("failed/a b/1.json")},
	} {
		in.Bucket = aws.String("archive")
		before := len(p.Seen(plainGET))
		plain, pages := listAll(t, func(in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
			return s.ListObjectsV2(t.Context(), in)
		}, in)
		if got := len(p.Seen(plainGET)) - before; got != pages {
			t.Errorf("%d plain GETs for %d pages", got, pages)
		}
		sdk, _ := listAll(t, func(in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
			return s.S3().ListObjectsV2(t.Context(), in)
		}, in)
		if !slices.Equal(plain, sdk) || len(sdk) == 0 {
			t.Errorf("prefix %q delimiter %q:\nplain %q\n  SDK %q", aws.ToString(in.Prefix), aws.ToString(in.Delimiter), plain, sdk)
		}
	}
}

// listAll lists every page, each object and prefix as one line.
func listAll(t *testing.T, list func(*s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error), in s3.ListObjectsV2Input) (lines []string, pages int) {
	t.Helper()
	for {
		out, err := list(&in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			lines = append(lines, aws.ToString(o.Key)+" "+aws.ToString(o.ETag)+" "+aws.ToTime(o.LastModified).String()+" "+string(rune('0'+aws.ToInt64(o.Size)%10)))
		}
		for _, cp := range out.CommonPrefixes {
			lines = append(lines, "prefix "+aws.ToString(cp.Prefix))
		}
		lines = append(lines, "encoding "+string(out.EncodingType))
		if !aws.ToBool(out.IsTruncated) {
			return lines, pages
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// TestListObjectsV2AsksWhatTheSDKWouldAsk compares, for AWS's own
// endpoints, the plain listing's request with the SDK's: same path, same
// query, same signing scope.
func TestListObjectsV2AsksWhatTheSDKWouldAsk(t *testing.T) {
	awsHome(t, "[profile prod]\nregion = us-west-2\naws_access_key_id = AKIDPROD\naws_secret_access_key = secret\n")
	rec := &recordingClient{body: `<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>`}
	s, err := backend.Open(t.Context(), profileNamed(t, "prod"), backend.Env{HTTPClient: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, bucket := range []string{"orders-archive", "orders.archive.example"} {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("failed/a b+c/ü"), Delimiter: aws.String("/"),
			EncodingType: types.EncodingTypeUrl, MaxKeys: aws.Int32(10), ContinuationToken: aws.String("tok+/=")}
		rec.reqs = nil
		if _, err := s.S3().ListObjectsV2(t.Context(), in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ListObjectsV2(t.Context(), in); err != nil {
			t.Fatal(err)
		}
		if len(rec.reqs) != 2 {
			t.Fatalf("%d requests, want the SDK's and the plain one", len(rec.reqs))
		}
		sdk, plain := rec.reqs[0], rec.reqs[1]
		if plain.Header.Get("Amz-Sdk-Invocation-Id") != "" {
			t.Fatalf("%s: the second request is the SDK's too", bucket)
		}
		if plain.Method != http.MethodGet || plain.URL.Host != sdk.URL.Host || plain.URL.EscapedPath() != sdk.URL.EscapedPath() {
			t.Errorf("%s: plain %s %s, SDK %s", bucket, plain.Method, plain.URL, sdk.URL)
		}
		// Byte for byte, in any order: S3 reads a + in a query as a
		// plus, so a space must go as %20.
		a, b := strings.Split(plain.URL.RawQuery, "&"), strings.Split(sdk.URL.RawQuery, "&")
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s: query %q, SDK's %q", bucket, a, b)
		}
		if a, b := scopeOf(sdk), scopeOf(plain); a == "" || a != b {
			t.Errorf("%s: signing scope %q, SDK's %q", bucket, b, a)
		}
	}
}
