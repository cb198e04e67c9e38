package s3

import (
	"net/http"
	"net/url"
)

// subresources are the query parameters that select an S3 API other than
// the plain bucket or object one. Those not handled here are NotImplemented.
var subresources = []string{
	"abac", "accelerate", "acl", "analytics", "annotation", "attributes", "cors", "delete",
	"encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location",
	"logging", "metadataConfiguration", "metadataTable", "metrics", "notification",
	"object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
	"renameObject", "replication", "requestPayment", "restore", "retention", "select",
	"session", "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
}

// subresource returns the subresource a query names, "" for none.
func subresource(q url.Values) string {
	for _, name := range subresources {
		if q.Has(name) {
			return name
		}
	}
	return ""
}

func (s *Service) route(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	sub := subresource(q)
	if bucket == "" {
		if r.Method != http.MethodGet {
			return errMethodNotAllowed()
		}
		if sub != "" {
			return errNotImplemented()
		}
		return s.listBuckets(w, r)
	}
	if key == "" {
		return s.routeBucket(w, r, bucket, sub)
	}
	if err := checkKey(key); err != nil {
		return err
	}
	return s.routeObject(w, r, bucket, key, sub)
}

func (s *Service) routeBucket(w http.ResponseWriter, r *http.Request, bucket, sub string) error {
	switch r.Method {
	case http.MethodPut:
		if sub == "" {
			return s.createBucket(w, r, bucket)
		}
	case http.MethodDelete:
		if sub == "" {
			return s.deleteBucket(w, r, bucket)
		}
	case http.MethodHead:
		if sub == "" {
			return s.headBucket(w, r, bucket)
		}
	case http.MethodGet:
		switch sub {
		case "":
			if r.URL.Query().Get("list-type") == "2" {
				return s.listObjectsV2(w, r, bucket)
			}
			return s.listObjectsV1(w, r, bucket)
		case "location":
			return s.getBucketLocation(w, r, bucket)
		case "versioning":
			return s.getBucketVersioning(w, r, bucket)
		case "uploads":
			return s.listMultipartUploads(w, r, bucket)
		}
	case http.MethodPost:
		if sub == "delete" {
			return s.deleteObjects(w, r, bucket)
		}
		if sub == "" {
			return errMethodNotAllowed()
		}
	default:
		return errMethodNotAllowed()
	}
	return errNotImplemented()
}

func (s *Service) routeObject(w http.ResponseWriter, r *http.Request, bucket, key, sub string) error {
	switch r.Method {
	case http.MethodPut:
		switch sub {
		case "":
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return s.copyObject(w, r, bucket, key)
			}
			return s.putObject(w, r, bucket, key)
		case "tagging":
			return s.putObjectTagging(w, r, bucket, key)
		case "uploadId":
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return s.uploadPartCopy(w, r, bucket, key)
			}
			return s.uploadPart(w, r, bucket, key)
		}
	case http.MethodGet:
		switch sub {
		case "":
			return s.getObject(w, r, bucket, key, false)
		case "tagging":
			return s.getObjectTagging(w, r, bucket, key)
		case "uploadId":
			return s.listParts(w, r, bucket, key)
		}
	case http.MethodHead:
		if sub == "" {
			return s.getObject(w, r, bucket, key, true)
		}
	case http.MethodDelete:
		switch sub {
		case "":
			return s.deleteObject(w, r, bucket, key)
		case "tagging":
			return s.deleteObjectTagging(w, r, bucket, key)
		case "uploadId":
			return s.abortMultipartUpload(w, r, bucket, key)
		}
	case http.MethodPost:
		switch sub {
		case "":
			return errMethodNotAllowed()
		case "uploads":
			return s.createMultipartUpload(w, r, bucket, key)
		case "uploadId":
			return s.completeMultipartUpload(w, r, bucket, key)
		}
	default:
		return errMethodNotAllowed()
	}
	return errNotImplemented()
}
