package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// completeExpect is what a CompleteMultipartUpload request's headers say
// the object must come out as.
type completeExpect struct {
	alg, checksum string // whole-object checksum, "" when not given
	typ           string
	size          int64 // -1 when not given
}

// parseCompleteHeaders reads the object checksum (x-amz-checksum-<alg>),
// x-amz-checksum-type and x-amz-mp-object-size of a completion.
func parseCompleteHeaders(h http.Header) (completeExpect, error) {
	want := completeExpect{size: -1}
	for name, vals := range h {
		lname := strings.ToLower(name)
		if !strings.HasPrefix(lname, "x-amz-checksum-") || lname == "x-amz-checksum-algorithm" ||
			lname == "x-amz-checksum-mode" || lname == "x-amz-checksum-type" {
			continue
		}
		alg, known := algorithmOf(name)
		if !known {
			return want, errNotImplementedChecksum(alg)
		}
		if want.alg != "" || len(vals) != 1 {
			return want, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		want.alg, want.checksum = alg, strings.TrimSpace(vals[0])
	}
	switch typ := strings.ToUpper(strings.TrimSpace(h.Get("X-Amz-Checksum-Type"))); typ {
	case "", typeComposite, typeFullObject:
		want.typ = typ
	default:
		return want, errInvalidRequest("Value for x-amz-checksum-type header is invalid.")
	}
	if v := h.Get("X-Amz-Mp-Object-Size"); v != "" {
		n, ok := parseDigits(strings.TrimSpace(v))
		if !ok {
			return want, errInvalidArgument("Invalid x-amz-mp-object-size header")
		}
		want.size = n
	}
	return want, nil
}

// readCompleteBody reads the XML body. The request's x-amz-checksum-<alg>
// headers are the object's checksum, not the body's, so the body is read
// without them.
func readCompleteBody(r *http.Request) ([]byte, error) {
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	for name := range r2.Header {
		lname := strings.ToLower(name)
		if strings.HasPrefix(lname, "x-amz-checksum-") && lname != "x-amz-checksum-algorithm" &&
			lname != "x-amz-checksum-mode" && lname != "x-amz-checksum-type" {
			delete(r2.Header, name)
		}
	}
	r2.Header.Del("X-Amz-Sdk-Checksum-Algorithm")
	body, _, err := readSmallBody(r2, maxCompleteBody)
	return body, err
}

func (s *Service) completeMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	id := r.URL.Query().Get("uploadId")
	want, err := parseCompleteHeaders(r.Header)
	if err != nil {
		return err
	}
	check, err := writeConditions(r.Header)
	if err != nil {
		return err
	}
	body, err := readCompleteBody(r)
	if err != nil {
		return err
	}
	req, err := parseCompleteXML(body)
	if err != nil {
		return err
	}
	answer := startSlowAnswer(w, s.keepAliveEvery)
	rec, err := s.complete(r.Context(), bucket, key, id, req, check, want)
	var out completeResultXML
	if err == nil {
		loc := url.URL{Path: "/" + bucket + "/" + key}
		out = completeResultXML{Xmlns: s3Namespace, Location: wire.Info(r.Context()).BaseURL + loc.EscapedPath(),
			Bucket: bucket, Key: key, ETag: rec.quotedETag(), checksumsXML: checksumsOf(rec.ChecksumAlg, rec.Checksum)}
		if rec.ChecksumAlg != "" {
			out.ChecksumType = rec.checksumType()
		}
	}
	if answer.finish() {
		if err != nil {
			s.logFailure(r, err)
			answer.writeError(r, err)
		} else {
			answer.writeXML(out)
		}
		return nil
	}
	if err != nil {
		return err
	}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}

// completion is a checked CompleteMultipartUpload: the object to commit,
// the parts to concatenate and their part table.
type completion struct {
	rec     *objectRecord
	numbers []int
	parts   []*partRecord
	layout  []byte
}

// errUploadChanged means a part was replaced while the object was being
// assembled: the completion starts over.
var errUploadChanged = errors.New("upload changed during completion")

const completeAttempts = 3

// complete assembles and commits the object, retrying when a part was
// replaced meanwhile.
func (s *Service) complete(ctx context.Context, bucket, key, id string, req []completedPart,
	check func(*objectRecord) error, want completeExpect) (*objectRecord, error) {
	for attempt := 1; ; attempt++ {
		c, err := s.planCompletion(bucket, key, id, req, check, want)
		if err != nil {
			return s.completedBefore(bucket, key, id, req, err)
		}
		err = s.assemble(ctx, bucket, key, id, c, check)
		if isCode(err, "NoSuchUpload") {
			// Completed (or aborted) meanwhile, by a retry of this request.
			return s.completedBefore(bucket, key, id, req, err)
		}
		if errors.Is(err, errUploadChanged) && attempt < completeAttempts {
			continue
		}
		if errors.Is(err, errUploadChanged) {
			return nil, newErr(http.StatusConflict, "OperationAborted",
				"A conflicting conditional operation is currently in progress against this resource. Please try again.")
		}
		if err != nil {
			return nil, err
		}
		return c.rec, nil
	}
}

// completedBefore answers a completion of an upload that no longer exists
// (err is NoSuchUpload) with the object that upload made, when it is still
// the object under key and was made of the same parts: S3 answers a
// repeated CompleteMultipartUpload as it answered the first, so that a
// client whose answer was lost can retry.
func (s *Service) completedBefore(bucket, key, id string, req []completedPart, err error) (*objectRecord, error) {
	if !isCode(err, "NoSuchUpload") || !validUploadID(id) {
		return nil, err
	}
	etag, ok := requestedETag(req)
	if !ok {
		return nil, err
	}
	var rec *objectRecord
	if verr := s.view(func(t tx) error {
		var err error
		rec, err = t.object(bucket, key)
		return err
	}); verr != nil {
		return nil, verr
	}
	if rec == nil || rec.UploadID != id || rec.ETag != etag {
		return nil, err
	}
	return rec, nil
}

// requestedETag is the ETag of an object made of the parts a completion
// names: the MD5 of their MD5s, then "-<count>".
func requestedETag(req []completedPart) (string, bool) {
	h := md5.New()
	for _, cp := range req {
		raw, err := hex.DecodeString(cp.etag)
		if err != nil || len(raw) != md5.Size {
			return "", false
		}
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(req)), true
}

// planCompletion checks the request against the stored upload and parts
// and works out the object's record.
func (s *Service) planCompletion(bucket, key, id string, req []completedPart,
	check func(*objectRecord) error, want completeExpect) (*completion, error) {
	c := &completion{numbers: make([]int, len(req)), parts: make([]*partRecord, len(req))}
	var up *uploadRecord
	err := s.view(func(t tx) error {
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		var err error
		if up, err = t.upload(bucket, key, id); err != nil {
			return err
		}
		for i, cp := range req {
			p, err := t.part(id, cp.number)
			if err != nil {
				return err
			}
			if p == nil || p.ETag != cp.etag {
				return errInvalidPart()
			}
			if err := checkPartChecksums(up, p, cp); err != nil {
				return err
			}
			if i < len(req)-1 && p.Size < minPartSize {
				return errEntityTooSmall()
			}
			c.numbers[i], c.parts[i] = cp.number, p
		}
		if check != nil {
			old, err := t.object(bucket, key)
			if err != nil {
				return err
			}
			return check(old)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rec := up.Object
	rec.UploadID = id
	c.rec = &rec
	// S3 dates a multipart object from the initiation of its upload.
	rec.Modified = up.Initiated
	rec.Parts = len(c.parts)
	etags := md5.New()
	for _, p := range c.parts {
		raw, err := hex.DecodeString(p.ETag)
		if err != nil {
			return nil, fmt.Errorf("decode part ETag: %w", err)
		}
		etags.Write(raw)
		rec.Size += p.Size
	}
	if rec.Size > maxMultipartSize {
		return nil, errEntityTooLarge()
	}
	rec.ETag = hex.EncodeToString(etags.Sum(nil)) + "-" + strconv.Itoa(len(c.parts))
	if err := objectChecksum(up, &rec, c.parts); err != nil {
		return nil, err
	}
	if err := checkExpected(&rec, want); err != nil {
		return nil, err
	}
	var err2 error
	if c.layout, err2 = encodeLayout(&rec, c.parts); err2 != nil {
		return nil, err2
	}
	return c, nil
}

// checkPartChecksums compares the checksums a completion gives for a part
// with the stored ones. An upload created with a COMPOSITE checksum needs
// every part's.
func checkPartChecksums(up *uploadRecord, p *partRecord, cp completedPart) error {
	if p.ChecksumAlg != "" {
		if v, ok := cp.checksums.get(p.ChecksumAlg); ok && v != p.Checksum {
			return errInvalidPart()
		}
	}
	if up.ChecksumType == typeComposite {
		if _, ok := cp.checksums.get(up.ChecksumAlg); !ok {
			return errInvalidRequest("The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.",
				strings.ToLower(up.ChecksumAlg), cp.number)
		}
	}
	return nil
}

// objectChecksum sets a multipart object's checksum from its parts': a
// checksum of the part checksums with "-<count>" (COMPOSITE), or the CRC of
// the whole object combined from the part CRCs (FULL_OBJECT, and S3's
// default CRC64NVME when the upload named no algorithm).
func objectChecksum(up *uploadRecord, rec *objectRecord, parts []*partRecord) error {
	alg, typ := up.ChecksumAlg, up.ChecksumType
	if alg == "" {
		alg, typ = algCRC64NVME, typeFullObject
	}
	rec.ChecksumAlg, rec.Checksum, rec.ChecksumType = "", "", ""
	switch typ {
	case typeComposite:
		h := newChecksumHash(alg)
		for _, p := range parts {
			raw, err := base64.StdEncoding.DecodeString(p.Checksum)
			if p.ChecksumAlg != alg || err != nil {
				return errors.New("part checksum does not match its upload's algorithm")
			}
			h.Write(raw)
		}
		rec.ChecksumAlg, rec.ChecksumType = alg, typeComposite
		rec.Checksum = base64Sum(h) + "-" + strconv.Itoa(len(parts))
	default:
		pieces := make([]crcPiece, len(parts))
		for i, p := range parts {
			sum := p.Checksum
			if up.ChecksumAlg == "" {
				sum = p.CRC64
			}
			pieces[i] = crcPiece{sum: sum, size: p.Size}
		}
		v, ok := combineCRCs(alg, pieces)
		if !ok {
			return errors.New("part checksum does not match its upload's algorithm")
		}
		rec.ChecksumAlg, rec.Checksum = alg, v
	}
	return nil
}

// checkExpected compares the object with what the request's headers said.
func checkExpected(rec *objectRecord, want completeExpect) error {
	if want.typ != "" && want.typ != rec.checksumType() {
		return errInvalidRequest("The upload was created using the %s checksum mode. The complete request specified the %s checksum mode.",
			rec.checksumType(), want.typ)
	}
	if want.alg != "" {
		if want.alg != rec.ChecksumAlg {
			return errInvalidRequest("The upload was created using a %s checksum. The complete request specified a %s checksum.",
				strings.ToLower(rec.ChecksumAlg), strings.ToLower(want.alg))
		}
		got := want.checksum
		if rec.ChecksumType == typeComposite && !strings.Contains(got, "-") {
			got += "-" + strconv.Itoa(rec.Parts)
		}
		if got != rec.Checksum {
			return errBadDigest("The " + strings.ToLower(want.alg) + " you specified for the object did not match the calculated checksum.")
		}
	}
	if want.size >= 0 && want.size != rec.Size {
		return errInvalidRequest("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", want.size, rec.Size)
	}
	return nil
}

// assemble concatenates the parts into a new blob file, makes it durable,
// then commits the object and drops the upload in one transaction. The
// copy is file to file, which the kernel does without passing the bytes
// through user space where it can (copy_file_range).
func (s *Service) assemble(ctx context.Context, bucket, key, id string, c *completion, check func(*objectRecord) error) error {
	blob, err := s.blobs.create()
	if err != nil {
		return err
	}
	for _, p := range c.parts {
		if err := ctx.Err(); err != nil {
			blob.discard()
			return err
		}
		if err := copyPart(blob, s.blobs, p); err != nil {
			blob.discard()
			if errors.Is(err, fs.ErrNotExist) {
				// Replaced or aborted meanwhile: plan again, which tells.
				return errUploadChanged
			}
			return err
		}
	}
	if err := blob.commit(); err != nil {
		blob.discard()
		return err
	}
	c.rec.Blob = blob.id
	var oldBlob string
	var partBlobs []string
	err = s.update(func(t tx) error {
		oldBlob, partBlobs = "", nil
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		if _, err := t.upload(bucket, key, id); err != nil {
			return err
		}
		for i, p := range c.parts {
			cur, err := t.part(id, c.numbers[i])
			if err != nil {
				return err
			}
			if cur == nil || cur.Blob != p.Blob {
				return errUploadChanged
			}
		}
		if check != nil {
			old, err := t.object(bucket, key)
			if err != nil {
				return err
			}
			if err := check(old); err != nil {
				return err
			}
		}
		var err error
		if oldBlob, err = t.putObject(bucket, key, c.rec, nil); err != nil {
			return err
		}
		if err := t.layouts().Put([]byte(blob.id), c.layout); err != nil {
			return fmt.Errorf("put part table: %w", err)
		}
		partBlobs, err = t.dropUpload(bucket, key, id)
		return err
	})
	if err != nil {
		blob.discard()
		return err
	}
	s.removeBlob(oldBlob)
	for _, b := range partBlobs {
		s.removeBlob(b)
	}
	return nil
}

// copyPart appends a part's blob file to dst.
func copyPart(dst *pendingBlob, blobs *blobStore, p *partRecord) error {
	f, err := blobs.open(p.Blob)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(dst.f, f)
	if err != nil {
		return fmt.Errorf("assemble part: %w", err)
	}
	if n != p.Size {
		return fmt.Errorf("assemble part: blob %s has %d bytes, its record %d", p.Blob, n, p.Size)
	}
	return nil
}
