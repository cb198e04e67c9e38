package s3

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	maxUserMetadata = 2 << 10
	defaultType     = "binary/octet-stream"
	copyBufSize     = 256 << 10
	maxPartNumber   = 10000
)

// objectHeaders reads the stored headers, user metadata and tags of a PUT
// (or a REPLACE copy) into rec.
func objectHeaders(h http.Header, rec *objectRecord, withTags bool) error {
	rec.ContentType = h.Get("Content-Type")
	rec.ContentEncoding = objectContentEncoding(h)
	rec.CacheControl = h.Get("Cache-Control")
	rec.ContentDisposition = h.Get("Content-Disposition")
	rec.ContentLanguage = h.Get("Content-Language")
	rec.Expires = h.Get("Expires")
	rec.Meta = nil
	size := 0
	for name, vals := range h {
		suffix, ok := cutPrefixFold(name, "x-amz-meta-")
		if !ok || suffix == "" {
			continue
		}
		if rec.Meta == nil {
			rec.Meta = map[string]string{}
		}
		v := storedMetaValue(strings.Join(vals, ","))
		suffix = strings.ToLower(suffix)
		rec.Meta[suffix] = v
		size += len(suffix) + len(v)
	}
	if size > maxUserMetadata {
		return errMetadataTooLarge()
	}
	if withTags {
		tags, err := parseTaggingHeader(h.Get("X-Amz-Tagging"))
		if err != nil {
			return err
		}
		rec.Tags = tags
	}
	return nil
}

// objectContentEncoding is the Content-Encoding an object keeps: the header
// as it was sent, less aws-chunked, which describes the transfer.
func objectContentEncoding(h http.Header) string {
	v := contentEncoding(h)
	var keep []string
	dropped := false
	for _, enc := range strings.Split(v, ",") {
		switch t := strings.TrimSpace(enc); {
		case strings.EqualFold(t, "aws-chunked"):
			dropped = true
		case t != "":
			keep = append(keep, enc)
		}
	}
	if !dropped {
		return v
	}
	return strings.TrimSpace(strings.Join(keep, ","))
}

// storedMetaValue is the text of a user metadata header as S3 stores it:
// the header's bytes read as ISO-8859-1 (HTTP's historical charset, so a
// client sending raw UTF-8 gets what S3 gives it back: each byte a
// character), with RFC 2047 encoded-words decoded. An encoded-word that
// does not decode to UTF-8 text is kept as it came.
func storedMetaValue(v string) string {
	if !isASCII(v) {
		runes := make([]rune, len(v))
		for i := 0; i < len(v); i++ {
			runes[i] = rune(v[i])
		}
		v = string(runes)
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil || !utf8.ValidString(d) {
		return v
	}
	return d
}

// metaHeaderValue is a stored user metadata value as S3 returns it: as it
// is when it is printable ASCII, else one RFC 2047 encoded-word holding its
// UTF-8 in base64.
func metaHeaderValue(v string) string {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c > 0x7e {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
		}
	}
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

func (s *Service) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if _, err := s.bucketInfo(bucket); err != nil {
		return err
	}
	rec := &objectRecord{}
	if err := objectHeaders(r.Header, rec, true); err != nil {
		return err
	}
	check, err := writeConditions(r.Header)
	if err != nil {
		return err
	}
	spec, err := parseBodySpec(r, maxObjectSize)
	if err != nil {
		return err
	}
	// S3 needs the length up front unless aws-chunked framing carries it.
	if !spec.chunked && r.ContentLength < 0 {
		return errMissingContentLength()
	}
	rc, err := s.receive(newPayload(r, spec, maxObjectSize, algCRC64NVME), spec.declared)
	if err != nil {
		return err
	}
	rec.Size, rec.ETag = rc.digest.size, rc.digest.etag
	rec.ChecksumAlg, rec.Checksum = rc.digest.alg, rc.digest.checksum
	rec.Modified = s.now().UnixMilli()
	if err := s.commitObject(bucket, key, rec, rc, check); err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", rec.quotedETag())
	setChecksumHeaders(h, rec)
	writeEmpty(w, http.StatusOK)
	return nil
}

func setChecksumHeaders(h http.Header, rec *objectRecord) {
	if rec.ChecksumAlg != "" {
		h.Set(checksumHeader(rec.ChecksumAlg), rec.Checksum)
		h.Set("X-Amz-Checksum-Type", rec.checksumType())
	}
}

// checkVersionID accepts the only version an unversioned bucket has.
func checkVersionID(q url.Values) error {
	if q.Has("versionId") && q.Get("versionId") != "null" {
		return errInvalidArgument("Invalid version id specified")
	}
	return nil
}

// objectBody is an object's record with a way to read its bytes.
type objectBody struct {
	rec    *objectRecord
	inline []byte
	file   *os.File
	// layout is a multipart object's part table, when asked for.
	layout []byte
}

func (b *objectBody) close() {
	if b.file != nil {
		_ = b.file.Close()
	}
}

func (b *objectBody) section(start, length int64) io.Reader {
	if b.file != nil {
		return io.NewSectionReader(b.file, start, length)
	}
	return bytes.NewReader(b.inline[start : start+length])
}

// openObject reads an object's record and opens its body. A blob can be
// replaced and removed between the lookup and the open; the lookup is then
// retried and finds the new record.
func (s *Service) openObject(bucket, key string, withBody bool) (*objectBody, error) {
	return s.openObjectWith(bucket, key, withBody, false)
}

// openObjectWith is openObject that also reads the part table of a
// multipart object when withLayout is set.
func (s *Service) openObjectWith(bucket, key string, withBody, withLayout bool) (*objectBody, error) {
	for attempt := 0; ; attempt++ {
		b := &objectBody{}
		err := s.view(func(t tx) error {
			if _, err := t.mustBucket(bucket); err != nil {
				return err
			}
			rec, err := t.object(bucket, key)
			if err != nil {
				return err
			}
			if rec == nil {
				return errNoSuchKey()
			}
			b.rec = rec
			if withLayout && rec.Parts > 0 {
				b.layout = append([]byte(nil), t.layouts().Get([]byte(rec.Blob))...)
			}
			if withBody && rec.Blob == "" {
				b.inline = t.inlineBody(bucket, key)
				if int64(len(b.inline)) != rec.Size {
					return errors.New("inline body size does not match its record")
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !withBody || b.rec.Blob == "" {
			return b, nil
		}
		b.file, err = s.blobs.open(b.rec.Blob)
		if errors.Is(err, fs.ErrNotExist) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}

// responseOverrides are GetObject's response-* parameters.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func setObjectHeaders(h http.Header, rec *objectRecord) {
	ct := rec.ContentType
	if ct == "" {
		ct = defaultType
	}
	h.Set("Content-Type", ct)
	for name, v := range map[string]string{
		"Content-Encoding": rec.ContentEncoding, "Cache-Control": rec.CacheControl,
		"Content-Disposition": rec.ContentDisposition, "Content-Language": rec.ContentLanguage,
		"Expires": rec.Expires,
	} {
		if v != "" {
			h.Set(name, v)
		}
	}
	names := make([]string, 0, len(rec.Meta))
	for k := range rec.Meta {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		h["X-Amz-Meta-"+k] = []string{metaHeaderValue(rec.Meta[k])}
	}
	h.Set("ETag", rec.quotedETag())
	h.Set("Last-Modified", rec.modTime().Format(http.TimeFormat))
	if len(rec.Tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(rec.Tags)))
	}
}

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, bucket, key string, head bool) error {
	q := r.URL.Query()
	if err := checkVersionID(q); err != nil {
		return err
	}
	partNumber := 0
	if q.Has("partNumber") {
		n, err := strconv.Atoi(q.Get("partNumber"))
		if err != nil || n < 1 || n > maxPartNumber {
			return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive")
		}
		if r.Header.Get("Range") != "" {
			return errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
		}
		partNumber = n
	}
	b, err := s.openObjectWith(bucket, key, !head, partNumber > 0)
	if err != nil {
		return err
	}
	defer b.close()
	rec := b.rec
	h := w.Header()
	switch evalConditions(r.Header, getConditions, rec.ETag, rec.modTime()) {
	case condFailed:
		return errPreconditionFailed()
	case condNotModified:
		h.Set("ETag", rec.quotedETag())
		h.Set("Last-Modified", rec.modTime().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	whole := byteRange{start: 0, end: rec.Size - 1}
	rng, ranged, err := parseRange(r.Header.Get("Range"), rec.Size)
	if err != nil {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(rec.Size, 10))
		return err
	}
	partCount, partChecksum := 0, ""
	switch {
	case partNumber == 0:
	case rec.Parts > 0:
		if partNumber > rec.Parts {
			return errPartNotSatisfiable()
		}
		offset, size, sum, err := layoutPart(rec, b.layout, partNumber)
		if err != nil {
			return err
		}
		partCount, partChecksum = rec.Parts, sum
		if size > 0 {
			rng, ranged = byteRange{start: offset, end: offset + size - 1}, true
		}
	case partNumber > 1:
		return errPartNotSatisfiable()
	default:
		partCount = 1
		if rec.Size > 0 {
			rng, ranged = whole, true
		}
	}
	if !ranged {
		rng = whole
	}
	setObjectHeaders(h, rec)
	h.Set("Accept-Ranges", "bytes")
	for param, header := range responseOverrides {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	// A checksum covers the bytes it is sent with: the whole object, or
	// one part of a COMPOSITE multipart object; a client validating a
	// whole-object checksum against a range would fail.
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		switch {
		case partChecksum != "":
			h.Set(checksumHeader(rec.ChecksumAlg), partChecksum)
			h.Set("X-Amz-Checksum-Type", typeComposite)
		case !ranged || partNumber > 0 && rng == whole:
			setChecksumHeaders(h, rec)
		}
	}
	if partCount > 0 {
		h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(partCount))
	}
	status := http.StatusOK
	length := rec.Size
	if partNumber > 0 && rec.Parts > 0 && !ranged {
		// An empty part.
		length = 0
	}
	if ranged {
		status = http.StatusPartialContent
		length = rng.length()
		h.Set("Content-Range", "bytes "+strconv.FormatInt(rng.start, 10)+"-"+strconv.FormatInt(rng.end, 10)+"/"+strconv.FormatInt(rec.Size, 10))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if head || length == 0 {
		return nil
	}
	if _, err := io.CopyBuffer(w, b.section(rng.start, length), make([]byte, min(length, copyBufSize))); err != nil {
		// The status is sent; the client sees a short body.
		s.log.Debug("get object: body not fully sent", "bucket", bucket, "key", key, "err", err)
	}
	return nil
}

func errPartNotSatisfiable() error {
	return newErr(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable")
}

func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := checkVersionID(r.URL.Query()); err != nil {
		return err
	}
	var blob string
	err := s.update(func(t tx) error {
		blob = ""
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		var err error
		blob, _, err = t.deleteObject(bucket, key)
		return err
	})
	if err != nil {
		return err
	}
	s.removeBlob(blob)
	writeEmpty(w, http.StatusNoContent)
	return nil
}
