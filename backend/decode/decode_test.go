package decode

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeKinds(t *testing.T) {
	orderJSON := []byte(`{"type":"order","id":12345678901234567890123,"items":[{"sku":"a","qty":2}]}`)
	tests := []struct {
		name     string
		data     []byte
		kind     Kind
		gzip     bool
		noteHas  string
		pretty   string // checked when set
		preview7 string // Preview(7), checked when set
	}{
		{name: "JSON object", data: orderJSON, kind: JSON},
		{name: "JSON array with whitespace", data: []byte(" [1, 2]\n"), kind: JSON, pretty: "[\n  1,\n  2\n]"},
		{name: "JSON with BOM", data: []byte("\xef\xbb\xbf{\"a\":1}"), kind: JSON, pretty: "{\n  \"a\": 1\n}"},
		{name: "JSON number is text", data: []byte("42"), kind: Text, pretty: "42"},
		{name: "JSON string is text", data: []byte(`"ok"`), kind: Text},
		{name: "JSON null is text", data: []byte("null"), kind: Text},
		{name: "two JSON values are text", data: []byte(`{"a":1}{"b":2}`), kind: Text},
		{name: "broken JSON is text", data: []byte(`{"a":`), kind: Text},
		{name: "UTF-8 text", data: []byte("héllo wörld\nsecond line"), kind: Text, preview7: "héllo …"},
		{name: "ANSI coloured log line is text", data: []byte("\x1b[31mERROR\x1b[0m disk full on /dev/sda1"), kind: Text},
		{name: "empty is text", data: []byte{}, kind: Text, pretty: ""},
		{name: "binary with NUL", data: []byte{0, 1, 2, 3, 'a'}, kind: Binary, preview7: "00 01 …"},
		{name: "invalid UTF-8", data: []byte("caf\xe9"), kind: Binary},
		{name: "mostly controls", data: []byte("\x01\x02\x03abc"), kind: Binary},
		{name: "gzip JSON", data: gzipBytes(t, orderJSON), kind: JSON, gzip: true},
		{name: "gzip text", data: gzipBytes(t, []byte("plain words")), kind: Text, gzip: true, pretty: "plain words"},
		{name: "truncated gzip", data: gzipBytes(t, orderJSON)[:30], kind: Binary, noteHas: "truncated"},
		{name: "corrupt gzip", data: corruptGzip(gzipBytes(t, orderJSON)), kind: Binary, noteHas: "gzip"},
		{name: "gzip magic only", data: []byte{0x1f, 0x8b}, kind: Binary, noteHas: "gzip header"},
		{name: "KPL aggregate", data: Aggregate([]UserRecord{{PartitionKey: "k", Data: []byte("hello")}}), kind: Binary, noteHas: "KPL"},
		{name: "JSON with invalid UTF-8 in a string", data: []byte("{\"a\":\"\xff\"}"), kind: JSON, noteHas: "invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Decode(tc.data)
			if p.Kind != tc.kind {
				t.Fatalf("Kind = %v, want %v (note %q)", p.Kind, tc.kind, p.Note)
			}
			if p.Gzip != tc.gzip {
				t.Errorf("Gzip = %v, want %v", p.Gzip, tc.gzip)
			}
			if !bytes.Equal(p.Raw, tc.data) {
				t.Errorf("Raw is not the input")
			}
			if !tc.gzip && !bytes.Equal(p.Body, tc.data) {
				t.Errorf("Body changed without gzip")
			}
			if (p.Kind == JSON) != (p.JSON != nil) {
				t.Errorf("JSON value %v for kind %v", p.JSON, p.Kind)
			}
			if tc.noteHas == "" && p.Note != "" {
				t.Errorf("unexpected note %q", p.Note)
			}
			if !strings.Contains(p.Note, tc.noteHas) {
				t.Errorf("Note = %q, want it to mention %q", p.Note, tc.noteHas)
			}
			if tc.pretty != "" || (tc.kind == Text && len(tc.data) == 0) {
				if got := p.Pretty(); got != tc.pretty {
					t.Errorf("Pretty = %q, want %q", got, tc.pretty)
				}
			}
			if tc.preview7 != "" {
				if got := p.Preview(7); got != tc.preview7 {
					t.Errorf("Preview(7) = %q, want %q", got, tc.preview7)
				}
			}
		})
	}
}

func corruptGzip(gz []byte) []byte {
	out := bytes.Clone(gz)
	out[len(out)-6] ^= 0xff // inside the CRC-32 trailer
	return out
}

func TestDecodeKeepsBigNumbers(t *testing.T) {
	p := Decode([]byte(`{"id":12345678901234567890123,"f":1.50}`))
	obj := p.JSON.(map[string]any)
	if obj["id"] != json.Number("12345678901234567890123") || obj["f"] != json.Number("1.50") {
		t.Errorf("numbers not kept as written: %#v", obj)
	}
	if got := p.Pretty(); !strings.Contains(got, "12345678901234567890123") || !strings.Contains(got, "1.50") {
		t.Errorf("Pretty lost number spelling: %s", got)
	}
}

func TestPrettyKeepsKeyOrder(t *testing.T) {
	p := Decode([]byte(`{"z":1,"a":{"y":[true,null],"b":"x"}}`))
	want := "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": [\n      true,\n      null\n    ],\n    \"b\": \"x\"\n  }\n}"
	if got := p.Pretty(); got != want {
		t.Errorf("Pretty =\n%s\nwant\n%s", got, want)
	}
}

func TestPrettyBinaryIsBoundedHexDump(t *testing.T) {
	data := bytes.Repeat([]byte{0, 0xff}, PrettyHexLimit)
	got := Decode(data).Pretty()
	if !strings.HasPrefix(got, "00000000  00 ff 00 ff") {
		t.Errorf("Pretty of binary does not start with a hex dump: %.60q", got)
	}
	if !strings.HasSuffix(got, "… 65536 more bytes\n") {
		t.Errorf("Pretty of large binary does not end with the omitted count: %q", got[len(got)-40:])
	}
}

func TestGzipBombIsBounded(t *testing.T) {
	// 32 gzip members of 16 MiB of zeros each: 512 MiB inflated from ~500 KiB.
	const inflated = 32 * (16 << 20)
	bomb := bytes.Repeat(gzipBytes(t, make([]byte, 16<<20)), 32)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p := Decode(bomb)
	runtime.ReadMemStats(&after)
	if p.Kind != Binary || p.Gzip || !strings.Contains(p.Note, "over the limit") {
		t.Fatalf("bomb decoded as %v gzip=%v note=%q", p.Kind, p.Gzip, p.Note)
	}
	// The buffer doubles up to the limit: at most about three times the limit
	// allocated in all, whatever the bomb's size.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 3*MaxDecompressed+(4<<20) {
		t.Errorf("decoding a %d MiB bomb allocated %d MiB", inflated>>20, allocated>>20)
	}
	if _, err := Gunzip(bomb, 1024); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("Gunzip with a small limit: %v", err)
	}
}

func TestGunzipAtLimit(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1000)
	got, err := Gunzip(gzipBytes(t, data), 1000)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Gunzip of exactly the limit: %v", err)
	}
	if _, err := Gunzip(gzipBytes(t, data), 999); err == nil {
		t.Fatal("Gunzip one byte over the limit succeeded")
	}
}

func TestGunzipMultipleMembers(t *testing.T) {
	data := append(gzipBytes(t, []byte(`{"a":`)), gzipBytes(t, []byte(`1}`))...)
	if p := Decode(data); p.Kind != JSON || !p.Gzip {
		t.Errorf("two gzip members: %v gzip=%v note=%q", p.Kind, p.Gzip, p.Note)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{JSON: "JSON", Text: "Text", Binary: "Binary", Kind(9): "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestPreview(t *testing.T) {
	tests := []struct {
		name string
		data string
		n    int
		want string
	}{
		{"JSON compacted in order", "{\n  \"b\": 1,\n  \"a\": \"x y\"\n}", 40, `{"b":1,"a":"x y"}`},
		{"JSON cut", `{"message":"hello world"}`, 10, `{"message…`},
		{"JSON escaped quote in string", `{"a":"x\" y"}`, 40, `{"a":"x\" y"}`},
		{"JSON multibyte not split", `["ééé"]`, 5, `["éé…`},
		{"text first line", "first line\nsecond", 40, "first line…"},
		{"text skips blank lines", "\n\n  hello\n", 40, "hello"},
		{"text CRLF", "one\r\ntwo", 40, "one…"},
		{"text exact fit", "abcde", 5, "abcde"},
		{"text cut", "abcdef", 5, "abcd…"},
		{"binary fits", "\x00\x01", 5, "00 01"},
		{"binary cut at byte", "\x00\x01\x02", 7, "00 01 …"},
		{"binary tiny", "\x00\x01\x02", 2, "…"},
		{"zero width", "abc", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Decode([]byte(tc.data)).Preview(tc.n)
			if got != tc.want {
				t.Errorf("Preview(%d) = %q, want %q", tc.n, got, tc.want)
			}
			if utf8.RuneCountInString(got) > tc.n {
				t.Errorf("Preview(%d) has %d runes", tc.n, utf8.RuneCountInString(got))
			}
		})
	}
}

// bigJSONLine is a 1 MiB JSON array on one line.
func bigJSONLine() []byte {
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	for i := 0; b.Len() < 1<<20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"seq":123456789,"kind":"order.created","payload":"lorem ipsum dolor sit amet"}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func TestPreviewOfMegabyteLineIsCheap(t *testing.T) {
	p := Decode(bigJSONLine())
	if p.Kind != JSON {
		t.Fatalf("1 MiB JSON line decoded as %v", p.Kind)
	}
	got := p.Preview(100)
	if utf8.RuneCountInString(got) != 100 || !strings.HasPrefix(got, `{"events":[{"seq":123456789,`) || !strings.HasSuffix(got, "…") {
		t.Errorf("Preview(100) = %q", got)
	}
	allocated := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = p.Preview(100)
		}
	}).AllocedBytesPerOp()
	if allocated > 4096 {
		t.Errorf("Preview(100) of 1 MiB allocates %d bytes per call", allocated)
	}
}

func TestHexDump(t *testing.T) {
	got := HexDump([]byte("Hello, sluice!\x00\x01\xffxyz"), 0)
	want := "" +
		"00000000  48 65 6c 6c 6f 2c 20 73  6c 75 69 63 65 21 00 01  |Hello, sluice!..|\n" +
		"00000010  ff 78 79 7a                                       |.xyz|\n"
	if got != want {
		t.Errorf("HexDump =\n%s\nwant\n%s", got, want)
	}
	got = HexDump(bytes.Repeat([]byte{'a'}, 40), 16)
	want = "00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n… 24 more bytes\n"
	if got != want {
		t.Errorf("HexDump with max =\n%s\nwant\n%s", got, want)
	}
	if got := HexDump(nil, 10); got != "" {
		t.Errorf("HexDump(nil) = %q", got)
	}
}
