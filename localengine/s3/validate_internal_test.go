package s3

import (
	"strings"
	"testing"
)

func TestValidBucketName(t *testing.T) {
	good := []string{"abc", "my-bucket", "my.bucket.name", "a1b2c3", strings.Repeat("a", 63), "1bucket"}
	bad := []string{"", "ab", strings.Repeat("a", 64), "Bucket", "my_bucket", "-abc", "abc-", ".abc", "abc.",
		"a..b", "a.-b", "a-.b", "10.0.0.1", "xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3", "a b", "ümlaut"}
	for _, n := range good {
		if !validBucketName(n) {
			t.Errorf("%q should be valid", n)
		}
	}
	for _, n := range bad {
		if validBucketName(n) {
			t.Errorf("%q should be invalid", n)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "EU"} {
		if !validRegion(r) {
			t.Errorf("%q should be valid", r)
		}
	}
	for _, r := range []string{"", "us", "us-east", "US-EAST-1", "us-east-x", "us--1", "us-east-1-"} {
		if validRegion(r) {
			t.Errorf("%q should be invalid", r)
		}
	}
}

func TestSuccessor(t *testing.T) {
	cases := map[string]string{"a/": "a0", "abc": "abd", "a\xff": "b", "": ""}
	for in, want := range cases {
		got, ok := successor(in)
		if in == "" {
			if ok {
				t.Errorf("successor of empty string: %q", got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("successor(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := successor("\xff\xff"); ok {
		t.Error("all-0xff has no successor")
	}
}

func TestTokens(t *testing.T) {
	for _, p := range []listPage{{last: "key/with spaces", lastIsPrefix: false}, {last: "dir/", lastIsPrefix: true}} {
		last, isPrefix, err := decodeToken(encodeToken(p))
		if err != nil || last != p.last || isPrefix != p.lastIsPrefix {
			t.Errorf("token round trip of %+v: %q %v %v", p, last, isPrefix, err)
		}
	}
	for _, bad := range []string{"", "!!", "eA", "aGVsbG8"} { // "x", "hello"
		if _, _, err := decodeToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestURLEncode(t *testing.T) {
	for in, want := range map[string]string{"a b/c+d": "a+b/c%2Bd", "é": "%C3%A9", "x&y=z": "x%26y%3Dz"} {
		if got := urlEncode(in); got != want {
			t.Errorf("urlEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCopySource(t *testing.T) {
	cases := []struct{ in, bucket, key, code string }{
		{"b/k", "b", "k", ""},
		{"/b/dir/k", "b", "dir/k", ""},
		{"b/a%20b%2Bc%25", "b", "a b+c%", ""},
		{"b/k?versionId=null", "b", "k", ""},
		{"b/k?versionId=abc", "", "", "InvalidArgument"},
		{"b/k?other=1", "", "", "InvalidArgument"},
		{"b", "", "", "InvalidArgument"},
		{"b/", "", "", "InvalidArgument"},
		{"/k", "", "", "InvalidArgument"},
		{"b/%zz", "", "", "InvalidArgument"},
	}
	for _, tc := range cases {
		b, k, err := parseCopySource(tc.in)
		if codeOf(err) != tc.code || b != tc.bucket || k != tc.key {
			t.Errorf("parseCopySource(%q) = %q %q %v", tc.in, b, k, err)
		}
	}
}
