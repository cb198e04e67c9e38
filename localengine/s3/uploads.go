package s3

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Multipart uploads in bbolt, next to the object layout of records.go:
//
//	uploads/<name>/<key>\x00<upload id> -> uploadRecord (JSON), one nested
//	                                      bucket per S3 bucket, in the order
//	                                      ListMultipartUploads lists them
//	parts/<upload id><part number>      -> partRecord (JSON); the number is
//	                                      4 bytes big-endian, so a cursor
//	                                      walks an upload's parts in order
//	layouts/<blob id>                   -> part table of an object made by
//	                                      CompleteMultipartUpload
//
// Part bodies are always blob files, registered in blobs/ like object
// bodies ("upload:<id>"), so that orphan cleanup treats both alike and a
// completion only concatenates files.
var (
	uploadsBucket = []byte("uploads")
	partsBucket   = []byte("parts")
	layoutsBucket = []byte("layouts")
)

const (
	uploadIDLen = 32
	// minPartSize is S3's lower bound for every part but the last.
	minPartSize = 5 << 20
	// maxPartSize is S3's upper bound for one part, as for a single PUT.
	maxPartSize = 5 << 30
	// maxMultipartSize is S3's bound for a multipart object; in practice the
	// disk is the limit.
	maxMultipartSize = 5 << 40
)

// S3's checksum types: a checksum of the part checksums, or of the whole
// object's bytes.
const (
	typeComposite  = "COMPOSITE"
	typeFullObject = "FULL_OBJECT"
)

type uploadRecord struct {
	Initiated int64 `json:"i"` // unix milliseconds
	// Object holds what the object will get: headers, user metadata, tags.
	Object       objectRecord `json:"o"`
	ChecksumAlg  string       `json:"ca,omitempty"`
	ChecksumType string       `json:"ct,omitempty"`
}

func (u *uploadRecord) initiated() time.Time { return timeMillis(u.Initiated) }

type partRecord struct {
	Size     int64  `json:"s"`
	ETag     string `json:"e"` // hex MD5, unquoted
	Modified int64  `json:"m"` // unix milliseconds
	// ChecksumAlg is the upload's algorithm or, when it has none, the one
	// the client sent with the part (if any).
	ChecksumAlg string `json:"ca,omitempty"`
	Checksum    string `json:"cv,omitempty"` // base64
	// CRC64 is the part's CRC64NVME when the upload has no algorithm: the
	// object then gets S3's default full-object CRC64NVME, combined from it.
	CRC64 string `json:"c64,omitempty"`
	Blob  string `json:"b"`
}

// newUploadID returns an id that sorts by initiation time, as S3 lists the
// uploads of one key, and is unguessable.
func newUploadID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

func validUploadID(id string) bool {
	if len(id) != uploadIDLen {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func uploadIndexKey(key, id string) []byte {
	b := make([]byte, 0, len(key)+1+len(id))
	b = append(b, key...)
	b = append(b, 0)
	return append(b, id...)
}

// splitUploadIndexKey undoes uploadIndexKey; the id has a fixed length, so
// keys holding NUL bytes still split right.
func splitUploadIndexKey(k []byte) (key, id string, ok bool) {
	if len(k) < uploadIDLen+1 || k[len(k)-uploadIDLen-1] != 0 {
		return "", "", false
	}
	return string(k[:len(k)-uploadIDLen-1]), string(k[len(k)-uploadIDLen:]), true
}

func partKey(id string, n int) []byte {
	b := make([]byte, 0, len(id)+4)
	b = append(b, id...)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

func errNoSuchUpload() error {
	return newErr(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func (t tx) uploads(bucket string) *bolt.Bucket {
	return t.top().Bucket(uploadsBucket).Bucket([]byte(bucket))
}

func (t tx) parts() *bolt.Bucket { return t.top().Bucket(partsBucket) }

func (t tx) layouts() *bolt.Bucket { return t.top().Bucket(layoutsBucket) }

// upload returns an upload of bucket/key, or NoSuchUpload.
func (t tx) upload(bucket, key, id string) (*uploadRecord, error) {
	if !validUploadID(id) {
		return nil, errNoSuchUpload()
	}
	ub := t.uploads(bucket)
	if ub == nil {
		return nil, errNoSuchUpload()
	}
	v := ub.Get(uploadIndexKey(key, id))
	if v == nil {
		return nil, errNoSuchUpload()
	}
	return decodeUpload(v)
}

func decodeUpload(v []byte) (*uploadRecord, error) {
	var u uploadRecord
	if err := json.Unmarshal(v, &u); err != nil {
		return nil, fmt.Errorf("decode upload record: %w", err)
	}
	return &u, nil
}

func (t tx) putUpload(bucket, key, id string, rec *uploadRecord) error {
	enc, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode upload record: %w", err)
	}
	ub, err := t.top().Bucket(uploadsBucket).CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return err
	}
	return ub.Put(uploadIndexKey(key, id), enc)
}

func (t tx) part(id string, n int) (*partRecord, error) {
	v := t.parts().Get(partKey(id, n))
	if v == nil {
		return nil, nil
	}
	return decodePart(v)
}

func decodePart(v []byte) (*partRecord, error) {
	var p partRecord
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("decode part record: %w", err)
	}
	return &p, nil
}

// putPart stores a part and returns the blob of the part it replaces.
func (t tx) putPart(id string, n int, rec *partRecord) (oldBlob string, err error) {
	old, err := t.part(id, n)
	if err != nil {
		return "", err
	}
	if old != nil && old.Blob != rec.Blob {
		oldBlob = old.Blob
		if err := t.dropBlobRef(old.Blob); err != nil {
			return "", err
		}
	}
	enc, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("encode part record: %w", err)
	}
	if err := t.parts().Put(partKey(id, n), enc); err != nil {
		return "", fmt.Errorf("put part record: %w", err)
	}
	if err := t.blobs().Put([]byte(rec.Blob), []byte("upload:"+id)); err != nil {
		return "", fmt.Errorf("record part blob: %w", err)
	}
	return oldBlob, nil
}

// eachPart calls fn for the parts of an upload numbered above after, in
// order, until fn returns false.
func (t tx) eachPart(id string, after int, fn func(n int, rec *partRecord) (bool, error)) error {
	prefix := []byte(id)
	c := t.parts().Cursor()
	for k, v := c.Seek(partKey(id, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+4 {
			continue
		}
		rec, err := decodePart(v)
		if err != nil {
			return err
		}
		more, err := fn(int(binary.BigEndian.Uint32(k[len(prefix):])), rec)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// dropUpload deletes an upload and its parts and returns the part blobs,
// which the caller removes after the commit.
func (t tx) dropUpload(bucket, key, id string) (blobs []string, err error) {
	var keys [][]byte
	err = t.eachPart(id, 0, func(n int, rec *partRecord) (bool, error) {
		keys = append(keys, partKey(id, n))
		blobs = append(blobs, rec.Blob)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := t.parts().Delete(k); err != nil {
			return nil, err
		}
	}
	for _, b := range blobs {
		if err := t.dropBlobRef(b); err != nil {
			return nil, err
		}
	}
	if ub := t.uploads(bucket); ub != nil {
		if err := ub.Delete(uploadIndexKey(key, id)); err != nil {
			return nil, err
		}
	}
	return blobs, nil
}

// dropUploads deletes every upload of a bucket (the bucket is going away)
// and returns their part blobs.
func (t tx) dropUploads(bucket string) (blobs []string, err error) {
	ub := t.uploads(bucket)
	if ub == nil {
		return nil, nil
	}
	type ref struct{ key, id string }
	var refs []ref
	err = ub.ForEach(func(k, _ []byte) error {
		if key, id, ok := splitUploadIndexKey(k); ok {
			refs = append(refs, ref{key, id})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		b, err := t.dropUpload(bucket, r.key, r.id)
		if err != nil {
			return nil, err
		}
		blobs = append(blobs, b...)
	}
	return blobs, t.top().Bucket(uploadsBucket).DeleteBucket([]byte(bucket))
}

// dropBlobRef forgets a blob file (and its part table): after the commit
// the file is an orphan, removed now or by the next New.
func (t tx) dropBlobRef(id string) error {
	if err := t.blobs().Delete([]byte(id)); err != nil {
		return err
	}
	return t.layouts().Delete([]byte(id))
}
