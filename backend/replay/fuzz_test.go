package replay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzBusDetail: whatever the record holds, the detail is a JSON object
// whose sluiceEventId is the id, and the data can be read back from it.
func FuzzBusDetail(f *testing.F) {
	for _, p := range payloads {
		f.Add(p)
	}
	f.Add([]byte(`{"detail-type":"x","source":"s","detail":{"a":1}}`))
	f.Add([]byte(`{"sluiceEventId":"other","a":1}`))
	f.Add([]byte(` { } `))
	f.Add([]byte(`"string"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, detail := busDetail("id-1", data)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(detail, &obj); err != nil || !utf8.Valid(detail) {
			t.Fatalf("%q gave detail %q: %v", data, detail, err)
		}
		if _, ok := obj[BusIDField]; !ok {
			t.Fatalf("%q: no id in %s", data, detail)
		}
		raw, wrapped := obj["data"]
		if !wrapped || isJSONObject(bytes.TrimSpace(data)) {
			return
		}
		var back []byte
		var enc string
		_ = json.Unmarshal(obj["dataEncoding"], &enc)
		var s string
		switch {
		case enc == "base64":
			must(t, json.Unmarshal(raw, &s))
			b, err := base64.StdEncoding.DecodeString(s)
			must(t, err)
			back = b
		case json.Unmarshal(raw, &s) == nil && !json.Valid(bytes.TrimSpace(data)):
			back = []byte(s)
		default:
			back = raw
		}
		if !bytes.Equal(bytes.TrimSpace(back), bytes.TrimSpace(data)) && !bytes.Equal(back, data) {
			t.Fatalf("%q came back as %q from %s", data, back, detail)
		}
	})
}

// FuzzSQSBody: the body is text SQS takes, and reads back to the data.
func FuzzSQSBody(f *testing.F) {
	for _, p := range payloads {
		f.Add(p, "customer-1")
	}
	f.Fuzz(func(t *testing.T, data []byte, pk string) {
		body, encoded := sqsBody(data)
		for _, r := range body {
			if notSQSChar(r) {
				t.Fatalf("%q: body holds %U", data, r)
			}
		}
		back := []byte(body)
		if encoded {
			var err error
			if back, err = base64.StdEncoding.DecodeString(body); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(back, data) {
			t.Fatalf("%q came back as %q", data, back)
		}
		g := messageGroupID(pk)
		if len(g) < 1 || len(g) > 128 {
			t.Fatalf("group id %q", g)
		}
		for i := 0; i < len(g); i++ {
			if g[i] <= 0x20 || g[i] >= 0x7f {
				t.Fatalf("group id %q", g)
			}
		}
	})
}
