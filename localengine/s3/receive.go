package s3

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
)

// received is a request body that has been read and verified: inline bytes,
// or a blob file not yet committed.
type received struct {
	inline []byte
	blob   *pendingBlob
	digest digest
}

// discard drops a blob that will not be committed.
func (rc *received) discard() {
	if rc != nil && rc.blob != nil {
		rc.blob.discard()
	}
}

// receive reads a body through p: it stays in memory up to inlineMax and
// spills into a blob file past that, so large objects are streamed. A body
// declared larger than inlineMax goes to the blob file from its first byte.
// Either way the buffers are the ones newPayload reserved (bufferMemory).
func (s *Service) receive(p *payload, declared int64) (*received, error) {
	if err := s.store.WriteRefusal(); err != nil {
		// Read-only: do not take the body onto a full disk.
		return nil, err
	}
	if declared > inlineMax {
		blob, d, err := s.receiveBlob(p, nil)
		if err != nil {
			return nil, err
		}
		return &received{blob: blob, digest: d}, nil
	}
	var buf bytes.Buffer
	if declared >= 0 {
		// MinRead more, so that reading the end of the body does not grow
		// the buffer again.
		buf.Grow(int(declared) + bytes.MinRead)
	} else {
		buf.Grow(inlineMax + bytes.MinRead)
	}
	n, err := io.CopyN(&buf, p, inlineMax+1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	rc := &received{}
	if n <= inlineMax {
		rc.inline = buf.Bytes()
	} else {
		blob, err := s.blobs.create()
		if err != nil {
			return nil, err
		}
		rc.blob = blob
		if _, err := blob.Write(buf.Bytes()); err != nil {
			rc.discard()
			return nil, err
		}
		if _, err := io.CopyBuffer(struct{ io.Writer }{blob}, p, make([]byte, copyBufSize)); err != nil {
			rc.discard()
			return nil, err
		}
	}
	d, err := p.finish()
	if err != nil {
		rc.discard()
		return nil, err
	}
	rc.digest = d
	return rc, nil
}

// commitObject commits a received body as bucket/key. check runs inside the
// transaction, before the write, with the object currently stored (or nil).
func (s *Service) commitObject(bucket, key string, rec *objectRecord, rc *received, check func(old *objectRecord) error) error {
	if rc.blob != nil {
		if err := rc.blob.commit(); err != nil {
			rc.discard()
			return err
		}
		rec.Blob = rc.blob.id
	}
	var oldBlob string
	err := s.update(func(t tx) error {
		oldBlob = ""
		if _, err := t.mustBucket(bucket); err != nil {
			return err
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
		oldBlob, err = t.putObject(bucket, key, rec, rc.inline)
		return err
	})
	if err != nil {
		rc.discard()
		return err
	}
	if oldBlob != "" {
		s.removeBlob(oldBlob)
	}
	return nil
}

// writeConditions reads a PUT's If-Match / If-None-Match: S3 supports
// If-None-Match: * (create only) and If-Match: <etag> (replace only that
// version).
func writeConditions(h http.Header) (func(old *objectRecord) error, error) {
	ifMatch, ifNoneMatch := h.Get("If-Match"), h.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil, nil
	}
	if ifNoneMatch != "" && strings.TrimSpace(ifNoneMatch) != "*" {
		return nil, errNotImplemented()
	}
	return func(old *objectRecord) error {
		if ifNoneMatch != "" && old != nil {
			return errPreconditionFailed()
		}
		if ifMatch != "" {
			if old == nil {
				return errNoSuchKey()
			}
			if !etagMatches(ifMatch, old.ETag) {
				return errPreconditionFailed()
			}
		}
		return nil
	}, nil
}
