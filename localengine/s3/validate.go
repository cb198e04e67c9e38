package s3

import (
	"net"
	"strings"
	"unicode/utf8"
)

// maxKeyLen is S3's limit on an object key's UTF-8 length.
const maxKeyLen = 1024

// validBucketName applies S3's general purpose bucket naming rules.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' || c == '.':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// checkKey rejects keys S3 cannot store: empty, over 1,024 bytes, or not
// UTF-8 (which no XML listing could carry).
func checkKey(key string) error {
	if key == "" {
		return errInvalidArgument("Object key must not be empty")
	}
	if len(key) > maxKeyLen {
		return errKeyTooLong()
	}
	if !utf8.ValidString(key) {
		return errInvalidArgument("Object key is not valid UTF-8")
	}
	return nil
}

// validRegion accepts names shaped like AWS regions (us-east-1,
// ap-southeast-2, us-gov-west-1) and the legacy "EU".
func validRegion(r string) bool {
	if r == "EU" {
		return true
	}
	if len(r) < 4 || len(r) > 32 {
		return false
	}
	parts := strings.Split(r, "-")
	if len(parts) < 3 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			last := i == len(parts)-1
			if last && !(c >= '0' && c <= '9') {
				return false
			}
			if !last && !(c >= 'a' && c <= 'z') {
				return false
			}
		}
	}
	return true
}
