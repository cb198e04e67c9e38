package kinesis

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// maxPutRecordsEntries is AWS's limit on records in one PutRecords call.
const maxPutRecordsEntries = 500

// putEntry is one record of a write request. Its byte slices point into
// the request body or the request's arena.
type putEntry struct {
	data    []byte
	dataSet bool
	pk      []byte
	pkSet   bool
	ehk     []byte
	ehkSet  bool
}

type putRecordsRequest struct {
	id         streamIDInput
	records    []putEntry
	recordsSet bool
	count      int // entries seen, which may exceed what is kept
}

// decodePutRecords decodes a PutRecords body without reflection. Blobs are
// base64-decoded into one arena as large as the body (decoded data is
// never longer than its encoding), so a request costs a few allocations
// whatever its record count.
func decodePutRecords(body []byte) (*putRecordsRequest, error) {
	s := &jsonScanner{b: body}
	req := &putRecordsRequest{}
	if s.atEnd() {
		return req, nil
	}
	arena := make([]byte, 0, len(body))
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "StreamName":
			return s.optString(&req.id.StreamName)
		case "StreamARN":
			return s.optString(&req.id.StreamARN)
		case "StreamId":
			return s.optString(&req.id.StreamId)
		case "Records":
			if s.null() {
				req.records, req.recordsSet, req.count = nil, false, 0
				return nil
			}
			req.recordsSet = true
			req.records = req.records[:0]
			req.count = 0
			if !s.consume('[') {
				return errSyntax
			}
			if s.consume(']') {
				return nil
			}
			for {
				req.count++
				if req.count > maxPutRecordsEntries {
					if err := s.skip(1); err != nil {
						return err
					}
				} else {
					var e putEntry
					var err error
					if arena, err = decodeEntry(s, &e, arena); err != nil {
						return err
					}
					req.records = append(req.records, e)
				}
				if s.consume(']') {
					return nil
				}
				if !s.consume(',') {
					return errSyntax
				}
			}
		default:
			return s.skip(1)
		}
	})
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return nil, awserr.Serialization("Could not parse request body: %v", err)
	}
	return req, nil
}

// decodeEntry decodes one PutRecordsRequestEntry (or a PutRecord body).
func decodeEntry(s *jsonScanner, e *putEntry, arena []byte) ([]byte, error) {
	if s.null() {
		return arena, nil
	}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "Data":
			var err error
			e.data, e.dataSet, arena, err = s.blob(arena)
			return err
		case "PartitionKey":
			var err error
			e.pk, e.pkSet, arena, err = s.text(arena)
			return err
		case "ExplicitHashKey":
			var err error
			e.ehk, e.ehkSet, arena, err = s.text(arena)
			return err
		default:
			return s.skip(2)
		}
	})
	return arena, err
}

var errBase64 = base64Error{}

type base64Error struct{}

func (base64Error) Error() string { return "Data is not valid base64" }

// blob reads a base64 string (or null) and decodes it onto the arena.
func (s *jsonScanner) blob(arena []byte) ([]byte, bool, []byte, error) {
	if s.null() {
		return nil, false, arena, nil
	}
	raw, escaped, err := s.str()
	if err != nil {
		return nil, false, arena, err
	}
	if escaped {
		if raw, err = unescape(nil, raw); err != nil {
			return nil, false, arena, err
		}
	}
	start := len(arena)
	need := base64.StdEncoding.DecodedLen(len(raw))
	if cap(arena)-start < need {
		// Only escapes can make the decoded data outgrow its share of
		// the body; fall back to a separate allocation then.
		out, err := base64.StdEncoding.DecodeString(string(raw))
		if err != nil {
			return nil, false, arena, errBase64
		}
		return out, true, arena, nil
	}
	n, err := base64.StdEncoding.Decode(arena[start:start+need], raw)
	if err != nil {
		return nil, false, arena, errBase64
	}
	arena = arena[:start+n]
	return arena[start : start+n : start+n], true, arena, nil
}

// text reads a string (or null). An unescaped string is returned in place;
// one with escapes is decoded onto the arena. Invalid UTF-8 is replaced.
func (s *jsonScanner) text(arena []byte) ([]byte, bool, []byte, error) {
	if s.null() {
		return nil, false, arena, nil
	}
	raw, escaped, err := s.str()
	if err != nil {
		return nil, false, arena, err
	}
	if escaped {
		start := len(arena)
		if cap(arena)-start < len(raw) {
			out, err := unescape(nil, raw)
			return validUTF8(out), true, arena, err
		}
		if arena, err = unescape(arena, raw); err != nil {
			return nil, false, arena, err
		}
		raw = arena[start:len(arena):len(arena)]
	}
	return validUTF8(raw), true, arena, nil
}

func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

func (s *jsonScanner) optString(dst **string) error {
	b, ok, _, err := s.text(nil)
	if err != nil {
		return err
	}
	if !ok {
		*dst = nil
		return nil
	}
	v := string(b)
	*dst = &v
	return nil
}
