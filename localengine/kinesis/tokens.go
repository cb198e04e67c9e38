package kinesis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Iterators and page tokens are stateless: everything needed to continue
// is in the token, signed with the store's key so that a forged or
// corrupted token is refused rather than believed. They survive restarts
// because the key lives in the store.

const (
	iteratorTTL  = 5 * time.Minute
	nextTokenTTL = 300 * time.Second
	macLen       = 16

	kindIterator    = 1
	kindListStreams = 2
	kindListShards  = 3
)

func (s *Service) seal(payload []byte) string {
	mac := hmac.New(sha256.New, s.macKey)
	mac.Write(payload)
	return base64.StdEncoding.EncodeToString(mac.Sum(payload)[:len(payload)+macLen])
}

// unseal returns the payload of a token of the given kind, or false.
func (s *Service) unseal(tok string, kind byte) ([]byte, bool) {
	if len(tok) > 4096 {
		return nil, false
	}
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(raw) < 1+macLen || raw[0] != kind {
		return nil, false
	}
	payload := raw[:len(raw)-macLen]
	mac := hmac.New(sha256.New, s.macKey)
	mac.Write(payload)
	if !hmac.Equal(mac.Sum(nil)[:macLen], raw[len(raw)-macLen:]) {
		return nil, false
	}
	return payload, true
}

// tokenWriter and tokenReader build and parse token payloads.
type tokenWriter struct{ b []byte }

func (w *tokenWriter) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *tokenWriter) i64(v int64)  { w.u64(uint64(v)) }
func (w *tokenWriter) str(s string) {
	if len(s) > 255 {
		s = s[:255]
	}
	w.b = append(w.b, byte(len(s)))
	w.b = append(w.b, s...)
}

type tokenReader struct {
	b  []byte
	ok bool
}

func (r *tokenReader) u64() uint64 {
	if len(r.b) < 8 {
		r.ok = false
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *tokenReader) i64() int64 { return int64(r.u64()) }

func (r *tokenReader) byte1() byte {
	if len(r.b) < 1 {
		r.ok = false
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *tokenReader) str() string {
	n := int(r.byte1())
	if !r.ok || len(r.b) < n {
		r.ok = false
		return ""
	}
	v := string(r.b[:n])
	r.b = r.b[n:]
	return v
}

// done reports whether the whole payload was read without running short.
func (r *tokenReader) done() bool { return r.ok && len(r.b) == 0 }

// iterator is a position in a shard, as a GetRecords caller holds it.
type iterator struct {
	region, name string
	uid          uint64
	createdMs    int64 // the stream's creation time
	shard        uint64
	pos          uint64 // counter of the next record to return
	issuedMs     int64
}

func (s *Service) sealIterator(it iterator) string {
	w := tokenWriter{b: make([]byte, 0, 64+len(it.name))}
	w.b = append(w.b, kindIterator)
	w.u64(it.uid)
	w.i64(it.createdMs)
	w.u64(it.shard)
	w.u64(it.pos)
	w.i64(it.issuedMs)
	w.str(it.region)
	w.str(it.name)
	return s.seal(w.b)
}

func (s *Service) openIterator(tok string) (iterator, bool) {
	payload, ok := s.unseal(tok, kindIterator)
	if !ok {
		return iterator{}, false
	}
	r := tokenReader{b: payload[1:], ok: true}
	it := iterator{uid: r.u64(), createdMs: r.i64(), shard: r.u64(), pos: r.u64(), issuedMs: r.i64()}
	it.region = r.str()
	it.name = r.str()
	return it, r.done()
}

func (s *Service) sealListStreamsToken(region, last string) string {
	w := tokenWriter{}
	w.b = append(w.b, kindListStreams)
	w.i64(s.nowMs())
	w.str(region)
	w.str(last)
	return s.seal(w.b)
}

func (s *Service) openListStreamsToken(tok, region string) (string, error) {
	payload, ok := s.unseal(tok, kindListStreams)
	if !ok {
		return "", invalidArgument("Invalid NextToken.")
	}
	r := tokenReader{b: payload[1:], ok: true}
	r.i64()
	tokRegion, last := r.str(), r.str()
	if !r.done() || tokRegion != region {
		return "", invalidArgument("Invalid NextToken.")
	}
	return last, nil
}

// shardsPage is where a ListShards listing continues.
type shardsPage struct {
	region, name string
	uid          uint64
	createdMs    int64
	from         uint64 // lowest shard index still to list
	filter       shardFilter
	issuedMs     int64
}

func (s *Service) sealShardsPage(p shardsPage) string {
	w := tokenWriter{}
	w.b = append(w.b, kindListShards)
	w.i64(p.issuedMs)
	w.str(p.region)
	w.str(p.name)
	w.u64(p.uid)
	w.i64(p.createdMs)
	w.u64(p.from)
	w.b = append(w.b, byte(p.filter.kind))
	w.i64(p.filter.tsMs)
	w.u64(p.filter.after)
	return s.seal(w.b)
}

func (s *Service) openShardsPage(tok string) (shardsPage, bool) {
	payload, ok := s.unseal(tok, kindListShards)
	if !ok {
		return shardsPage{}, false
	}
	r := tokenReader{b: payload[1:], ok: true}
	p := shardsPage{issuedMs: r.i64()}
	p.region, p.name = r.str(), r.str()
	p.uid, p.createdMs, p.from = r.u64(), r.i64(), r.u64()
	p.filter.kind = filterKind(r.byte1())
	p.filter.tsMs, p.filter.after = r.i64(), r.u64()
	if !r.done() || p.filter.kind > filterFromTimestamp {
		return shardsPage{}, false
	}
	return p, true
}
