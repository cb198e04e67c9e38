package s3

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

// aws-chunked framing (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//	[<trailer>:<value>\r\n ...][x-amz-trailer-signature:<sig>\r\n]\r\n
//
// The decoder checks the framing strictly and bounds everything the client
// controls: line lengths, the number of trailers, and the decoded total.
// Under strict authentication, for STREAMING-AWS4-HMAC-SHA256-PAYLOAD and
// its -TRAILER variant, it also verifies every chunk's signature (a chain
// from the seed signature the router verified) and the trailer's: a chunk
// whose signature does not match fails the read, so its data is never
// committed.
const (
	maxChunkLine   = 4096
	maxTrailers    = 8
	chunkBufSize   = 64 << 10
	maxChunkHexLen = 16
)

type chunkState int

const (
	chunkHeader chunkState = iota
	chunkData
	chunkDone
)

// chunkedReader decodes an aws-chunked body into its payload.
type chunkedReader struct {
	br       *bufio.Reader
	declared int64 // x-amz-decoded-content-length, or -1
	limit    int64 // largest payload accepted
	state    chunkState
	left     int64 // payload bytes left in the current chunk
	decoded  int64
	trailers map[string]string
	err      error

	// sig verifies chunk signatures; nil when they are not checked.
	sig       *sigv4.Stream
	chunkSig  string    // the current chunk's signature
	chunkHash hash.Hash // of the current chunk's data
	// canonical is the trailing headers as their signature covers them.
	canonical  strings.Builder
	trailerSig string
}

// newChunkedReader decodes body. declared is the decoded length the client
// announced (-1 if none); limit is the largest payload accepted, past which
// reading fails with EntityTooLarge.
func newChunkedReader(body io.Reader, declared, limit int64) *chunkedReader {
	return &chunkedReader{
		br:       bufio.NewReaderSize(body, chunkBufSize),
		declared: declared,
		limit:    limit,
		trailers: map[string]string{},
	}
}

// verifySignatures makes the reader check each chunk's signature, and the
// trailer's, with s.
func (c *chunkedReader) verifySignatures(s *sigv4.Stream) {
	c.sig = s
	c.chunkHash = sha256.New()
}

// errChunkSignature is S3's answer to a chunk or trailer signature that
// does not match.
func errChunkSignature() *awserr.Error {
	return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

// checkChunk verifies the signature of the chunk just read.
func (c *chunkedReader) checkChunk() error {
	if c.sig == nil {
		return nil
	}
	err := c.sig.VerifyChunk(c.chunkHash.Sum(nil), c.chunkSig)
	c.chunkHash.Reset()
	if err != nil {
		return errChunkSignature()
	}
	return nil
}

func errChunkFraming(what string) error {
	return errInvalidRequest("Malformed aws-chunked body: %s", what)
}

func errBodyEnded() error {
	e := errIncompleteBody()
	e.Message = "The request body terminated unexpectedly"
	return e
}

// Trailer returns a trailing header's value, once the body has been read to
// its end.
func (c *chunkedReader) Trailer(name string) (string, bool) {
	v, ok := c.trailers[strings.ToLower(name)]
	return v, ok
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for {
		if c.err != nil {
			return 0, c.err
		}
		switch c.state {
		case chunkDone:
			return 0, io.EOF
		case chunkHeader:
			if err := c.readHeader(); err != nil {
				c.err = err
			}
		case chunkData:
			if len(p) == 0 {
				return 0, nil
			}
			want := int64(len(p))
			if want > c.left {
				want = c.left
			}
			n, err := c.br.Read(p[:want])
			c.left -= int64(n)
			c.decoded += int64(n)
			if c.chunkHash != nil {
				c.chunkHash.Write(p[:n])
			}
			if c.left == 0 {
				if cerr := c.readCRLF(); cerr != nil {
					c.err = cerr
				} else if cerr := c.checkChunk(); cerr != nil {
					c.err = cerr
				} else {
					c.state = chunkHeader
				}
			} else if err != nil {
				c.err = readErr(err)
			}
			if n > 0 {
				return n, nil
			}
		}
	}
}

// readErr turns a premature end of the body into IncompleteBody and keeps
// other errors (a client that went away) as they are.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errBodyEnded()
	}
	return err
}

func (c *chunkedReader) readCRLF() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		return readErr(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return errChunkFraming("chunk data is not followed by CRLF")
	}
	return nil
}

// readLine returns one CRLF-terminated line without its CRLF.
func (c *chunkedReader) readLine() (string, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine {
		return "", errChunkFraming("line too long")
	}
	if err != nil {
		return "", readErr(err)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", errChunkFraming("line is not terminated by CRLF")
	}
	return string(line[:len(line)-2]), nil
}

func (c *chunkedReader) readHeader() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeStr, ext, hasExt := strings.Cut(line, ";")
	if len(sizeStr) == 0 || len(sizeStr) > maxChunkHexLen {
		return errChunkFraming("invalid chunk size")
	}
	size, err := strconv.ParseUint(sizeStr, 16, 64)
	if err != nil || size > 1<<62 {
		return errChunkFraming("invalid chunk size")
	}
	c.chunkSig = ""
	if hasExt {
		sig, err := checkChunkExtensions(ext)
		if err != nil {
			return err
		}
		c.chunkSig = sig
	}
	if c.sig != nil && c.chunkSig == "" {
		return errChunkSignature()
	}
	if size == 0 {
		if err := c.checkChunk(); err != nil {
			return err
		}
		return c.readTrailers()
	}
	if c.decoded+int64(size) > c.limit {
		return errEntityTooLarge()
	}
	if c.declared >= 0 && c.decoded+int64(size) > c.declared {
		return errChunkFraming("more data than x-amz-decoded-content-length")
	}
	c.left = int64(size)
	c.state = chunkData
	return nil
}

// checkChunkExtensions accepts name=value pairs such as
// chunk-signature=<hex>, and returns that signature.
func checkChunkExtensions(ext string) (signature string, err error) {
	for _, e := range strings.Split(ext, ";") {
		name, value, ok := strings.Cut(e, "=")
		if !ok || strings.TrimSpace(name) == "" || value == "" {
			return "", errChunkFraming("invalid chunk extension")
		}
		if strings.TrimSpace(name) == "chunk-signature" {
			signature = strings.TrimSpace(value)
		}
	}
	return signature, nil
}

func (c *chunkedReader) readTrailers() error {
	for n := 0; ; n++ {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if n >= maxTrailers {
			return errChunkFraming("too many trailing headers")
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			return errChunkFraming("invalid trailing header")
		}
		if _, dup := c.trailers[name]; dup {
			return errChunkFraming("repeated trailing header")
		}
		c.trailers[name] = strings.TrimSpace(value)
		if name == "x-amz-trailer-signature" {
			c.trailerSig = c.trailers[name]
		} else {
			c.canonical.WriteString(name + ":" + c.trailers[name] + "\n")
		}
	}
	if err := c.checkTrailer(); err != nil {
		return err
	}
	// Nothing may follow the final CRLF.
	var extra [1]byte
	if n, _ := io.ReadFull(c.br, extra[:]); n > 0 {
		return errChunkFraming("data after the final chunk")
	}
	if c.declared >= 0 && c.decoded != c.declared {
		return errBodyEnded()
	}
	c.state = chunkDone
	return nil
}

// checkTrailer verifies the trailer signature of a signed body with
// trailers. A signed body without declared trailers may carry none: they
// would be unsigned.
func (c *chunkedReader) checkTrailer() error {
	if c.sig == nil {
		return nil
	}
	if !c.sig.Trailer {
		if len(c.trailers) > 0 {
			return errChunkSignature()
		}
		return nil
	}
	if c.trailerSig == "" || c.sig.VerifyTrailer(c.canonical.String(), c.trailerSig) != nil {
		return errChunkSignature()
	}
	return nil
}

// isChunkedRequest reports whether a body is aws-chunked: the
// Content-Encoding says so, or x-amz-content-sha256 names a streaming mode.
func isChunkedRequest(contentEncoding, contentSHA256 string) bool {
	if strings.HasPrefix(contentSHA256, "STREAMING-") {
		return true
	}
	for _, enc := range strings.Split(contentEncoding, ",") {
		if strings.EqualFold(strings.TrimSpace(enc), "aws-chunked") {
			return true
		}
	}
	return false
}

// storedContentEncoding drops aws-chunked, which describes the transfer and
// not the object.
func storedContentEncoding(v string) string {
	if v == "" {
		return ""
	}
	var keep []string
	for _, enc := range strings.Split(v, ",") {
		enc = strings.TrimSpace(enc)
		if enc != "" && !strings.EqualFold(enc, "aws-chunked") {
			keep = append(keep, enc)
		}
	}
	return strings.Join(keep, ",")
}

// streamingModes are the x-amz-content-sha256 values that announce an
// aws-chunked body.
var streamingModes = []string{
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER",
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
}

// contentSHA256Kind classifies x-amz-content-sha256: "" (absent or
// UNSIGNED-PAYLOAD), "hex" (a real hash to verify), "stream", or invalid.
func contentSHA256Kind(v string) (string, error) {
	switch {
	case v == "" || v == "UNSIGNED-PAYLOAD":
		return "", nil
	case len(v) == 64 && isHex(v):
		return "hex", nil
	}
	for _, m := range streamingModes {
		if v == m {
			return "stream", nil
		}
	}
	return "", errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
}

func isHex(s string) bool {
	return len(bytes.TrimLeft([]byte(s), "0123456789abcdefABCDEF")) == 0
}
