package tail

import (
	"encoding/base64"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonstr"
)

// arrivalLayout is UTC with milliseconds, Kinesis's precision, in a fixed
// width so that it sorts as text.
const arrivalLayout = "2006-01-02T15:04:05.000Z07:00"

// appendArrival formats t in arrivalLayout by hand: time's layout engine
// costs more than the rest of a JSON line's metadata.
func appendArrival(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, arrivalLayout)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	return append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// AppendJSON appends r as one line of JSON, the format of `sluice tail -o
// jsonl`:
//
//	{"shardId":…,"sequenceNumber":…,"subSequence":…,"partitionKey":…,
//	 "explicitHashKey":…,"arrival":…,"data":…,"dataEncoding":"base64","size":…}
//
// subSequence and explicitHashKey appear only for user records of a KPL
// aggregate. data is the payload itself when it is a JSON object or array
// (compacted onto one line), a string when it is other UTF-8 text, and
// base64 (with "dataEncoding":"base64") otherwise. It is written by hand:
// it is the hot path of a bulk export.
func AppendJSON(dst []byte, r Record) []byte {
	dst = appendCoordinates(dst, r)
	dst = append(dst, `,"data":`...)
	dst = appendData(dst, r.Data)
	dst = append(dst, `,"size":`...)
	dst = strconv.AppendInt(dst, int64(r.Size), 10)
	return append(dst, '}')
}

// AppendProjectedJSON appends one value of r's projection (see
// Record.Projection) as one line of JSON: r's coordinates as AppendJSON
// writes them, the value as "data", and "projected":true. A projection
// of several values is several lines, as jq prints them.
func AppendProjectedJSON(dst []byte, r Record, value []byte) []byte {
	dst = appendCoordinates(dst, r)
	dst = append(dst, `,"data":`...)
	if out, ok := appendCompactJSON(dst, value); ok {
		dst = out
	} else {
		// Not JSON (it always is, from jq): shown as a string.
		dst = jsonstr.Append(dst, value)
	}
	dst = append(dst, `,"projected":true,"size":`...)
	dst = strconv.AppendInt(dst, int64(r.Size), 10)
	return append(dst, '}')
}

// appendCoordinates opens r's object with what places it: shard,
// sequence, partition key, arrival.
func appendCoordinates(dst []byte, r Record) []byte {
	dst = append(dst, `{"shardId":`...)
	dst = jsonstr.Append(dst, r.ShardID)
	dst = append(dst, `,"sequenceNumber":`...)
	dst = jsonstr.Append(dst, r.SequenceNumber)
	if r.SubSequence >= 0 {
		dst = append(dst, `,"subSequence":`...)
		dst = strconv.AppendInt(dst, int64(r.SubSequence), 10)
	}
	dst = append(dst, `,"partitionKey":`...)
	dst = jsonstr.Append(dst, r.PartitionKey)
	if r.ExplicitHashKey != "" {
		dst = append(dst, `,"explicitHashKey":`...)
		dst = jsonstr.Append(dst, r.ExplicitHashKey)
	}
	dst = append(dst, `,"arrival":"`...)
	dst = appendArrival(dst, r.Arrival)
	return append(dst, '"')
}

// MarshalJSON encodes r as AppendJSON does.
func (r Record) MarshalJSON() ([]byte, error) { return AppendJSON(nil, r), nil }

// appendData appends the payload as a JSON value, followed by its encoding
// when that is base64.
func appendData(dst, data []byte) []byte {
	if utf8.Valid(data) {
		if looksLikeJSONContainer(data) {
			if out, ok := appendCompactJSON(dst, data); ok {
				return out
			}
		}
		return jsonstr.Append(dst, data)
	}
	dst = append(dst, '"')
	n := len(dst)
	dst = slices.Grow(dst, base64.StdEncoding.EncodedLen(len(data)))[:n+base64.StdEncoding.EncodedLen(len(data))]
	base64.StdEncoding.Encode(dst[n:], data)
	return append(dst, `","dataEncoding":"base64"`...)
}

// looksLikeJSONContainer reports whether data's first non-blank byte opens
// an object or an array.
func looksLikeJSONContainer(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// plainInString marks the bytes a JSON string holds as they are: not a
// quote, a backslash or a control character. Bytes of multi-byte UTF-8
// are marked too (appendCompactJSON's caller checks UTF-8 beforehand),
// except the lead bytes of runes that jsonstr escapes.
var plainInString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && !jsonstr.MayStartUnsafe(byte(c))
	}
	return t
}()
