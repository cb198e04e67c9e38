package s3

import (
	"net/http"

	"github.com/sluicehq/sluice/localengine/wire"
)

// requireIntegrity enforces S3's rule that some request bodies (object
// tagging, multi-object delete) carry Content-MD5 or a checksum.
func requireIntegrity(spec bodySpec) error {
	if spec.md5 == nil && spec.checksum.alg == "" {
		return errInvalidRequest("Missing required header for this request: Content-MD5")
	}
	return nil
}

func (s *Service) getObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := checkVersionID(r.URL.Query()); err != nil {
		return err
	}
	b, err := s.openObject(bucket, key, false)
	if err != nil {
		return err
	}
	wire.WriteXML(w, http.StatusOK, taggingDoc(b.rec.Tags))
	return nil
}

func (s *Service) putObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := checkVersionID(r.URL.Query()); err != nil {
		return err
	}
	body, spec, err := readSmallBody(r, maxTaggingBody)
	if err != nil {
		return err
	}
	if err := requireIntegrity(spec); err != nil {
		return err
	}
	tags, err := parseTaggingXML(body)
	if err != nil {
		return err
	}
	if err := s.retag(bucket, key, tags); err != nil {
		return err
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

func (s *Service) deleteObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := checkVersionID(r.URL.Query()); err != nil {
		return err
	}
	if err := s.retag(bucket, key, nil); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

// retag replaces an object's tags, leaving its body and other metadata.
func (s *Service) retag(bucket, key string, tags []tag) error {
	return s.update(func(t tx) error {
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
		rec.Tags = tags
		return t.updateRecord(bucket, key, rec)
	})
}
