package decode

import (
	"fmt"
	"unicode/utf8"
)

// Payload is a record's data as sluice shows and filters it.
type Payload struct {
	Kind Kind
	// Gzip is set when Raw was a gzip stream and Body is its inflated form.
	Gzip bool
	// Raw is the data as received; Decode does not copy it.
	Raw []byte
	// Body is Raw after gunzip, or Raw itself.
	Body []byte
	// JSON is the decoded object or array when Kind is JSON: map[string]any
	// and []any with json.Number numbers.
	JSON any
	// Note explains a surprise: a gzip stream that could not be inflated, a
	// KPL aggregate, invalid UTF-8 inside JSON strings. Empty otherwise.
	Note string
}

// Decode classifies data. It never fails: what cannot be read as JSON or
// text is Binary, and a gzip stream that is truncated, corrupt or inflates
// beyond MaxDecompressed is shown as its compressed bytes with a Note.
func Decode(data []byte) Payload {
	p := Payload{Kind: Binary, Raw: data, Body: data}
	if IsGzip(data) {
		body, err := Gunzip(data, MaxDecompressed)
		if err != nil {
			p.Note = fmt.Sprintf("%v; shown as the compressed bytes", err)
			return p
		}
		p.Gzip, p.Body = true, body
	}
	if IsAggregated(p.Body) {
		// The protobuf inside may well pass for text; say what it is.
		p.Note = "KPL aggregated record: de-aggregate it to see its user records"
		return p
	}
	if b := jsonText(p.Body); b != nil {
		if v, ok := decodeJSON(b); ok {
			p.Kind, p.JSON = JSON, v
			if !utf8.Valid(b) {
				// encoding/json turned the bad bytes into U+FFFD for filters;
				// Pretty still shows the original bytes.
				p.Note = "JSON strings hold invalid UTF-8"
			}
			return p
		}
	}
	if isText(p.Body) {
		p.Kind = Text
	}
	return p
}
