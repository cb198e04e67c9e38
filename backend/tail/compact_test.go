package tail

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonstr"
)

func TestCompactJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, ` { "a" : [ 1 , -2.5e+3 , true , false , null , "x\"\\\/\b\f\n\r\t\u00e9" ] , "b" : { } } `,
		`[[[[]]]]`, `{"a":{"b":{"c":[]}}}`, `0`, `-0`, `"s"`, ` 1 `,
		`{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `01`, `1.`, `.5`, `1e`, `-`, `+1`,
		`tru`, `nul`, `[1 2]`, `{"a":1 "b":2}`, `"\x"`, `"\u12"`, "\"a\x01\"", `[}`, `{]`, `{} {}`, `{1:2}`, ``, ` `,
	} {
		checkCompact(t, []byte(s))
	}
}

func checkCompact(t *testing.T, src []byte) {
	t.Helper()
	var want bytes.Buffer
	wantErr := json.Compact(&want, src)
	if wantErr != nil && strings.Contains(wantErr.Error(), "exceeded max depth") {
		return // encoding/json stops at 10,000 levels; valid JSON all the same
	}
	got, ok := appendCompactJSON([]byte("prefix"), src)
	if ok != (wantErr == nil) {
		t.Fatalf("%q: valid %v, encoding/json says %v", src, ok, wantErr)
	}
	if !ok {
		if string(got) != "prefix" {
			t.Fatalf("%q: dst changed to %q on invalid input", src, got)
		}
		return
	}
	// Strings are copied as they are but for the runes a terminal acts
	// on, which are escaped.
	if w := escapeUnsafeRunes(want.Bytes()); string(got) != "prefix"+w {
		t.Fatalf("%q: compacted to %q, want %q", src, got[len("prefix"):], w)
	}
}

// escapeUnsafeRunes writes jsonstr.Unsafe runes as \uXXXX and keeps the
// rest, invalid bytes included.
func escapeUnsafeRunes(b []byte) string {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if size > 1 && jsonstr.Unsafe(r) {
			out = jsonstr.AppendEscape(out, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return string(out)
}

func TestCompactJSONEscapesWhatTerminalsActOn(t *testing.T) {
	src := []byte("{ \"a\u0085\" : [\"\u009b2J\", \"\u202e\u200b\ufeff\u2028\", \"é\"] }")
	got, ok := appendCompactJSON(nil, src)
	if want := `{"a\u0085":["\u009b2J","\u202e\u200b\ufeff\u2028","é"]}`; !ok || string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func FuzzCompactJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, ` [ true , "x" ] `, `{"a":1,}`, `-1.5e-7`, `"\u00zz"`, "[\"\u0085\u202e\xff\"]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkCompact(t, src) })
}

func BenchmarkCompactJSON(b *testing.B) {
	src := []byte(`{"orderId":"ord-000000004711","customer":"customer-4711","amount":123.45,"currency":"EUR","status":"CREATED","items":[{"sku":"sku-17","qty":2}],"at":"2024-05-01T12:00:00Z"}`)
	var dst []byte
	b.Run("appendCompactJSON", func(b *testing.B) {
		for b.Loop() {
			dst, _ = appendCompactJSON(dst[:0], src)
		}
	})
	b.Run("json.Compact", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			_ = json.Compact(&buf, src)
		}
	})
}

func TestAppendArrival(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2024, 5, 1, 12, 0, 0, 7e6, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("x", 3600)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
	} {
		if got, want := string(appendArrival(nil, tm)), tm.UTC().Format(arrivalLayout); got != want {
			t.Errorf("%v: %s, want %s", tm, got, want)
		}
	}
}
