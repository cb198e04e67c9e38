package s3

import (
	"net/http"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxDeleteObjects = 1000
	// maxDeleteBody fits 1,000 keys of 1,024 bytes even when every byte is
	// sent as an XML character reference.
	maxDeleteBody = 8 << 20
)

// deleteRequest is a parsed DeleteObjects body.
type deleteRequest struct {
	quiet bool
	keys  []deleteKey
}

type deleteKey struct {
	key string
	err *awserr.Error // the key's own error, reported in its Error entry
}

func parseDeleteXML(body []byte) (deleteRequest, error) {
	var doc deleteRequestXML
	if err := decodeXML(body, &doc); err != nil {
		return deleteRequest{}, err
	}
	if doc.XMLName.Local != "Delete" || len(doc.Objects) == 0 || len(doc.Objects) > maxDeleteObjects {
		return deleteRequest{}, errMalformedXML()
	}
	req := deleteRequest{quiet: strings.EqualFold(strings.TrimSpace(doc.Quiet), "true")}
	for _, o := range doc.Objects {
		if o.Key == nil {
			return deleteRequest{}, errMalformedXML()
		}
		dk := deleteKey{key: *o.Key}
		if err := checkKey(dk.key); err != nil {
			dk.err = awserr.From(err)
		} else if o.VersionID != "" && o.VersionID != "null" {
			dk.err = newErr(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.")
		}
		req.keys = append(req.keys, dk)
	}
	return req, nil
}

func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string) error {
	body, spec, err := readSmallBody(r, maxDeleteBody)
	if err != nil {
		return err
	}
	if err := requireIntegrity(spec); err != nil {
		return err
	}
	req, err := parseDeleteXML(body)
	if err != nil {
		return err
	}
	var blobs []string
	err = s.update(func(t tx) error {
		blobs = blobs[:0]
		if _, err := t.mustBucket(bucket); err != nil {
			return err
		}
		for _, dk := range req.keys {
			if dk.err != nil {
				continue
			}
			blob, _, err := t.deleteObject(bucket, dk.key)
			if err != nil {
				return err
			}
			if blob != "" {
				blobs = append(blobs, blob)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range blobs {
		s.removeBlob(b)
	}
	out := deleteResultXML{Xmlns: s3Namespace}
	for _, dk := range req.keys {
		switch {
		case dk.err != nil:
			out.Errors = append(out.Errors, deleteErrorXML{Key: dk.key, Code: dk.err.Code, Message: dk.err.Message})
		case !req.quiet:
			out.Deleted = append(out.Deleted, deletedXML{Key: dk.key})
		}
	}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}
