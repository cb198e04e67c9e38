package s3

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/localengine/awserr"
)

func TestParseDeleteXML(t *testing.T) {
	req, err := parseDeleteXML([]byte(`<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>` +
		`<Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>null</VersionId></Object>` +
		`<Object><Key>` + strings.Repeat("k", 1025) + `</Key></Object></Delete>`))
	if err != nil {
		t.Fatal(err)
	}
	if !req.quiet || len(req.keys) != 3 || req.keys[0].key != "a&b" || req.keys[1].err != nil || req.keys[2].err == nil || req.keys[2].err.Code != "KeyTooLongError" {
		t.Fatalf("%+v", req)
	}
	for _, bad := range []string{"", "<Delete>", "<Delete></Delete>", "<Nope><Object><Key>a</Key></Object></Nope>",
		"<Delete><Object></Object></Delete>", "<Delete><Object><Key>a</Key></Object></Delete><extra", "<!DOCTYPE x [<!ENTITY a 'b'>]><Delete><Object><Key>&a;</Key></Object></Delete>"} {
		if _, err := parseDeleteXML([]byte(bad)); codeOf(err) != "MalformedXML" {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestParseTagging(t *testing.T) {
	tags, err := parseTaggingXML([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag></TagSet></Tagging>`))
	if err != nil || len(tags) != 2 || tags[1] != (tag{"b", ""}) {
		t.Fatalf("%+v %v", tags, err)
	}
	tags, err = parseTaggingHeader("k%201=v+1&k2=&k3")
	if err != nil || len(tags) != 3 || tags[0] != (tag{"k 1", "v 1"}) || tags[2] != (tag{"k3", ""}) {
		t.Fatalf("%+v %v", tags, err)
	}
	if _, err := parseTaggingXML([]byte(`<Other/>`)); codeOf(err) != "MalformedXML" {
		t.Fatalf("wrong root: %v", err)
	}
}

func isS3Error(err error) bool {
	var e *awserr.Error
	return err == nil || errors.As(err, &e)
}

func FuzzDeleteObjectsXML(f *testing.F) {
	f.Add([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key>a</Key><VersionId>v</VersionId></Object><Object><Key></Key></Object></Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseDeleteXML(body)
		if !isS3Error(err) {
			t.Fatalf("non-S3 error %v", err)
		}
		if err == nil && (len(req.keys) == 0 || len(req.keys) > maxDeleteObjects) {
			t.Fatalf("%d keys accepted", len(req.keys))
		}
	})
}

func FuzzTaggingXML(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tags, err := parseTaggingXML(body)
		if !isS3Error(err) {
			t.Fatalf("non-S3 error %v", err)
		}
		if err == nil && validateTags(tags) != nil {
			t.Fatalf("invalid tags accepted: %+v", tags)
		}
	})
}

func FuzzTaggingHeader(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("%zz=1")
	f.Fuzz(func(t *testing.T, h string) {
		tags, err := parseTaggingHeader(h)
		if !isS3Error(err) {
			t.Fatalf("non-S3 error %v", err)
		}
		if err == nil && len(tags) > maxTags {
			t.Fatalf("%d tags accepted", len(tags))
		}
	})
}
