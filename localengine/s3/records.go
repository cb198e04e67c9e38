package s3

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt layout, all under the top-level bucket "s3":
//
//	buckets/<name>            -> bucketRecord (JSON)
//	objects/<name>/<key>      -> objectRecord (JSON), one nested bucket per S3 bucket
//	bodies/<name>/<key>       -> inline body bytes, kept apart from the
//	                             records so that listings never page bodies in
//	blobs/<id>                -> "<bucket>/<key>" (or "upload:<id>" for a
//	                             part): the blob files that are referenced,
//	                             so that orphans can be told apart
//
// and the multipart upload buckets described in uploads.go.
var (
	topBucket     = []byte("s3")
	bucketsBucket = []byte("buckets")
	objectsBucket = []byte("objects")
	bodiesBucket  = []byte("bodies")
	blobsBucket   = []byte("blobs")
)

type bucketRecord struct {
	Region  string `json:"r"`
	Created int64  `json:"c"` // unix milliseconds
}

// tag is one object tag; order is kept as the client gave it.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type objectRecord struct {
	Size               int64             `json:"s"`
	ETag               string            `json:"e"` // hex MD5, unquoted
	Modified           int64             `json:"m"` // unix milliseconds
	ContentType        string            `json:"ct,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	Expires            string            `json:"ex,omitempty"`
	Meta               map[string]string `json:"um,omitempty"`
	Tags               []tag             `json:"t,omitempty"`
	ChecksumAlg        string            `json:"ca,omitempty"`
	Checksum           string            `json:"cv,omitempty"` // base64, "-<parts>" after a composite one
	// ChecksumType is COMPOSITE for a checksum of part checksums; empty
	// means FULL_OBJECT.
	ChecksumType string `json:"cty,omitempty"`
	// Parts is the part count of an object made by CompleteMultipartUpload
	// (0 otherwise); its part table is in layouts/<Blob>.
	Parts int `json:"np,omitempty"`
	// Blob names the file holding the body; empty means the body is inline.
	Blob string `json:"b,omitempty"`
	// UploadID is the multipart upload this object was completed from, so
	// that a repeated CompleteMultipartUpload (a retry after a lost answer)
	// gets the same answer for as long as the object stays.
	UploadID string `json:"u,omitempty"`
}

func (o *objectRecord) modTime() time.Time { return time.UnixMilli(o.Modified).UTC() }

func (o *objectRecord) quotedETag() string { return `"` + o.ETag + `"` }

func (o *objectRecord) checksumType() string {
	if o.ChecksumType != "" {
		return o.ChecksumType
	}
	return typeFullObject
}

type tx struct{ *bolt.Tx }

func (t tx) top() *bolt.Bucket { return t.Bucket(topBucket) }

func (t tx) bucketRec(name string) (*bucketRecord, error) {
	v := t.top().Bucket(bucketsBucket).Get([]byte(name))
	if v == nil {
		return nil, nil
	}
	var b bucketRecord
	if err := json.Unmarshal(v, &b); err != nil {
		return nil, fmt.Errorf("decode bucket %s: %w", name, err)
	}
	return &b, nil
}

// mustBucket returns the bucket's record or NoSuchBucket.
func (t tx) mustBucket(name string) (*bucketRecord, error) {
	b, err := t.bucketRec(name)
	if err == nil && b == nil {
		err = errNoSuchBucket()
	}
	return b, err
}

func (t tx) objects(name string) *bolt.Bucket {
	return t.top().Bucket(objectsBucket).Bucket([]byte(name))
}

func (t tx) bodies(name string) *bolt.Bucket {
	return t.top().Bucket(bodiesBucket).Bucket([]byte(name))
}

func (t tx) blobs() *bolt.Bucket { return t.top().Bucket(blobsBucket) }

func (t tx) object(bucket, key string) (*objectRecord, error) {
	ob := t.objects(bucket)
	if ob == nil {
		return nil, nil
	}
	v := ob.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	return decodeObject(v)
}

func decodeObject(v []byte) (*objectRecord, error) {
	var o objectRecord
	if err := json.Unmarshal(v, &o); err != nil {
		return nil, fmt.Errorf("decode object record: %w", err)
	}
	return &o, nil
}

// inlineBody returns a copy of an inline body (bbolt's slices die with the
// transaction).
func (t tx) inlineBody(bucket, key string) []byte {
	bb := t.bodies(bucket)
	if bb == nil {
		return nil
	}
	return append([]byte(nil), bb.Get([]byte(key))...)
}

// putObject stores rec (and its inline body) under key and returns the blob
// the key referenced before, which the caller removes after the commit.
func (t tx) putObject(bucket, key string, rec *objectRecord, body []byte) (oldBlob string, err error) {
	old, err := t.object(bucket, key)
	if err != nil {
		return "", err
	}
	if old != nil && old.Blob != "" && old.Blob != rec.Blob {
		oldBlob = old.Blob
		if err := t.dropBlobRef(old.Blob); err != nil {
			return "", err
		}
	}
	enc, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("encode object record: %w", err)
	}
	if err := t.objects(bucket).Put([]byte(key), enc); err != nil {
		return "", fmt.Errorf("put object record: %w", err)
	}
	bb := t.bodies(bucket)
	if rec.Blob == "" {
		if body == nil {
			body = []byte{}
		}
		if err := bb.Put([]byte(key), body); err != nil {
			return "", fmt.Errorf("put inline body: %w", err)
		}
	} else {
		if err := bb.Delete([]byte(key)); err != nil {
			return "", err
		}
		if err := t.blobs().Put([]byte(rec.Blob), []byte(bucket+"/"+key)); err != nil {
			return "", fmt.Errorf("record blob: %w", err)
		}
	}
	return oldBlob, nil
}

// updateRecord rewrites an existing object's record without touching its
// body (tagging).
func (t tx) updateRecord(bucket, key string, rec *objectRecord) error {
	enc, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode object record: %w", err)
	}
	return t.objects(bucket).Put([]byte(key), enc)
}

// deleteObject removes key and returns its blob, if any.
func (t tx) deleteObject(bucket, key string) (blob string, existed bool, err error) {
	old, err := t.object(bucket, key)
	if err != nil || old == nil {
		return "", false, err
	}
	if err := t.objects(bucket).Delete([]byte(key)); err != nil {
		return "", false, err
	}
	if err := t.bodies(bucket).Delete([]byte(key)); err != nil {
		return "", false, err
	}
	if old.Blob != "" {
		if err := t.dropBlobRef(old.Blob); err != nil {
			return "", false, err
		}
	}
	return old.Blob, true, nil
}

func timeMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
