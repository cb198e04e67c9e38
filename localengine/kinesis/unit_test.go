package kinesis

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/wire"
)

func TestParseHashKey(t *testing.T) {
	max128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	for _, s := range []string{"0", "1", "18446744073709551615", "18446744073709551616", "85070591730234615865843651857942052864", max128.String(), "0000000000000000000000000000000000000001"} {
		v, ok := parseHashKey([]byte(s))
		want, _ := new(big.Int).SetString(s, 10)
		if !ok || v.big().Cmp(want) != 0 {
			t.Errorf("parseHashKey(%s) = %s, %v", s, v, ok)
		}
	}
	over := new(big.Int).Add(max128, big.NewInt(1)).String()
	for _, s := range []string{"", "-1", "1a", over, "999999999999999999999999999999999999999", strings.Repeat("9", 41)} {
		if v, ok := parseHashKey([]byte(s)); ok {
			t.Errorf("parseHashKey(%q) accepted as %s", s, v)
		}
	}
	if !hashKeyPatternOK("0") || hashKeyPatternOK("01") || hashKeyPatternOK("") || hashKeyPatternOK(strings.Repeat("1", 40)) {
		t.Error("hash key pattern")
	}
}

func TestU128(t *testing.T) {
	a := u128{hi: 1, lo: 0}
	if a.sub1() != (u128{hi: 0, lo: ^uint64(0)}) || a.sub1().add1() != a || maxHashKey.add1() != (u128{}) {
		t.Error("carry")
	}
	if (u128{hi: 1}).cmp(u128{lo: ^uint64(0)}) != 1 || (u128{lo: 2}).cmp(u128{lo: 3}) != -1 || a.cmp(a) != 0 {
		t.Error("cmp")
	}
}

func TestPartitionHash(t *testing.T) {
	for _, k := range []string{"a", "customer-42", "ключ", ""} {
		sum := md5.Sum([]byte(k))
		if got := partitionHash([]byte(k)); got.big().Cmp(new(big.Int).SetBytes(sum[:])) != 0 {
			t.Errorf("hash of %q = %s", k, got)
		}
	}
}

func TestUniformRanges(t *testing.T) {
	four := uniformRanges(4)
	if four[1][0].String() != "85070591730234615865843651857942052864" || four[3][1] != maxHashKey {
		t.Errorf("4 ranges: %v", four)
	}
	for _, n := range []int{1, 2, 3, 5, 7, 1000} {
		r := uniformRanges(n)
		if r[0][0] != (u128{}) || r[n-1][1] != maxHashKey {
			t.Fatalf("%d ranges do not cover the space", n)
		}
		for i := 1; i < n; i++ {
			if r[i-1][1].add1() != r[i][0] {
				t.Fatalf("%d ranges: gap or overlap at %d", n, i)
			}
		}
	}
}

func TestSequenceNumbers(t *testing.T) {
	for _, c := range []seqNum{{1, 0, 0}, {1, 0, 1}, {42, 7, 123456789}, {^uint64(0), maxShardIndex, ^uint64(0)}} {
		s := formatSeq(c.uid, c.shard, c.counter)
		if len(s) != 56 || !seqPatternOK(s) {
			t.Fatalf("%v formats as %q", c, s)
		}
		got, err := parseSeq(s)
		if err != nil || got != c {
			t.Fatalf("parse(%s) = %v, %v; want %v", s, got, err, c)
		}
	}
	less := func(a, b seqNum) bool {
		return formatSeq(a.uid, a.shard, a.counter) < formatSeq(b.uid, b.shard, b.counter)
	}
	if !less(seqNum{5, 3, 10}, seqNum{5, 3, 11}) || !less(seqNum{5, 3, ^uint64(0)}, seqNum{5, 4, 0}) {
		t.Error("numbers do not order by shard, then counter")
	}
	good := formatSeq(3, 2, 1)
	for _, bad := range []string{"", "0", good[:55], good + "0", "48" + good[2:], good[:55] + string(rune('0'+(good[55]-'0'+1)%10)), strings.Replace(good, "0", "x", 1)} {
		if _, err := parseSeq(bad); err == nil {
			t.Errorf("parseSeq(%q) accepted", bad)
		}
	}
}

func TestIteratorTokens(t *testing.T) {
	s := &Service{macKey: bytes.Repeat([]byte{7}, 32), cfg: Config{Now: time.Now}}
	it := iterator{region: "eu-west-1", name: strings.Repeat("n", 128), uid: 9, createdMs: 1700000000123, shard: 3, pos: 77, issuedMs: 1700000000456}
	tok := s.sealIterator(it)
	if len(tok) > 512 {
		t.Errorf("an iterator is %d characters, over AWS's 512", len(tok))
	}
	got, ok := s.openIterator(tok)
	if !ok || got != it {
		t.Fatalf("round trip: %+v %v", got, ok)
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x40
		if _, ok := s.openIterator(base64.StdEncoding.EncodeToString(bad)); ok {
			t.Fatalf("a token with byte %d changed was accepted", i)
		}
	}
	other := &Service{macKey: bytes.Repeat([]byte{8}, 32)}
	if _, ok := other.openIterator(tok); ok {
		t.Error("a token signed with another key was accepted")
	}
	if _, ok := s.unseal(s.sealListStreamsToken("r", "x"), kindIterator); ok {
		t.Error("a page token passed as an iterator")
	}
}

func TestDecodePutRecords(t *testing.T) {
	body := ` { "Records" : [ {"Data":"aGVsbG8=","PartitionKey":"k\u00e9\"y\ud83d\udd11","Extra":{"a":[1,2.5e3,true,null]}},
		{"PartitionKey":"p","ExplicitHashKey":"12","Data":"AA\/A"}, {"Data":null,"PartitionKey":null} ],
		"StreamName":"s\u002d1", "Unknown": -0.5 } `
	req, err := decodePutRecords([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if *req.id.StreamName != "s-1" || req.count != 3 || len(req.records) != 3 {
		t.Fatalf("decoded %+v", req)
	}
	r0, r1, r2 := req.records[0], req.records[1], req.records[2]
	if string(r0.data) != "hello" || string(r0.pk) != "ké\"y🔑" || r0.ehkSet {
		t.Errorf("record 0: %q %q", r0.data, r0.pk)
	}
	if !bytes.Equal(r1.data, []byte{0, 0x0f, 0xc0}) || string(r1.ehk) != "12" {
		t.Errorf("record 1: %x %q", r1.data, r1.ehk)
	}
	if r2.dataSet || r2.pkSet {
		t.Errorf("record 2: nulls read as set")
	}
	for _, bad := range []string{`{`, `{"Records":[}`, `{"Records":[{"Data":"!!"}]}`, `{"Records":"x"}`, `{"Records":[1]}`, `{"StreamName":1}`, `{} x`, "{\"StreamName\":\"a\x01\"}", `{"a":01}`, `{"a":[1,]}`, `{"a":tru}`} {
		if _, err := decodePutRecords([]byte(bad)); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	var many strings.Builder
	many.WriteString(`{"Records":[`)
	for i := range 600 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"Data":"","PartitionKey":"k"}`)
	}
	many.WriteString("]}")
	req, err = decodePutRecords([]byte(many.String()))
	if err != nil || req.count != 600 || len(req.records) != maxPutRecordsEntries {
		t.Errorf("600 entries: count %d kept %d, %v", req.count, len(req.records), err)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", "q\"b\\s/", "\x00\x1f\t\n\r\x7f", "ünï 鍵 🔑", "bad\xffutf8\xc3", "\u2028"} {
		out := wire.AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q encodes as invalid JSON %s: %v", s, out, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); utf8.ValidString(s) && back != want {
			t.Errorf("%q came back as %q", s, back)
		}
	}
}

func TestEpoch(t *testing.T) {
	if got := string(appendEpoch(nil, 1700000000123)); got != "1700000000.123" {
		t.Errorf("epoch %s", got)
	}
	if got := string(appendEpoch(nil, 5)); got != "0.005" {
		t.Errorf("epoch %s", got)
	}
	var e epochInput
	for in, want := range map[string]int64{"1700000000.123": 1700000000123, "1.7000000001234E9": 1700000000123, "12": 12000} {
		if err := json.Unmarshal([]byte(in), &e); err != nil || e.ms != want {
			t.Errorf("%s decodes as %d, %v", in, e.ms, err)
		}
	}
	for _, bad := range []string{`"x"`, "-1", "1e300"} {
		if err := json.Unmarshal([]byte(bad), &e); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestRecordCodec(t *testing.T) {
	v := appendRecord(nil, []byte("key"), []byte("data"))
	copy(v, []byte{0, 0, 1, 0, 0, 0, 0, 0})
	arrival, pk, data, ok := decodeRecord(v)
	if !ok || arrival != 1<<40 || string(pk) != "key" || string(data) != "data" || len(v) != encodedRecordLen([]byte("key"), []byte("data")) {
		t.Errorf("decoded %d %q %q %v", arrival, pk, data, ok)
	}
	for _, bad := range [][]byte{nil, v[:8], append(v[:8:8], 0xff, 0xff, 0xff), append(v[:8:8], 10, 'a')} {
		if _, _, _, ok := decodeRecord(bad); ok {
			t.Errorf("%x decoded", bad)
		}
	}
}
