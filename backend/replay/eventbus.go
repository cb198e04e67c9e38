package replay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/internal/jsonstr"
)

// What a replayed EventBridge event says it is.
const (
	BusSource     = "sluice.replay"
	BusDetailType = "Replayed event"
	// BusIDField is the detail's field that holds the event id.
	BusIDField = "sluiceEventId"
)

// Entry error codes of PutEvents worth another try.
var retryableBusCodes = map[string]bool{
	"ThrottlingException": true, "InternalFailure": true, "InternalException": true, "ServiceUnavailable": true,
}

// putEvents puts the events at idx on the bus with one PutEvents call,
// each detail built by busDetail; the answer's entries are in the order
// of the request's, each with its own result.
func (x *sender) putEvents(ctx context.Context, evs []archive.Event, data [][]byte, idx []int) []outcome {
	entries := make([]types.PutEventsRequestEntry, len(idx))
	for j, i := range idx {
		detailType, detail := busDetail(evs[i].ID, data[i])
		entries[j] = types.PutEventsRequestEntry{
			EventBusName: aws.String(x.t.ARN), Source: aws.String(BusSource),
			DetailType: aws.String(detailType), Detail: aws.String(string(detail)),
		}
	}
	out, err := x.s.EventBridge().PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return allOutcome(len(idx), x.awsOutcome(ctx, err))
	}
	outs := make([]outcome, len(idx))
	for j := range outs {
		code, msg := "FailedEntry", "the bus did not take the event"
		if j < len(out.Entries) {
			r := out.Entries[j]
			if r.ErrorCode == nil && r.EventId != nil {
				outs[j] = outcome{status: Accepted, detail: "event " + aws.ToString(r.EventId)}
				continue
			}
			if r.ErrorCode != nil {
				code, msg = aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage)
			}
		}
		status := Rejected
		if retryableBusCodes[code] {
			status = Failed
		}
		outs[j] = outcome{status: status, detail: code + ": " + msg, code: code}
	}
	return outs
}

// busDetail builds the detail (always a JSON object, as EventBridge
// requires) and its detail-type; see the package documentation.
func busDetail(id string, data []byte) (detailType string, detail []byte) {
	trimmed := bytes.TrimSpace(data)
	if isJSONObject(trimmed) {
		var ev struct {
			DetailType *string         `json:"detail-type"`
			Source     *string         `json:"source"`
			Detail     json.RawMessage `json:"detail"`
		}
		if json.Unmarshal(trimmed, &ev) == nil && ev.DetailType != nil && *ev.DetailType != "" && ev.Source != nil &&
			isJSONObject(bytes.TrimSpace(ev.Detail)) {
			return *ev.DetailType, withID(bytes.TrimSpace(ev.Detail), id)
		}
		return BusDetailType, withID(trimmed, id)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"` + BusIDField + `":`)
	buf.Write(jsonstr.Append(buf.AvailableBuffer(), id))
	buf.WriteString(`,"data":`)
	switch {
	case utf8.Valid(trimmed) && json.Valid(trimmed) && len(trimmed) > 0:
		buf.Write(trimmed)
	case utf8.Valid(data):
		buf.Write(jsonstr.Append(buf.AvailableBuffer(), string(data)))
	default:
		buf.Write(jsonstr.Append(buf.AvailableBuffer(), base64.StdEncoding.EncodeToString(data)))
		buf.WriteString(`,"dataEncoding":"base64"`)
	}
	buf.WriteByte('}')
	return BusDetailType, buf.Bytes()
}

func isJSONObject(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && utf8.Valid(b) && json.Valid(b)
}

// withID adds the id as the object's first field, keeping the rest of its
// bytes as they are; an object that has the field already is left alone.
func withID(obj []byte, id string) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) == nil {
		if _, ok := fields[BusIDField]; ok {
			return obj
		}
	}
	inner := bytes.TrimSpace(obj[1 : len(obj)-1])
	var buf bytes.Buffer
	buf.WriteString(`{"` + BusIDField + `":`)
	buf.Write(jsonstr.Append(buf.AvailableBuffer(), id))
	if len(inner) > 0 {
		buf.WriteByte(',')
		buf.Write(inner)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
