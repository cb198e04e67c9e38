package s3

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// Checksum algorithms S3 stores with an object. Objects uploaded without
// one get CRC64NVME, as S3 has done by default since 2024.
const (
	algCRC32     = "CRC32"
	algCRC32C    = "CRC32C"
	algCRC64NVME = "CRC64NVME"
	algSHA1      = "SHA1"
	algSHA256    = "SHA256"
)

// crc64NVMEPoly is the reflected NVMe polynomial as crc64.MakeTable wants it.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	nvmeTable  = crc64.MakeTable(crc64NVMEPoly)
)

var algorithms = []string{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256}

// newChecksumHash returns a running hash for alg, or nil when S3 has no
// such algorithm here.
func newChecksumHash(alg string) hash.Hash {
	switch alg {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(castagnoli)
	case algCRC64NVME:
		return crc64.New(nvmeTable)
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	}
	return nil
}

func checksumSize(alg string) int {
	switch alg {
	case algCRC32, algCRC32C:
		return 4
	case algCRC64NVME:
		return 8
	case algSHA1:
		return 20
	case algSHA256:
		return 32
	}
	return 0
}

// checksumHeader is the x-amz-checksum-* header (and trailer) name of alg.
func checksumHeader(alg string) string {
	return "x-amz-checksum-" + strings.ToLower(alg)
}

// algorithmOf maps a header or trailer name such as x-amz-checksum-crc32 to
// its algorithm; known is false for names S3 defines but this engine does
// not support (md5, sha512, xxhash*).
func algorithmOf(name string) (alg string, known bool) {
	suffix, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-checksum-")
	if !ok {
		return "", false
	}
	for _, a := range algorithms {
		if strings.EqualFold(a, suffix) {
			return a, true
		}
	}
	return strings.ToUpper(suffix), false
}

// validChecksumValue reports whether v is the base64 of a digest of alg's size.
func validChecksumValue(alg, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == checksumSize(alg)
}

func base64Sum(h hash.Hash) string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// checksumSpec is what a request says about the checksum of its body.
type checksumSpec struct {
	alg      string // "" when the client sent none
	expected string // base64 value from a header; "" when it comes in a trailer
	trailer  bool
}

// parseChecksumHeaders reads x-amz-checksum-*, x-amz-trailer and
// x-amz-sdk-checksum-algorithm.
func parseChecksumHeaders(h http.Header, chunked bool) (checksumSpec, error) {
	var spec checksumSpec
	for name, vals := range h {
		if !strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-") {
			continue
		}
		lname := strings.ToLower(name)
		if lname == "x-amz-checksum-algorithm" || lname == "x-amz-checksum-mode" || lname == "x-amz-checksum-type" {
			continue
		}
		alg, known := algorithmOf(name)
		if !known {
			return spec, errNotImplementedChecksum(alg)
		}
		if spec.alg != "" || len(vals) != 1 {
			return spec, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		if !validChecksumValue(alg, vals[0]) {
			return spec, errInvalidRequest("Value for %s header is invalid.", checksumHeader(alg))
		}
		spec.alg, spec.expected = alg, vals[0]
	}
	if t := strings.TrimSpace(h.Get("X-Amz-Trailer")); t != "" {
		if !chunked {
			return spec, errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
		}
		alg, known := algorithmOf(t)
		if alg == "" {
			return spec, errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
		}
		if !known {
			return spec, errNotImplementedChecksum(alg)
		}
		if spec.alg != "" {
			return spec, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		spec.alg, spec.trailer = alg, true
	}
	if sdkAlg := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdkAlg != "" {
		if spec.alg == "" {
			return spec, errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if !strings.EqualFold(sdkAlg, spec.alg) {
			return spec, errInvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return spec, nil
}

func errNotImplementedChecksum(alg string) error {
	e := errNotImplemented()
	e.Message = "The checksum algorithm " + alg + " is not implemented"
	return e
}

func errChecksumMismatch(alg string) error {
	return errBadDigest("The " + alg + " you specified did not match the calculated checksum.")
}

func errBadDigest(msg string) error {
	e := errBadDigestMD5()
	e.Message = msg
	return e
}
