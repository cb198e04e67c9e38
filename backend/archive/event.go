package archive

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Event is one archived object: the record as it was in the stream and
// why it failed.
type Event struct {
	ID         string    `json:"id"`
	Consumer   string    `json:"consumer"`
	Record     Record    `json:"record"`
	Failure    Failure   `json:"failure"`
	HydratedAt time.Time `json:"hydratedAt"`
	// Replay is set on the copy under _replayed/.
	Replay *Replay `json:"replay,omitempty"`
}

// Record is the Kinesis record.
type Record struct {
	StreamARN      string    `json:"streamArn"`
	ShardID        string    `json:"shardId"`
	SequenceNumber string    `json:"sequenceNumber"`
	PartitionKey   string    `json:"partitionKey"`
	ArrivalTime    time.Time `json:"arrivalTime"`
	// DataEncoding is "json" when Data is the record's JSON as it was,
	// "base64" when Data is a base64 string of the bytes.
	DataEncoding string          `json:"dataEncoding"`
	Data         json.RawMessage `json:"data"`
}

// Failure is why the record was archived.
type Failure struct {
	// Source is "pipe" or "lambda".
	Source      string    `json:"source,omitempty"`
	Condition   string    `json:"condition,omitempty"`
	ConsumerARN string    `json:"consumerArn,omitempty"`
	DLQ         string    `json:"dlq,omitempty"`
	MessageID   string    `json:"dlqMessageId,omitempty"`
	FailedAt    time.Time `json:"failedAt"`
}

// Replay is what a replay did with the event.
type Replay struct {
	At     time.Time `json:"at"`
	Target string    `json:"target"`
	// Result is "accepted", or what the target answered.
	Result string `json:"result"`
	// Code is the target's short answer ("200"), and Tries the sends it
	// took, retries included; a mark made by hand has neither.
	Code  string `json:"code,omitempty"`
	Tries int    `json:"tries,omitempty"`
}

// Encodings of Record.Data.
const (
	EncodingJSON   = "json"
	EncodingBase64 = "base64"
)

// SetData stores data: as JSON when it is compact, valid UTF-8 JSON (so
// that it reads back byte for byte), else as base64.
func (r *Record) SetData(data []byte) {
	if utf8.Valid(data) && json.Valid(data) {
		var compact bytes.Buffer
		if json.Compact(&compact, data) == nil && bytes.Equal(compact.Bytes(), data) {
			r.DataEncoding, r.Data = EncodingJSON, append(json.RawMessage(nil), data...)
			return
		}
	}
	b, _ := json.Marshal(base64.StdEncoding.EncodeToString(data))
	r.DataEncoding, r.Data = EncodingBase64, b
}

// Bytes returns the record's data exactly as it was in the stream.
func (r Record) Bytes() ([]byte, error) {
	switch r.DataEncoding {
	case EncodingJSON:
		// Only compact JSON is stored as JSON, and the object's indenting
		// adds only whitespace between tokens: compacting restores it.
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.Data); err != nil {
			return nil, fmt.Errorf("record data: %w", err)
		}
		return buf.Bytes(), nil
	case EncodingBase64:
		var s string
		if err := json.Unmarshal(r.Data, &s); err != nil {
			return nil, fmt.Errorf("record data: %w", err)
		}
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, fmt.Errorf("record data: unknown encoding %q", r.DataEncoding)
}

// Marshal encodes e as the object's body. HTML escaping is off, since it
// would change the record's JSON bytes.
func (e Event) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encode event %s: %w", e.ID, err)
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes an object's body.
func Unmarshal(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return e, fmt.Errorf("decode archived event: %w", err)
	}
	if e.ID == "" || e.Record.DataEncoding == "" {
		return e, fmt.Errorf("decode archived event: not a sluice archive object (no id or data)")
	}
	return e, nil
}

// KeyParts are the parts of e's object key.
func (e Event) KeyParts() KeyParts {
	return KeyParts{Consumer: e.Consumer, Arrival: e.Record.ArrivalTime, PartitionKey: e.Record.PartitionKey, ID: e.ID}
}
