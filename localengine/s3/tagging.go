package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxTags        = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
	// maxTaggingBody bounds a PutObjectTagging body: ten tags of 128+256
	// characters of up to 4 bytes, with markup, fit well below it.
	maxTaggingBody = 64 << 10
)

func errTooManyTags() error {
	return newErr(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
}

// validateTags applies S3's object tag rules.
func validateTags(tags []tag) error {
	if len(tags) > maxTags {
		return errTooManyTags()
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > maxTagKeyLen || !utf8.ValidString(t.Key) || !validTagChars(t.Key) {
			return errInvalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueLen || !utf8.ValidString(t.Value) || !validTagChars(t.Value) {
			return errInvalidTag("The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errInvalidTag("Your TagKey cannot be prefixed with aws:")
		}
		if seen[t.Key] {
			return errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

// validTagChars allows letters, digits, spaces and _ . : / = + - @.
func validTagChars(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || unicode.IsMark(r) {
			continue
		}
		if !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// parseTaggingHeader reads x-amz-tagging, a URL-encoded query string, keeping
// the client's order.
func parseTaggingHeader(v string) ([]tag, error) {
	if v == "" {
		return nil, nil
	}
	bad := errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	parts := strings.Split(v, "&")
	if len(parts) > maxTags {
		return nil, errTooManyTags()
	}
	tags := make([]tag, 0, len(parts))
	for _, part := range parts {
		k, val, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil {
			return nil, bad
		}
		tags = append(tags, tag{Key: key, Value: value})
	}
	if err := validateTags(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  struct {
		Tags []tagXML `xml:"Tag"`
	} `xml:"TagSet"`
}

// parseTaggingXML decodes a PutObjectTagging body.
func parseTaggingXML(body []byte) ([]tag, error) {
	var doc taggingXML
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	if doc.XMLName.Local != "Tagging" {
		return nil, errMalformedXML()
	}
	if len(doc.TagSet.Tags) > maxTags {
		return nil, errTooManyTags()
	}
	tags := make([]tag, len(doc.TagSet.Tags))
	for i, t := range doc.TagSet.Tags {
		tags[i] = tag{Key: t.Key, Value: t.Value}
	}
	if err := validateTags(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

func taggingDoc(tags []tag) taggingXML {
	doc := taggingXML{Xmlns: s3Namespace}
	doc.TagSet.Tags = make([]tagXML, len(tags))
	for i, t := range tags {
		doc.TagSet.Tags[i] = tagXML{Key: t.Key, Value: t.Value}
	}
	return doc
}
