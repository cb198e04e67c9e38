package pipes

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/localengine/wire"
)

// event returns the record as Pipes hands a Kinesis record to a target,
// encoding it on first use:
//
//	{"eventSource":"aws:kinesis","eventVersion":"1.0",
//	 "eventID":"shardId-…:<seq>","eventName":"aws:kinesis:record",
//	 "invokeIdentityArn":<role>,"awsRegion":<region>,"eventSourceARN":<stream>,
//	 "kinesisSchemaVersion":"1.0","partitionKey":…,"sequenceNumber":…,
//	 "data":<base64>,"approximateArrivalTimestamp":<epoch seconds>}
//
// data stays base64 as in AWS's events; JSON data is looked into only by
// dynamic target parameters ("$.data.customerId").
func (r *runner) event(shard string, rec *kinRecord) []byte {
	if rec.event != nil {
		return rec.event
	}
	n := base64.StdEncoding.EncodedLen(len(rec.Data))
	b := make([]byte, 0, 320+len(r.role)+len(r.streamArn)+2*len(rec.PartitionKey)+2*len(rec.Seq)+n)
	b = append(b, `{"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":`...)
	b = wire.AppendJSONString(b, shard+":"+rec.Seq)
	b = append(b, `,"eventName":"aws:kinesis:record","invokeIdentityArn":`...)
	b = wire.AppendJSONString(b, r.role)
	b = append(b, `,"awsRegion":`...)
	b = wire.AppendJSONString(b, r.streamRegion)
	b = append(b, `,"eventSourceARN":`...)
	b = wire.AppendJSONString(b, r.streamArn)
	b = append(b, `,"kinesisSchemaVersion":"1.0","partitionKey":`...)
	b = wire.AppendJSONString(b, rec.PartitionKey)
	b = append(b, `,"sequenceNumber":`...)
	b = wire.AppendJSONString(b, rec.Seq)
	b = append(b, `,"data":"`...)
	b = slices.Grow(b, n+64)
	l := len(b)
	b = b[:l+n]
	base64.StdEncoding.Encode(b[l:], rec.Data)
	b = append(b, `","approximateArrivalTimestamp":`...)
	b = appendEpoch(b, rec.ArrivalMs)
	b = append(b, '}')
	rec.event = b
	return b
}

// batchJSON is the batch as one JSON array of events, the body of an
// API-destination call.
func (r *runner) batchJSON(shard string, batch []kinRecord) []byte {
	size := 2
	for i := range batch {
		size += len(r.event(shard, &batch[i])) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, '[')
	for i := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, batch[i].event...)
	}
	return append(b, ']')
}

// Dynamic target parameters: a value that is a JSON path ("$.partitionKey",
// "$.data.customer.id", "$.data.items[0]") is taken from each event.

var errPathNotFound = errors.New("the JSON path matches nothing in the event")

// isPath tells a dynamic parameter from a static one.
func isPath(v string) bool { return strings.HasPrefix(v, "$.") }

// pathStep is one step of a JSON path: a member name or an array index.
type pathStep struct {
	name  string
	index int // used when name is ""
}

// parsePath parses the JSON path subset Pipes supports: dot notation with
// letters, digits, dashes and underscores, and array indices.
func parsePath(p string) ([]pathStep, bool) {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok || rest == "" || len(p) > 256 {
		return nil, false
	}
	var steps []pathStep
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			i := 0
			for i < len(rest) && isPathChar(rest[i]) {
				i++
			}
			if i == 0 {
				return nil, false
			}
			steps = append(steps, pathStep{name: rest[:i]})
			rest = rest[i:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 2 {
				return nil, false
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, false
			}
			steps = append(steps, pathStep{index: n})
			rest = rest[end+1:]
		default:
			return nil, false
		}
	}
	return steps, true
}

func isPathChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// resolveParam returns a target parameter's value for one event: the
// value itself, or, for a JSON path, what the path selects. Inside
// "data", the record's data is read as JSON when it is JSON, as AWS does.
func (r *runner) resolveParam(shard string, rec *kinRecord, param string) (string, error) {
	if !isPath(param) {
		return param, nil
	}
	steps, ok := parsePath(param)
	if !ok {
		return "", errors.New("invalid JSON path " + param)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(r.event(shard, rec)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "", err
	}
	if steps[0].name == "data" && len(steps) > 1 {
		var data any
		dd := json.NewDecoder(bytes.NewReader(rec.Data))
		dd.UseNumber()
		if err := dd.Decode(&data); err != nil {
			return "", errors.New("the record's data is not JSON, so " + param + " matches nothing")
		}
		doc = map[string]any{"data": data}
	}
	v := doc
	for _, st := range steps {
		switch cur := v.(type) {
		case map[string]any:
			if st.name == "" {
				return "", errPathNotFound
			}
			if v, ok = cur[st.name]; !ok {
				return "", errPathNotFound
			}
		case []any:
			if st.name != "" || st.index >= len(cur) {
				return "", errPathNotFound
			}
			v = cur[st.index]
		default:
			return "", errPathNotFound
		}
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", errPathNotFound
	default:
		raw, err := json.Marshal(x)
		return string(raw), err
	}
}

// dlqMessage is the DLQ message Pipes sends for a Kinesis batch it gave
// up on: the batch's metadata, never its data.
func dlqMessage(pipeArn, streamArn, shard, condition string, batch []kinRecord, now time.Time) []byte {
	type batchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamArn                       string `json:"streamArn"`
	}
	msg := struct {
		Context struct {
			PartnerResourceArn string `json:"partnerResourceArn"`
			Condition          string `json:"condition"`
		} `json:"context"`
		Version          string    `json:"version"`
		Timestamp        string    `json:"timestamp"`
		KinesisBatchInfo batchInfo `json:"KinesisBatchInfo"`
	}{Version: "1.0", Timestamp: isoMillis(now)}
	msg.Context.PartnerResourceArn = pipeArn
	msg.Context.Condition = condition
	first, last := batch[0], batch[len(batch)-1]
	msg.KinesisBatchInfo = batchInfo{
		ShardID: shard, StartSequenceNumber: first.Seq, EndSequenceNumber: last.Seq,
		ApproximateArrivalOfFirstRecord: isoMillis(time.UnixMilli(first.ArrivalMs)),
		ApproximateArrivalOfLastRecord:  isoMillis(time.UnixMilli(last.ArrivalMs)),
		BatchSize:                       len(batch), StreamArn: streamArn,
	}
	raw, _ := json.Marshal(msg)
	return raw
}

// isoMillis formats t as AWS does in DLQ messages: RFC 3339, UTC,
// milliseconds, "Z".
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
