package s3

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxCreateBucketBody = 64 << 10
	maxListBuckets      = 10000
)

func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, name string) error {
	if !validBucketName(name) {
		return errInvalidBucketName()
	}
	region := wire.Region(r.Context())
	if r.ContentLength != 0 {
		body, _, err := readSmallBody(r, maxCreateBucketBody)
		if err != nil {
			return err
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			var cfg createBucketConfigXML
			if err := decodeXML(body, &cfg); err != nil {
				return err
			}
			if lc := strings.TrimSpace(cfg.LocationConstraint); lc != "" {
				if !validRegion(lc) {
					return newErr(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
				}
				region = lc
				if lc == "EU" {
					region = "eu-west-1"
				}
			}
		}
	}
	rec := bucketRecord{Region: region, Created: s.now().UnixMilli()}
	enc, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode bucket: %w", err)
	}
	err = s.update(func(t tx) error {
		if b, err := t.bucketRec(name); err != nil || b != nil {
			if err != nil {
				return err
			}
			// S3's legacy behaviour in us-east-1: re-creating a bucket you
			// own there succeeds. Every other region refuses.
			if b.Region == "us-east-1" && region == "us-east-1" {
				return nil
			}
			return errBucketOwned()
		}
		top := t.top()
		if err := top.Bucket(bucketsBucket).Put([]byte(name), enc); err != nil {
			return err
		}
		if _, err := top.Bucket(objectsBucket).CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
		_, err := top.Bucket(bodiesBucket).CreateBucketIfNotExists([]byte(name))
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/"+name)
	writeEmpty(w, http.StatusOK)
	return nil
}

func (s *Service) deleteBucket(w http.ResponseWriter, r *http.Request, name string) error {
	// Uploads in progress do not keep a bucket alive: they go with it.
	var partBlobs []string
	err := s.update(func(t tx) error {
		partBlobs = nil
		if _, err := t.mustBucket(name); err != nil {
			return err
		}
		if ob := t.objects(name); ob != nil {
			if k, _ := ob.Cursor().First(); k != nil {
				return errBucketNotEmpty()
			}
		}
		var err error
		if partBlobs, err = t.dropUploads(name); err != nil {
			return err
		}
		top := t.top()
		for _, nb := range [][]byte{objectsBucket, bodiesBucket} {
			if top.Bucket(nb).Bucket([]byte(name)) != nil {
				if err := top.Bucket(nb).DeleteBucket([]byte(name)); err != nil {
					return err
				}
			}
		}
		return top.Bucket(bucketsBucket).Delete([]byte(name))
	})
	if err != nil {
		return err
	}
	for _, b := range partBlobs {
		s.removeBlob(b)
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

func (s *Service) bucketInfo(name string) (*bucketRecord, error) {
	var rec *bucketRecord
	err := s.view(func(t tx) error {
		var err error
		rec, err = t.mustBucket(name)
		return err
	})
	return rec, err
}

func (s *Service) headBucket(w http.ResponseWriter, r *http.Request, name string) error {
	rec, err := s.bucketInfo(name)
	if err != nil {
		return err
	}
	w.Header().Set("X-Amz-Bucket-Region", rec.Region)
	writeEmpty(w, http.StatusOK)
	return nil
}

func (s *Service) getBucketLocation(w http.ResponseWriter, r *http.Request, name string) error {
	rec, err := s.bucketInfo(name)
	if err != nil {
		return err
	}
	loc := rec.Region
	if loc == "us-east-1" {
		loc = "" // S3 reports us-east-1 as an empty constraint
	}
	wire.WriteXML(w, http.StatusOK, locationXML{Xmlns: s3Namespace, Region: loc})
	return nil
}

// getBucketVersioning answers for buckets that never had versioning, which
// is every bucket here.
func (s *Service) getBucketVersioning(w http.ResponseWriter, r *http.Request, name string) error {
	if _, err := s.bucketInfo(name); err != nil {
		return err
	}
	wire.WriteXML(w, http.StatusOK, versioningXML{Xmlns: s3Namespace})
	return nil
}

func (s *Service) listBuckets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := maxListBuckets
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListBuckets {
			return errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000.")
		}
		limit = n
	}
	prefix, region := q.Get("prefix"), q.Get("bucket-region")
	after := ""
	if tok := q.Get("continuation-token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) == 0 {
			return errInvalidArgument("The continuation token provided is incorrect")
		}
		after = string(b)
	}
	out := listBucketsXML{Xmlns: s3Namespace, Owner: owner(), Prefix: prefix}
	err := s.view(func(t tx) error {
		c := t.top().Bucket(bucketsBucket).Cursor()
		start := prefix
		if after > start {
			start = after
		}
		k, v := c.Seek([]byte(start))
		if k != nil && after != "" && string(k) == after {
			k, v = c.Next()
		}
		for ; k != nil; k, v = c.Next() {
			name := string(k)
			if !strings.HasPrefix(name, prefix) {
				break
			}
			var rec bucketRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode bucket %s: %w", name, err)
			}
			if region != "" && rec.Region != region {
				continue
			}
			if len(out.Buckets) == limit {
				out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.Buckets[limit-1].Name))
				break
			}
			out.Buckets = append(out.Buckets, bucketItemXML{
				Name:         name,
				CreationDate: xmlTime(timeMillis(rec.Created)),
				BucketRegion: rec.Region,
				BucketArn:    "arn:aws:s3:::" + name,
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	wire.WriteXML(w, http.StatusOK, out)
	return nil
}

func writeEmpty(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}
