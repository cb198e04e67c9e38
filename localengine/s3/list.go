package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/wire"
)

const maxListKeys = 1000

// listQuery is one page request over a bucket's keys, in UTF-8 byte order.
type listQuery struct {
	prefix, delimiter string
	maxKeys           int
	// lower is an exclusive lower bound: keys and common prefixes up to it
	// were listed already. With lowerIsPrefix it is a common prefix, and
	// every key under it is past too.
	lower         string
	lowerIsPrefix bool
}

type listEntry struct {
	key string
	rec *objectRecord
}

type listPage struct {
	contents []listEntry
	prefixes []string
	// truncated pages end at last, a key or (lastIsPrefix) a common prefix.
	truncated    bool
	last         string
	lastIsPrefix bool
}

// successor is the smallest string greater than every string that starts
// with p; ok is false when there is none (p is all 0xff bytes).
func successor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// list reads one page. Keys that share a common prefix are rolled into it
// and skipped with one seek, so a page costs O(page) even over large
// "directories".
func (t tx) list(bucket string, q listQuery) (listPage, error) {
	var page listPage
	if q.maxKeys == 0 {
		return page, nil
	}
	ob := t.objects(bucket)
	if ob == nil {
		return page, nil
	}
	seek := q.prefix
	if q.lowerIsPrefix {
		next, ok := successor(q.lower)
		if !ok {
			return page, nil
		}
		if next > seek {
			seek = next
		}
	} else if q.lower > seek {
		seek = q.lower
	}
	c := ob.Cursor()
	count := 0
	k, v := c.Seek([]byte(seek))
	for k != nil {
		key := string(k)
		if !strings.HasPrefix(key, q.prefix) {
			break
		}
		if key <= q.lower {
			k, v = c.Next()
			continue
		}
		if q.delimiter != "" {
			if i := strings.Index(key[len(q.prefix):], q.delimiter); i >= 0 {
				cp := key[:len(q.prefix)+i+len(q.delimiter)]
				if cp > q.lower {
					if count == q.maxKeys {
						page.truncated = true
						break
					}
					page.prefixes = append(page.prefixes, cp)
					page.last, page.lastIsPrefix = cp, true
					count++
				}
				next, ok := successor(cp)
				if !ok {
					break
				}
				k, v = c.Seek([]byte(next))
				continue
			}
		}
		if count == q.maxKeys {
			page.truncated = true
			break
		}
		rec, err := decodeObject(v)
		if err != nil {
			return page, err
		}
		page.contents = append(page.contents, listEntry{key: key, rec: rec})
		page.last, page.lastIsPrefix = key, false
		count++
		k, v = c.Next()
	}
	return page, nil
}

func parseMaxKeys(v string) (int, error) {
	if v == "" {
		return maxListKeys, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1<<31-1 {
		return 0, errInvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647")
	}
	return int(min(n, maxListKeys)), nil
}

func parseEncodingType(v string) (bool, error) {
	switch v {
	case "":
		return false, nil
	case "url":
		return true, nil
	}
	return false, errInvalidArgument("Invalid Encoding Method specified in Request")
}

// urlEncode is encoding-type=url: query escaping, with "/" left readable as
// S3 leaves it.
func urlEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// refMark stands, in a marshalled listing, for a character reference that
// encoding/xml cannot write: "<mark><hex>;" becomes "&#x<hex>;" and
// "<mark>;" the mark itself. U+FDD0 is a noncharacter, which XML 1.0
// allows and keys almost never hold.
const refMark = "\uFDD0"

// xmlRefEscape is a listing's text when no encoding-type is asked for. S3
// writes the characters XML 1.0 cannot carry (most C0 controls) as
// character references, which XML 1.0 parsers then refuse; that is why
// encoding-type=url exists. encoding/xml would write U+FFFD instead and
// lose the key, so they are marked here and written out by writeListXML.
func xmlRefEscape(s string) string {
	clean := !strings.Contains(s, refMark)
	for _, r := range s {
		if !clean {
			break
		}
		clean = isXMLChar(r)
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case string(r) == refMark:
			b.WriteString(refMark + ";")
		case !isXMLChar(r):
			b.WriteString(refMark + strconv.FormatInt(int64(r), 16) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isXMLChar is XML 1.0's Char production. An invalid UTF-8 byte (decoded
// as U+FFFD) passes: encoding/xml writes it as U+FFFD, and keys are UTF-8.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
}

// expandRefs turns the marks xmlRefEscape left into character references.
func expandRefs(body []byte) []byte {
	mark := []byte(refMark)
	if !bytes.Contains(body, mark) {
		return body
	}
	out := make([]byte, 0, len(body)+16)
	for {
		i := bytes.Index(body, mark)
		if i < 0 {
			return append(out, body...)
		}
		out = append(out, body[:i]...)
		body = body[i+len(mark):]
		end := bytes.IndexByte(body, ';')
		if end < 0 { // not written by xmlRefEscape: keep it
			out = append(out, mark...)
			continue
		}
		if end == 0 {
			out = append(out, mark...)
		} else {
			out = append(append(append(out, "&#x"...), body[:end]...), ';')
		}
		body = body[end+1:]
	}
}

// writeListXML writes a listing whose client text went through
// xmlRefEscape (or urlEncode), as wire.WriteXML writes any answer.
func writeListXML(w http.ResponseWriter, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		wire.WriteXML(w, http.StatusOK, v) // the same failure, reported its way
		return
	}
	body = expandRefs(body)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

func encodeToken(page listPage) string {
	kind := "k"
	if page.lastIsPrefix {
		kind = "p"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(kind + page.last))
}

func decodeToken(tok string) (last string, isPrefix bool, err error) {
	b, derr := base64.RawURLEncoding.DecodeString(tok)
	if derr != nil || len(b) < 2 || (b[0] != 'k' && b[0] != 'p') {
		return "", false, errInvalidArgument("The continuation token provided is incorrect")
	}
	return string(b[1:]), b[0] == 'p', nil
}

func (s *Service) listPage(bucket string, q listQuery) (listPage, error) {
	var page listPage
	err := s.view(func(t tx) error {
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		var err error
		page, err = t.list(bucket, q)
		return err
	})
	return page, err
}

func contentsXML(page listPage, enc func(string) string, withOwner bool) []objectItemXML {
	items := make([]objectItemXML, len(page.contents))
	for i, e := range page.contents {
		items[i] = objectItemXML{
			Key:               enc(e.key),
			LastModified:      xmlTime(e.rec.modTime()),
			ETag:              e.rec.quotedETag(),
			ChecksumAlgorithm: e.rec.ChecksumAlg,
			Size:              e.rec.Size,
			StorageClass:      "STANDARD",
		}
		if e.rec.ChecksumAlg != "" {
			items[i].ChecksumType = e.rec.checksumType()
		}
		if withOwner {
			items[i].Owner = owner()
		}
	}
	return items
}

func prefixesXML(page listPage, enc func(string) string) []prefixXML {
	out := make([]prefixXML, len(page.prefixes))
	for i, p := range page.prefixes {
		out[i] = prefixXML{Prefix: enc(p)}
	}
	return out
}

func (s *Service) listObjectsV2(w http.ResponseWriter, r *http.Request, bucket string) error {
	qs := r.URL.Query()
	maxKeys, err := parseMaxKeys(qs.Get("max-keys"))
	if err != nil {
		return err
	}
	encodeURL, err := parseEncodingType(qs.Get("encoding-type"))
	if err != nil {
		return err
	}
	q := listQuery{prefix: qs.Get("prefix"), delimiter: qs.Get("delimiter"), maxKeys: maxKeys, lower: qs.Get("start-after")}
	token := qs.Get("continuation-token")
	if qs.Has("continuation-token") {
		if q.lower, q.lowerIsPrefix, err = decodeToken(token); err != nil {
			return err
		}
	}
	page, err := s.listPage(bucket, q)
	if err != nil {
		return err
	}
	enc := xmlRefEscape
	out := listV2XML{Xmlns: s3Namespace, Name: bucket, MaxKeys: maxKeys,
		KeyCount: len(page.contents) + len(page.prefixes), IsTruncated: page.truncated,
		ContinuationToken: token}
	if encodeURL {
		enc, out.EncodingType = urlEncode, "url"
	}
	out.Prefix, out.Delimiter, out.StartAfter = enc(q.prefix), enc(q.delimiter), enc(qs.Get("start-after"))
	if page.truncated {
		out.NextContinuationToken = encodeToken(page)
	}
	out.Contents = contentsXML(page, enc, qs.Get("fetch-owner") == "true")
	out.CommonPrefixes = prefixesXML(page, enc)
	writeListXML(w, out)
	return nil
}

func (s *Service) listObjectsV1(w http.ResponseWriter, r *http.Request, bucket string) error {
	qs := r.URL.Query()
	maxKeys, err := parseMaxKeys(qs.Get("max-keys"))
	if err != nil {
		return err
	}
	encodeURL, err := parseEncodingType(qs.Get("encoding-type"))
	if err != nil {
		return err
	}
	q := listQuery{prefix: qs.Get("prefix"), delimiter: qs.Get("delimiter"), maxKeys: maxKeys, lower: qs.Get("marker")}
	page, err := s.listPage(bucket, q)
	if err != nil {
		return err
	}
	enc := xmlRefEscape
	out := listV1XML{Xmlns: s3Namespace, Name: bucket, MaxKeys: maxKeys, IsTruncated: page.truncated}
	if encodeURL {
		enc, out.EncodingType = urlEncode, "url"
	}
	out.Prefix, out.Delimiter, out.Marker = enc(q.prefix), enc(q.delimiter), enc(q.lower)
	// S3 gives NextMarker only with a delimiter; without one clients resume
	// from the last key.
	if page.truncated && q.delimiter != "" {
		out.NextMarker = enc(page.last)
	}
	out.Contents = contentsXML(page, enc, true)
	out.CommonPrefixes = prefixesXML(page, enc)
	writeListXML(w, out)
	return nil
}
