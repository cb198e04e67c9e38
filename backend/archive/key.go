// Package archive keeps failed events in S3, one object per event under
// <prefix><consumer>/<YYYY>/<MM>/<DD>/<HH>/<partitionKey>-<epochMillis>-<id>.json,
// and lists, reads, marks replayed and deletes them.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReplayedDir holds, under an archive's prefix, the copies of events that
// were replayed.
const ReplayedDir = "_replayed/"

// EventID derives an event's id from where the record lives, so that
// hydrating twice writes the same key and replays carry a stable
// idempotency key.
func EventID(streamARN, shardID, sequenceNumber string) string {
	h := sha256.New()
	for _, s := range []string{streamARN, shardID, sequenceNumber} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// KeyParts are the fields an object key is made of.
type KeyParts struct {
	Consumer     string
	Arrival      time.Time // UTC, millisecond precision
	PartitionKey string
	ID           string
}

// Key is the object key of an event, under prefix (empty or ending in "/").
func Key(prefix string, p KeyParts) string {
	t := p.Arrival.UTC()
	return fmt.Sprintf("%s%s/%04d/%02d/%02d/%02d/%s-%d-%s.json", prefix, escape(p.Consumer),
		t.Year(), int(t.Month()), t.Day(), t.Hour(), escape(p.PartitionKey), t.UnixMilli(), p.ID)
}

// ParseKey reads a key made by Key under prefix. Copies under _replayed/
// parse too, with replayed set.
func ParseKey(prefix, key string) (p KeyParts, replayed bool, err error) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return p, false, fmt.Errorf("key %q is not under %q", key, prefix)
	}
	rest, replayed = strings.CutPrefix(rest, ReplayedDir)
	fields := strings.Split(rest, "/")
	if len(fields) != 6 {
		return p, false, fmt.Errorf("key %q is not <consumer>/YYYY/MM/DD/HH/<name>.json", key)
	}
	if p.Consumer, err = unescape(fields[0]); err != nil {
		return p, false, fmt.Errorf("key %q: consumer: %w", key, err)
	}
	name, ok := strings.CutSuffix(fields[5], ".json")
	if !ok {
		return p, false, fmt.Errorf("key %q does not end in .json", key)
	}
	// The id and the time hold no "-", so split from the right: the
	// escaped partition key may hold any number of them.
	idAt := strings.LastIndexByte(name, '-')
	if idAt < 0 {
		return p, false, fmt.Errorf("key %q: no id", key)
	}
	msAt := strings.LastIndexByte(name[:idAt], '-')
	if msAt < 0 {
		return p, false, fmt.Errorf("key %q: no arrival time", key)
	}
	p.ID = name[idAt+1:]
	ms, err := strconv.ParseInt(name[msAt+1:idAt], 10, 64)
	if err != nil {
		return p, false, fmt.Errorf("key %q: arrival time: %w", key, err)
	}
	p.Arrival = time.UnixMilli(ms).UTC()
	if p.PartitionKey, err = unescape(name[:msAt]); err != nil {
		return p, false, fmt.Errorf("key %q: partition key: %w", key, err)
	}
	return p, replayed, nil
}

// HourPrefix is the key prefix of one consumer's hour: what a listing by
// day and hour walks.
func HourPrefix(prefix, consumer string, t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s%s/%04d/%02d/%02d/%02d/", prefix, escape(consumer), t.Year(), int(t.Month()), t.Day(), t.Hour())
}

// ConsumerPrefix is the key prefix of one consumer's events.
func ConsumerPrefix(prefix, consumer string) string {
	return prefix + escape(consumer) + "/"
}

// ReplayedKey is where the replayed copy of key goes.
func ReplayedKey(prefix, key string) string {
	return prefix + ReplayedDir + strings.TrimPrefix(key, prefix)
}

// escape percent-encodes every byte but letters, digits and "._~-", so
// that any partition key — slashes, spaces, control bytes, invalid UTF-8 —
// makes a safe, one-segment key. A leading "_" is escaped too, so that no
// consumer collides with _replayed/.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) && !(i == 0 && c == '_') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '~' || c == '-'
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated escape in %q", s)
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad escape %q", s[i:i+3])
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}
