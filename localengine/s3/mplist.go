package s3

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxListParts   = 1000
	maxListUploads = 1000
)

// parseMaxCount reads a max-parts / max-uploads parameter: S3 accepts any
// non-negative int32 and caps it.
func parseMaxCount(v, name string, limit int) (int, error) {
	if v == "" {
		return limit, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1<<31-1 {
		return 0, errInvalidArgument("Argument %s must be an integer between 0 and 2147483647", name)
	}
	return int(min(n, int64(limit))), nil
}

func (s *Service) listParts(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	id := q.Get("uploadId")
	maxParts, err := parseMaxCount(q.Get("max-parts"), "max-parts", maxListParts)
	if err != nil {
		return err
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<31-1 {
			return errInvalidArgument("Argument part-number-marker must be an integer between 0 and 2147483647")
		}
		marker = int(min(n, maxPartNumber))
	}
	out := listPartsXML{Xmlns: s3Namespace, Bucket: bucket, Key: key, UploadID: id, PartNumberMarker: marker,
		MaxParts: maxParts, Initiator: owner(), Owner: owner(), StorageClass: "STANDARD"}
	err = s.view(func(t tx) error {
		out.Parts, out.IsTruncated = nil, false
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		up, err := t.upload(bucket, key, id)
		if err != nil {
			return err
		}
		out.ChecksumAlgorithm, out.ChecksumType = up.ChecksumAlg, up.ChecksumType
		return t.eachPart(id, marker, func(n int, p *partRecord) (bool, error) {
			if len(out.Parts) == maxParts {
				out.IsTruncated = true
				return false, nil
			}
			out.Parts = append(out.Parts, partXML{PartNumber: n, LastModified: xmlTime(timeMillis(p.Modified)),
				ETag: `"` + p.ETag + `"`, Size: p.Size, checksumsXML: checksumsOf(p.ChecksumAlg, p.Checksum)})
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	if len(out.Parts) > 0 {
		out.NextPartNumberMarker = out.Parts[len(out.Parts)-1].PartNumber
	}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}

// uploadQuery is one page request over a bucket's uploads, ordered by key
// then initiation.
type uploadQuery struct {
	prefix, delimiter   string
	maxUploads          int
	keyMarker, idMarker string
}

type uploadEntry struct {
	key, id string
	rec     *uploadRecord
}

type uploadPage struct {
	uploads   []uploadEntry
	prefixes  []string
	truncated bool
}

// after reports whether an upload comes after the markers: S3 lists keys
// after key-marker, and with upload-id-marker also the later uploads of
// key-marker itself.
func (q uploadQuery) after(key, id string) bool {
	if key != q.keyMarker {
		return key > q.keyMarker
	}
	return q.idMarker != "" && id > q.idMarker
}

// listUploads reads one page; like list, it rolls keys that share a common
// prefix into it and skips them with one seek.
func (t tx) listUploads(bucket string, q uploadQuery) (uploadPage, error) {
	var page uploadPage
	ub := t.uploads(bucket)
	if ub == nil || q.maxUploads == 0 {
		return page, nil
	}
	seek := q.prefix
	if q.keyMarker > seek {
		seek = q.keyMarker
	}
	count := 0
	c := ub.Cursor()
	for k, v := c.Seek([]byte(seek)); k != nil; {
		if !bytes.HasPrefix(k, []byte(q.prefix)) {
			break
		}
		key, id, ok := splitUploadIndexKey(k)
		if !ok || !strings.HasPrefix(key, q.prefix) {
			k, v = c.Next()
			continue
		}
		if q.delimiter != "" {
			if i := strings.Index(key[len(q.prefix):], q.delimiter); i >= 0 {
				cp := key[:len(q.prefix)+i+len(q.delimiter)]
				if cp > q.keyMarker {
					if count == q.maxUploads {
						page.truncated = true
						break
					}
					page.prefixes = append(page.prefixes, cp)
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
		if !q.after(key, id) {
			k, v = c.Next()
			continue
		}
		if count == q.maxUploads {
			page.truncated = true
			break
		}
		rec, err := decodeUpload(v)
		if err != nil {
			return page, err
		}
		page.uploads = append(page.uploads, uploadEntry{key: key, id: id, rec: rec})
		count++
		k, v = c.Next()
	}
	return page, nil
}

func (s *Service) listMultipartUploads(w http.ResponseWriter, r *http.Request, bucket string) error {
	qs := r.URL.Query()
	maxUploads, err := parseMaxCount(qs.Get("max-uploads"), "max-uploads", maxListUploads)
	if err != nil {
		return err
	}
	encodeURL, err := parseEncodingType(qs.Get("encoding-type"))
	if err != nil {
		return err
	}
	q := uploadQuery{prefix: qs.Get("prefix"), delimiter: qs.Get("delimiter"), maxUploads: maxUploads,
		keyMarker: qs.Get("key-marker"), idMarker: qs.Get("upload-id-marker")}
	if q.keyMarker == "" {
		// Without a key marker S3 ignores the upload id marker.
		q.idMarker = ""
	}
	var page uploadPage
	err = s.view(func(t tx) error {
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		var err error
		page, err = t.listUploads(bucket, q)
		return err
	})
	if err != nil {
		return err
	}
	enc := xmlRefEscape
	out := listUploadsXML{Xmlns: s3Namespace, Bucket: bucket, UploadIDMarker: q.idMarker, MaxUploads: maxUploads,
		IsTruncated: page.truncated}
	if encodeURL {
		enc, out.EncodingType = urlEncode, "url"
	}
	out.KeyMarker, out.Prefix, out.Delimiter = enc(q.keyMarker), enc(q.prefix), enc(q.delimiter)
	for _, u := range page.uploads {
		out.Uploads = append(out.Uploads, uploadXML{Key: enc(u.key), UploadID: u.id, Initiator: owner(), Owner: owner(),
			StorageClass: "STANDARD", Initiated: xmlTime(u.rec.initiated()),
			ChecksumAlgorithm: u.rec.ChecksumAlg, ChecksumType: u.rec.ChecksumType})
	}
	for _, p := range page.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, prefixXML{Prefix: enc(p)})
	}
	if page.truncated {
		// The page ends with whichever of its last upload and last common
		// prefix sorts later.
		lastKey, lastID := "", ""
		if n := len(page.uploads); n > 0 {
			lastKey, lastID = page.uploads[n-1].key, page.uploads[n-1].id
		}
		if n := len(page.prefixes); n > 0 && page.prefixes[n-1] > lastKey {
			lastKey, lastID = page.prefixes[n-1], ""
		}
		out.NextKeyMarker, out.NextUploadIDMarker = enc(lastKey), lastID
	}
	writeListXML(w, out)
	return nil
}
