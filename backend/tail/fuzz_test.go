package tail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/internal/jsonstr"
)

// FuzzAppendJSON: whatever a record holds, its JSON line is valid JSON on
// one line, and its data reads back as the record's bytes.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, " [1, 2]\n", "text", "\xff\x00", `{"a":`, "\x1b[2J", "\u2028", "", "\u0085\u009b\u202e\u200b", `{"a":"\u0085\u009b\u202e\u200b"}`} {
		f.Add([]byte(s), "key")
	}
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		r := tail.Record{ShardID: "shardId-000000000000", SequenceNumber: "1", SubSequence: -1, PartitionKey: key, Arrival: time.Unix(0, 0), Data: data, Size: len(data)}
		line := tail.AppendJSON(nil, r)
		if bytes.ContainsAny(line, "\n\r") {
			t.Fatalf("not one line: %q", line)
		}
		for _, r := range string(line) {
			if r < 0x20 || jsonstr.Unsafe(r) {
				t.Fatalf("raw %U in %q", r, line)
			}
		}
		var got struct {
			PartitionKey string          `json:"partitionKey"`
			Data         json.RawMessage `json:"data"`
			DataEncoding string          `json:"dataEncoding"`
		}
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		if utf8.ValidString(key) && got.PartitionKey != key {
			t.Fatalf("partition key %q read back as %q", key, got.PartitionKey)
		}
		switch {
		case got.DataEncoding == "base64":
			var s string
			if err := json.Unmarshal(got.Data, &s); err != nil {
				t.Fatal(err)
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil || !bytes.Equal(b, data) {
				t.Fatalf("base64 %q does not read back as %q", s, data)
			}
		case got.Data[0] == '"':
			var s string
			if err := json.Unmarshal(got.Data, &s); err != nil || s != string(data) {
				t.Fatalf("text %s does not read back as %q", got.Data, data)
			}
		default:
			var compact bytes.Buffer
			if err := json.Compact(&compact, data); err != nil || !bytes.Equal(jsonstr.EscapeUnsafe(nil, compact.Bytes()), got.Data) {
				t.Fatalf("JSON %s is not %q compacted", got.Data, data)
			}
		}
	})
}

// FuzzParsePosition: any --from either fails or yields a position whose
// fields fit its kind.
func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"latest", "trim-horizon", "15m", "-2h", "2024-05-01T12:00:00.5+02:00", "123", "after:123", "at:", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := tail.ParsePosition(s)
		if err != nil {
			return
		}
		switch p.Kind {
		case tail.AtSequence, tail.AfterSequence:
			if p.Sequence == "" {
				t.Fatalf("%q: no sequence number", s)
			}
			if again, err := tail.ParsePosition(p.String()); err != nil || again != p {
				t.Fatalf("%q: %v does not parse back (%v, %v)", s, p, again, err)
			}
		case tail.AtTimestamp:
			if p.Time.IsZero() == (p.Ago == 0) || p.Ago < 0 {
				t.Fatalf("%q: time %v, ago %v", s, p.Time, p.Ago)
			}
		}
	})
}

// FuzzAppendProjectedJSON: whatever a jq expression yields from a
// record, its projected line is valid JSON on one line with no raw
// control or unsafe rune, and its data is that value.
func FuzzAppendProjectedJSON(f *testing.F) {
	for _, s := range [][2]string{{`{"a":{"b":"\u001b[2J"}}`, `.a.b`}, {`{"a":[1,"\u2028"]}`, `.a[]`}, {"text\x07", `.`}, {`{"n":12345678901234567890123}`, `.n`}, {`{}`, `{x: "\u0085"}`}} {
		f.Add([]byte(s[0]), s[1])
	}
	f.Fuzz(func(t *testing.T, data []byte, expr string) {
		flt, err := decode.CompileFilter(expr)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p, err := flt.Project(ctx, decode.Decode(data), decode.Meta{})
		if err != nil {
			return
		}
		r := tail.Record{ShardID: "shardId-000000000000", SequenceNumber: "1", SubSequence: -1, PartitionKey: "k", Data: data, Size: len(data)}
		for _, v := range p.Values {
			line := tail.AppendProjectedJSON(nil, r, v)
			if bytes.ContainsAny(line, "\n\r") {
				t.Fatalf("not one line: %q", line)
			}
			for _, c := range string(line) {
				if c < 0x20 || jsonstr.Unsafe(c) {
					t.Fatalf("raw %U in %q", c, line)
				}
			}
			var got struct {
				Data      json.RawMessage `json:"data"`
				Projected bool            `json:"projected"`
			}
			if err := json.Unmarshal(line, &got); err != nil || !got.Projected {
				t.Fatalf("invalid JSON %q: %v", line, err)
			}
			var want, back any
			if json.Unmarshal(v, &want) == nil && (json.Unmarshal(got.Data, &back) != nil || !reflect.DeepEqual(want, back)) {
				t.Fatalf("data %s is not %s", got.Data, v)
			}
		}
	})
}
