package decode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// MaxDecompressed bounds what Decode inflates from a gzip payload. Kinesis
// records are at most 10 MiB and SQS messages 1 MiB before compression, so
// anything larger is a bomb or a mistake, and is shown compressed.
const MaxDecompressed = 16 << 20

// ErrTooLarge reports a gzip stream that inflates beyond the limit.
var ErrTooLarge = errors.New("decompressed size over the limit")

// IsGzip reports whether data starts with the gzip magic number.
func IsGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// Gunzip inflates a gzip stream (all members of it) and stops with
// ErrTooLarge as soon as the output would pass limit bytes, so memory use is
// bounded by limit whatever the input claims. A truncated or corrupt stream
// is an error.
func Gunzip(data []byte, limit int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip header: %w", err)
	}
	out, err := readBounded(zr, min(limit, 4*len(data)), limit)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("gzip: %w of %d bytes", ErrTooLarge, limit)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("gzip stream truncated after %d decompressed bytes: %w", len(out), err)
		}
		return nil, fmt.Errorf("gzip stream corrupt after %d decompressed bytes: %w", len(out), err)
	}
	return out, nil
}

// readBounded reads r to its end into a buffer that starts at hint bytes
// and doubles, but never past limit+1 bytes: the one byte over the limit is
// how it tells "exactly limit" from "more". Unlike io.ReadAll it never
// holds more than twice the limit at once, nor allocates more than three
// times it in total. On error it returns what it read so far.
func readBounded(r io.Reader, hint, limit int) ([]byte, error) {
	buf := make([]byte, 0, max(min(hint, limit+1), 512))
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return buf[:limit], ErrTooLarge
			}
			grown := make([]byte, len(buf), min(2*cap(buf), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if len(buf) > limit {
				return buf[:limit], ErrTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
