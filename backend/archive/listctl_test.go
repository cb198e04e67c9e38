package archive

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestListKeysWithControlCharacters: keys another tool wrote with control
// characters, "+", "%" and spaces in them come out of the archive's
// listings exactly, and open. S3 can only list them with encoding-type=url.
func TestListKeysWithControlCharacters(t *testing.T) {
	s, _, loc := openArchive(t)
	ctx := ctxT(t)
	at := time.Date(2026, 3, 1, 1, 5, 0, 0, time.UTC)
	e := event("orders", "pk", at, 1)
	src := put(t, s, loc, e)
	got, err := s.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(src)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.S3().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(src)}); err != nil {
		t.Fatal(err)
	}
	// Written by something else than sluice: raw bytes where sluice would
	// have percent-escaped them.
	name := func(consumer, pk string) string {
		return fmt.Sprintf("%s%s/2026/03/01/01/%s-%d-%s.json", loc.Prefix, consumer, pk, at.UnixMilli(), e.ID)
	}
	keys := []string{name("orders", "pk\x01\x1b"), name("orders", "a b+c%2B"), name("ord\x01ers", "pk\x7f")}
	for _, k := range keys {
		if _, err := s.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := ListHour(ctx, s, loc, "orders", at, false)
	if err != nil {
		t.Fatal(err)
	}
	gotKeys := keysOf(objs)
	slices.Sort(gotKeys)
	if want := []string{keys[1], keys[0]}; !slices.Equal(gotKeys, want) {
		t.Fatalf("hour listing %q, want %q", gotKeys, want)
	}
	pks := map[string]bool{}
	for _, o := range objs {
		pks[o.PartitionKey] = true
		ev, err := Get(ctx, s, loc.Bucket, o.Key)
		if err != nil || ev.ID != e.ID {
			t.Fatalf("open %q: %+v %v", o.Key, ev, err)
		}
	}
	if !pks["pk\x01\x1b"] || !pks["a b+c+"] {
		t.Fatalf("partition keys %v", pks)
	}
	consumers, err := Consumers(ctx, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(consumers, []string{"ord\x01ers", "orders"}) {
		t.Fatalf("consumers %q", consumers)
	}
	// The paged walk by hour finds them too.
	p := list(s, loc, Query{Consumer: "orders"}, 1)
	var found []string
	for p.More() {
		page, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, keysOf(page)...)
	}
	slices.Sort(found)
	if !slices.Equal(found, gotKeys) {
		t.Fatalf("list %q", found)
	}
}
