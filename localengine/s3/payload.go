package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inflight"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

// maxObjectSize is S3's limit for a single PUT.
const maxObjectSize = 5 << 30

// bodySpec is what a request's headers say about its body.
type bodySpec struct {
	chunked   bool
	declared  int64 // payload length, -1 when unknown
	sha256Hex string
	md5       []byte
	checksum  checksumSpec
}

// parseBodySpec reads and checks the headers describing a body of at most
// limit bytes.
func parseBodySpec(r *http.Request, limit int64) (bodySpec, error) {
	spec := bodySpec{declared: -1}
	sha := r.Header.Get("X-Amz-Content-Sha256")
	kind, err := contentSHA256Kind(sha)
	if err != nil {
		return spec, err
	}
	if kind == "hex" {
		spec.sha256Hex = strings.ToLower(sha)
	}
	spec.chunked = kind == "stream" || isChunkedRequest(contentEncoding(r.Header), sha)
	if spec.chunked {
		if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return spec, errInvalidArgument("Invalid x-amz-decoded-content-length")
			}
			spec.declared = n
		}
	} else if r.ContentLength >= 0 {
		spec.declared = r.ContentLength
	}
	if spec.declared > limit {
		return spec, errEntityTooLarge()
	}
	if v := r.Header.Get("Content-Md5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return spec, errInvalidDigest()
		}
		spec.md5 = b
	}
	spec.checksum, err = parseChecksumHeaders(r.Header, spec.chunked)
	return spec, err
}

// payload reads a request body: it decodes aws-chunked framing, counts and
// bounds the bytes, and hashes them for the ETag and every check the
// client asked for. finish verifies them once the body has been read.
type payload struct {
	spec   bodySpec
	src    io.Reader
	chunk  *chunkedReader
	limit  int64
	n      int64
	md5    hash.Hash
	sum    hash.Hash
	sumAlg string
	sha    hash.Hash
	err    error
	eof    bool
}

// newPayload reads r's body per spec. With defaultAlg set, a body sent
// without a checksum gets one of that algorithm computed. The request first
// takes its share of the engine's body budget for the memory that reading
// it needs (objects themselves stream to disk); when the budget stays
// spent, or the client goes, the first Read fails with SlowDown or the
// context's error and nothing is allocated.
func newPayload(r *http.Request, spec bodySpec, limit int64, defaultAlg string) *payload {
	var body io.Reader = r.Body
	if r.Body == nil {
		body = http.NoBody
	}
	if err := inflight.Hold(r.Context(), bufferMemory(spec)); err != nil {
		p := &payload{spec: spec, limit: limit}
		p.err = errSlowDown()
		if !errors.Is(err, inflight.ErrBusy) {
			p.err = err
		}
		return p
	}
	p := newPayloadFrom(body, spec, limit, defaultAlg)
	// Under strict auth the router attaches the chunk-signature chain of
	// a signed streaming upload: every chunk is verified as it is read.
	if s := sigv4.StreamFrom(r.Context()); s != nil && p.chunk != nil {
		p.chunk.verifySignatures(s)
	}
	return p
}

// bufferMemory is what receiving a body per spec holds in memory at most:
// the inline buffer of a small object (or the start of one of unknown
// length), the copy buffer that streams a large one to disk, and the
// aws-chunked decoder's buffer.
func bufferMemory(spec bodySpec) int64 {
	n := int64(inlineMax + bytes.MinRead)
	if spec.declared >= 0 && spec.declared <= inlineMax {
		n = spec.declared + bytes.MinRead
	}
	if spec.declared < 0 || spec.declared > inlineMax {
		n += copyBufSize
	}
	if spec.chunked {
		n += chunkBufSize
	}
	return n
}

// errSlowDown is S3's answer when it is too busy; SDKs retry it.
func errSlowDown() error {
	return awserr.New(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

// errRequestTimeout is S3's answer to a body that stopped moving.
func errRequestTimeout() error {
	return awserr.New(http.StatusBadRequest, "RequestTimeout",
		"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

// newPayloadFrom reads body per spec.
func newPayloadFrom(body io.Reader, spec bodySpec, limit int64, defaultAlg string) *payload {
	p := &payload{spec: spec, limit: limit, md5: md5.New()}
	if spec.chunked {
		p.chunk = newChunkedReader(body, spec.declared, limit)
		p.src = p.chunk
	} else {
		p.src = io.LimitReader(body, limit+1)
	}
	p.sumAlg = spec.checksum.alg
	if p.sumAlg == "" {
		p.sumAlg = defaultAlg
	}
	if p.sumAlg != "" {
		p.sum = newChecksumHash(p.sumAlg)
	}
	if spec.sha256Hex != "" {
		p.sha = sha256.New()
	}
	return p
}

func (p *payload) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.src.Read(b)
	if n > 0 {
		p.n += int64(n)
		if p.n > p.limit {
			p.err = errEntityTooLarge()
			return 0, p.err
		}
		p.md5.Write(b[:n])
		if p.sum != nil {
			p.sum.Write(b[:n])
		}
		if p.sha != nil {
			p.sha.Write(b[:n])
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		p.eof = true
	case errors.Is(err, io.ErrUnexpectedEOF):
		p.err = errIncompleteBody()
		err = p.err
	case errors.Is(err, os.ErrDeadlineExceeded):
		p.err = errRequestTimeout()
		err = p.err
	default:
		p.err = err
	}
	return n, err
}

// digest is what was received.
type digest struct {
	size     int64
	etag     string // hex MD5
	alg      string
	checksum string // base64
}

// finish checks the body against every declared length, hash and checksum.
// It must be called after Read returned io.EOF.
func (p *payload) finish() (digest, error) {
	if p.err != nil {
		return digest{}, p.err
	}
	if !p.eof {
		return digest{}, errIncompleteBody()
	}
	if !p.spec.chunked && p.spec.declared >= 0 && p.n != p.spec.declared {
		return digest{}, errIncompleteBody()
	}
	if p.sha != nil && hex.EncodeToString(p.sha.Sum(nil)) != p.spec.sha256Hex {
		return digest{}, errSHA256Mismatch()
	}
	md5sum := p.md5.Sum(nil)
	if p.spec.md5 != nil && !bytes.Equal(md5sum, p.spec.md5) {
		return digest{}, errBadDigestMD5()
	}
	d := digest{size: p.n, etag: hex.EncodeToString(md5sum)}
	if p.sum != nil {
		d.alg, d.checksum = p.sumAlg, base64Sum(p.sum)
	}
	cs := p.spec.checksum
	expected := cs.expected
	if cs.trailer {
		v, ok := p.chunk.Trailer(checksumHeader(cs.alg))
		if !ok {
			return digest{}, errInvalidRequest("The %s trailer was declared in x-amz-trailer but not sent.", checksumHeader(cs.alg))
		}
		if !validChecksumValue(cs.alg, v) {
			return digest{}, errInvalidRequest("Value for %s trailing header is invalid.", checksumHeader(cs.alg))
		}
		expected = v
	}
	if cs.alg != "" && expected != d.checksum {
		return digest{}, errChecksumMismatch(cs.alg)
	}
	return d, nil
}

// readSmallBody reads and verifies a whole XML request body of at most limit
// bytes; a larger one is MalformedXML, as S3 reports it.
func readSmallBody(r *http.Request, limit int64) ([]byte, bodySpec, error) {
	spec, err := parseBodySpec(r, limit)
	if err != nil {
		return nil, spec, tooLargeAsMalformed(err)
	}
	p := newPayload(r, spec, limit, "")
	held := limit
	if spec.declared >= 0 {
		held = min(spec.declared, limit)
	}
	if err := inflight.Hold(r.Context(), bufferMemory(spec)+held+bytes.MinRead); err != nil && p.err == nil {
		p.err = errSlowDown()
	}
	body, err := io.ReadAll(p)
	if err == nil {
		_, err = p.finish()
	}
	if err != nil {
		return nil, spec, tooLargeAsMalformed(err)
	}
	return body, spec, nil
}

func tooLargeAsMalformed(err error) error {
	if isCode(err, "EntityTooLarge") {
		return errMalformedXML()
	}
	return err
}

func isCode(err error, code string) bool {
	var e *awserr.Error
	return errors.As(err, &e) && e.Code == code
}

// contentEncoding joins every Content-Encoding header: the SDK sends
// aws-chunked as a value of its own after the object's encoding.
func contentEncoding(h http.Header) string {
	return strings.Join(h.Values("Content-Encoding"), ",")
}
