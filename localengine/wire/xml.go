package wire

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// WriteXML writes v as an XML document with the given status.
func WriteXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte("<Error><Code>InternalError</Code><Message>could not encode response</Message></Error>")
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

// QueryResponse is the envelope of every query-protocol answer (SQS and
// STS): <ActionResponse xmlns="…"><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>. Result is
// a struct whose XMLName is <Action>Result, or nil for actions without
// output.
type QueryResponse struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata struct {
		RequestId string
	} `xml:"ResponseMetadata"`
}

// NewQueryResponse wraps result in the envelope of action, in the service's
// XML namespace.
func NewQueryResponse(namespace, action, requestID string, result any) *QueryResponse {
	r := &QueryResponse{XMLName: xml.Name{Local: action + "Response"}, Xmlns: namespace, Result: result}
	r.Metadata.RequestId = requestID
	return r
}

// S3Error is the body of an S3 error answer.
type S3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource,omitempty"`
	RequestID string   `xml:"RequestId"`
}

// WriteS3Error writes e as S3's REST-XML error. A HEAD answer has no body,
// so the SDK reads only the status there.
func WriteS3Error(w http.ResponseWriter, r *http.Request, e *awserr.Error, resource string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	WriteXML(w, e.Status, S3Error{Code: e.Code, Message: e.Message, Resource: resource,
		RequestID: Info(r.Context()).RequestID})
}

// QueryError is the body of a query-protocol error answer (SQS query).
type QueryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Detail  string `xml:"Detail"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// WriteQueryError writes e as the query protocol does.
func WriteQueryError(w http.ResponseWriter, requestID string, e *awserr.Error) {
	var q QueryError
	q.Error.Type = e.Fault()
	q.Error.Code = e.LegacyCode()
	q.Error.Message = e.Message
	q.RequestID = requestID
	WriteXML(w, e.Status, q)
}
