package s3

import (
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// uploadChecksum reads CreateMultipartUpload's x-amz-checksum-algorithm and
// x-amz-checksum-type: the type defaults to COMPOSITE, except for CRC64NVME
// which only exists as FULL_OBJECT; SHA checksums cannot be FULL_OBJECT.
func uploadChecksum(h http.Header) (alg, typ string, err error) {
	if v := h.Get("X-Amz-Checksum-Algorithm"); v != "" {
		a, known := algorithmOf("x-amz-checksum-" + v)
		if !known {
			return "", "", errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		alg = a
	}
	typ = strings.ToUpper(strings.TrimSpace(h.Get("X-Amz-Checksum-Type")))
	switch typ {
	case "":
		if alg == algCRC64NVME {
			typ = typeFullObject
		} else if alg != "" {
			typ = typeComposite
		}
		return alg, typ, nil
	case typeComposite, typeFullObject:
	default:
		return "", "", errInvalidRequest("Value for x-amz-checksum-type header is invalid.")
	}
	if alg == "" {
		return "", "", errInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	if typ == typeFullObject && !combinable(alg) {
		return "", "", errInvalidRequest("The FULL_OBJECT checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(alg))
	}
	if typ == typeComposite && alg == algCRC64NVME {
		return "", "", errInvalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	}
	return alg, typ, nil
}

func (s *Service) createMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	up := &uploadRecord{}
	if err := objectHeaders(r.Header, &up.Object, true); err != nil {
		return err
	}
	var err error
	if up.ChecksumAlg, up.ChecksumType, err = uploadChecksum(r.Header); err != nil {
		return err
	}
	now := s.now()
	up.Initiated = now.UnixMilli()
	id := newUploadID(now)
	err = s.update(func(t tx) error {
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		return t.putUpload(bucket, key, id, up)
	})
	if err != nil {
		return err
	}
	if up.ChecksumAlg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", up.ChecksumAlg)
		w.Header().Set("X-Amz-Checksum-Type", up.ChecksumType)
	}
	wire.WriteXML(w, http.StatusOK, initiateResultXML{Xmlns: s3Namespace, Bucket: bucket, Key: key, UploadID: id})
	return nil
}

// parsePartNumber reads UploadPart's partNumber.
func parsePartNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, errInvalidPartNumber()
	}
	return n, nil
}

func (s *Service) lookupUpload(bucket, key, id string) (*uploadRecord, error) {
	var up *uploadRecord
	err := s.view(func(t tx) error {
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		var err error
		up, err = t.upload(bucket, key, id)
		return err
	})
	return up, err
}

func (s *Service) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	n, err := parsePartNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	id := q.Get("uploadId")
	up, err := s.lookupUpload(bucket, key, id)
	if err != nil {
		return err
	}
	spec, err := parseBodySpec(r, maxPartSize)
	if err != nil {
		return err
	}
	if !spec.chunked && r.ContentLength < 0 {
		return errMissingContentLength()
	}
	if up.ChecksumAlg != "" && spec.checksum.alg != "" && spec.checksum.alg != up.ChecksumAlg {
		return errInvalidRequest("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(up.ChecksumAlg), strings.ToLower(spec.checksum.alg))
	}
	part, err := s.storePart(bucket, key, id, n, up, func(defaultAlg string) *payload {
		return newPayload(r, spec, maxPartSize, defaultAlg)
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", `"`+part.ETag+`"`)
	if part.ChecksumAlg != "" {
		h.Set(checksumHeader(part.ChecksumAlg), part.Checksum)
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

// storePart receives a part through the payload newPayload makes (given
// the checksum algorithm to compute when the client sends none), writes it
// durably to a blob file and commits it to the upload.
func (s *Service) storePart(bucket, key, id string, n int, up *uploadRecord, newPayload func(defaultAlg string) *payload) (*partRecord, error) {
	p := newPayload(up.ChecksumAlg)
	var crc hash.Hash
	if up.ChecksumAlg == "" {
		crc = newChecksumHash(algCRC64NVME)
	}
	blob, d, err := s.receiveBlob(p, crc)
	if err != nil {
		return nil, err
	}
	part := &partRecord{Size: d.size, ETag: d.etag, Modified: s.now().UnixMilli(),
		ChecksumAlg: d.alg, Checksum: d.checksum, Blob: blob.id}
	if crc != nil {
		part.CRC64 = base64Sum(crc)
	}
	if err := blob.commit(); err != nil {
		blob.discard()
		return nil, err
	}
	var oldBlob string
	err = s.update(func(t tx) error {
		oldBlob = ""
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		if _, err := t.upload(bucket, key, id); err != nil {
			return err
		}
		var err error
		oldBlob, err = t.putPart(id, n, part)
		return err
	})
	if err != nil {
		blob.discard()
		return nil, err
	}
	s.removeBlob(oldBlob)
	return part, nil
}

// receiveBlob streams a body into a new blob file, whatever its size, and
// verifies it; extra, when set, also hashes the bytes.
func (s *Service) receiveBlob(p *payload, extra hash.Hash) (*pendingBlob, digest, error) {
	if err := s.store.WriteRefusal(); err != nil {
		return nil, digest{}, err
	}
	blob, err := s.blobs.create()
	if err != nil {
		return nil, digest{}, err
	}
	var dst io.Writer = blob
	if extra != nil {
		dst = io.MultiWriter(blob, extra)
	}
	if _, err := io.CopyBuffer(struct{ io.Writer }{dst}, p, make([]byte, copyBufSize)); err != nil {
		blob.discard()
		return nil, digest{}, err
	}
	d, err := p.finish()
	if err != nil {
		blob.discard()
		return nil, digest{}, err
	}
	return blob, d, nil
}

// parseCopyRange reads x-amz-copy-source-range: "bytes=first-last", both
// given, within an object of size bytes.
func parseCopyRange(v string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	first, last, found := strings.Cut(spec, "-")
	a, okA := parseDigits(first)
	b, okB := parseDigits(last)
	if !ok || !found || !okA || !okB || b < a {
		return byteRange{}, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	}
	if b >= size {
		return byteRange{}, errInvalidArgument("Range specified is not valid for source object of size: %d", size)
	}
	return byteRange{start: a, end: b}, nil
}

func (s *Service) uploadPartCopy(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	n, err := parsePartNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	srcBucket, srcKey, err := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	id := q.Get("uploadId")
	up, err := s.lookupUpload(bucket, key, id)
	if err != nil {
		return err
	}
	src, err := s.openObject(srcBucket, srcKey, true)
	if err != nil {
		return err
	}
	defer src.close()
	if evalConditions(r.Header, copyConditions, src.rec.ETag, src.rec.modTime()) != condPass {
		return errPreconditionFailed()
	}
	rng := byteRange{start: 0, end: src.rec.Size - 1}
	if v := r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		if rng, err = parseCopyRange(v, src.rec.Size); err != nil {
			return err
		}
	}
	if rng.length() > maxPartSize {
		return errEntityTooLarge()
	}
	part, err := s.storePart(bucket, key, id, n, up, func(defaultAlg string) *payload {
		return newPayloadFrom(src.section(rng.start, rng.length()), bodySpec{declared: rng.length()}, maxPartSize, defaultAlg)
	})
	if err != nil {
		return err
	}
	out := copyPartResultXML{Xmlns: s3Namespace, ETag: `"` + part.ETag + `"`,
		LastModified: xmlTime(timeMillis(part.Modified)), checksumsXML: checksumsOf(part.ChecksumAlg, part.Checksum)}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}

func (s *Service) abortMultipartUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	id := r.URL.Query().Get("uploadId")
	var ifInitiated *int64
	if v := r.Header.Get("X-Amz-If-Match-Initiated-Time"); v != "" {
		t, ok := parseHTTPDate(v)
		if !ok {
			return errInvalidArgument("Invalid x-amz-if-match-initiated-time header")
		}
		sec := t.Unix()
		ifInitiated = &sec
	}
	var blobs []string
	err := s.update(func(t tx) error {
		blobs = nil
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		up, err := t.upload(bucket, key, id)
		if err != nil {
			return err
		}
		if ifInitiated != nil && up.initiated().Unix() != *ifInitiated {
			return errPreconditionFailed()
		}
		blobs, err = t.dropUpload(bucket, key, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, b := range blobs {
		s.removeBlob(b)
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}
