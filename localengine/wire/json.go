package wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// RawJSON is a response body that a handler encoded itself, for hot paths
// such as GetRecords where encoding/json's reflection would dominate.
type RawJSON []byte

// DecodeJSON decodes a JSON protocol request body into v. An empty body is
// an empty object, as the SDKs send for actions without input.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awserr.Serialization("Could not parse request body: %s", describeJSONError(err))
	}
	return nil
}

func describeJSONError(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return "malformed JSON at offset " + strconv.FormatInt(e.Offset, 10)
	case *json.UnmarshalTypeError:
		field := e.Field
		if field == "" {
			field = "body"
		}
		return "field " + field + " has the wrong type (" + e.Value + ")"
	default:
		return "invalid JSON"
	}
}

// WriteJSON writes a successful JSON protocol answer.
func WriteJSON(w http.ResponseWriter, contentType string, v any) {
	var body []byte
	switch b := v.(type) {
	case RawJSON:
		body = b
	case nil:
		body = []byte("{}")
	default:
		var err error
		body, err = json.Marshal(v)
		if err != nil {
			WriteJSONError(w, contentType, awserr.From(err), false)
			return
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteJSONError writes an error as JSON 1.0/1.1 services do. With
// queryCompatible, the legacy code also goes into the X-Amzn-Query-Error
// header that query-compatible SDK clients (SQS) read.
func WriteJSONError(w http.ResponseWriter, contentType string, e *awserr.Error, queryCompatible bool) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-ErrorType", e.Code)
	if queryCompatible {
		h.Set("X-Amzn-Query-Error", e.LegacyCode()+";"+e.Fault())
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// WriteRESTJSONError writes an error as REST-JSON services (Pipes) do: the
// code in X-Amzn-ErrorType and the message in the body.
func WriteRESTJSONError(w http.ResponseWriter, e *awserr.Error) {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
