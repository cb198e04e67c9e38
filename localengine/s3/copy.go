package s3

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// parseCopySource reads x-amz-copy-source: "[/]<bucket>/<key>[?versionId=<id>]"
// with bucket and key URL-encoded.
func parseCopySource(v string) (bucket, key string, err error) {
	bad := errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		vals, perr := url.ParseQuery(query)
		if perr != nil || len(vals) != 1 || !vals.Has("versionId") {
			return "", "", bad
		}
		if vals.Get("versionId") != "null" {
			return "", "", errInvalidArgument("Invalid version id specified")
		}
	}
	path, perr := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if perr != nil {
		return "", "", bad
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	if err := checkKey(key); err != nil {
		return "", "", err
	}
	return bucket, key, nil
}

func directive(h http.Header, name, what string) (string, error) {
	switch v := h.Get(name); v {
	case "", "COPY":
		return "COPY", nil
	case "REPLACE":
		return "REPLACE", nil
	default:
		return "", errInvalidArgument("Unknown %s directive.", what)
	}
}

func (s *Service) copyObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	srcBucket, srcKey, err := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	metaDirective, err := directive(r.Header, "X-Amz-Metadata-Directive", "metadata")
	if err != nil {
		return err
	}
	tagDirective, err := directive(r.Header, "X-Amz-Tagging-Directive", "tagging")
	if err != nil {
		return err
	}
	alg := ""
	if v := r.Header.Get("X-Amz-Checksum-Algorithm"); v != "" {
		a, known := algorithmOf("x-amz-checksum-" + v)
		if !known {
			return errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		alg = a
	}
	check, err := writeConditions(r.Header)
	if err != nil {
		return err
	}
	if _, err := s.bucketInfo(bucket); err != nil {
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
	if srcBucket == bucket && srcKey == key && metaDirective == "COPY" && (alg == "" || alg == src.rec.ChecksumAlg) {
		return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	rec := &objectRecord{}
	if metaDirective == "REPLACE" {
		if err := objectHeaders(r.Header, rec, false); err != nil {
			return err
		}
	} else {
		*rec = *src.rec
		rec.Blob, rec.Tags, rec.UploadID = "", nil, ""
		// The copy is one part, with a checksum of its own bytes.
		rec.Parts, rec.ChecksumType = 0, ""
	}
	if tagDirective == "REPLACE" {
		if rec.Tags, err = parseTaggingHeader(r.Header.Get("X-Amz-Tagging")); err != nil {
			return err
		}
	} else {
		rec.Tags = src.rec.Tags
	}
	if alg == "" {
		alg = src.rec.ChecksumAlg
	}
	if alg == "" {
		alg = algCRC64NVME
	}
	// The body is read again rather than shared, so every stored object owns
	// its blob and the checksum is computed for the algorithm asked for.
	spec := bodySpec{declared: src.rec.Size}
	p := newPayloadFrom(src.section(0, src.rec.Size), spec, maxObjectSize, alg)
	rc, err := s.receive(p, src.rec.Size)
	if err != nil {
		return err
	}
	// A multipart source's ETag is not an MD5 of its bytes; its size is
	// checked instead.
	if src.rec.Parts == 0 && rc.digest.etag != src.rec.ETag || rc.digest.size != src.rec.Size {
		rc.discard()
		return errInternal("copy source changed while it was read")
	}
	rec.Size, rec.ETag = rc.digest.size, rc.digest.etag
	rec.ChecksumAlg, rec.Checksum = rc.digest.alg, rc.digest.checksum
	rec.Modified = s.now().UnixMilli()
	if err := s.commitObject(bucket, key, rec, rc, check); err != nil {
		return err
	}
	out := copyResultXML{Xmlns: s3Namespace, ETag: rec.quotedETag(), LastModified: xmlTime(rec.modTime()), ChecksumType: "FULL_OBJECT"}
	switch rec.ChecksumAlg {
	case algCRC32:
		out.ChecksumCRC32 = rec.Checksum
	case algCRC32C:
		out.ChecksumCRC32C = rec.Checksum
	case algCRC64NVME:
		out.ChecksumCRC64 = rec.Checksum
	case algSHA1:
		out.ChecksumSHA1 = rec.Checksum
	case algSHA256:
		out.ChecksumSHA256 = rec.Checksum
	}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}
