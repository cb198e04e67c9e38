package pipes

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// apiError is an error in the shape the Pipes SDK decodes: the code in
// X-Amzn-ErrorType and a body with the message and, depending on the code,
// a fieldList (ValidationException) or the resource (ConflictException,
// NotFoundException).
type apiError struct {
	status       int
	code         string
	message      string
	fields       []fieldError
	resourceID   string
	resourceType string
}

type fieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func notFound(name string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NotFoundException",
		message: "Pipe " + name + " does not exist."}
}

func notFoundArn(arn string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NotFoundException",
		message: "Resource " + arn + " does not exist."}
}

func conflict(name, msg string) *apiError {
	return &apiError{status: http.StatusConflict, code: "ConflictException", message: msg,
		resourceID: name, resourceType: "pipe"}
}

// invalid reports one rule that a request broke, as a ValidationException
// naming the field.
func invalid(field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", message: msg,
		fields: []fieldError{{Name: field, Message: msg}}}
}

func unknownOperation(method, path string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "UnknownOperationException",
		message: "No operation matches " + method + " " + path}
}

// validation gathers constraint violations and reports them together, as
// AWS's request validation does ("2 validation errors detected: ...").
type validation struct{ fields []fieldError }

const maxReportedViolations = 10

func (v *validation) fail(field, msg string) {
	if len(v.fields) < maxReportedViolations {
		v.fields = append(v.fields, fieldError{Name: field, Message: msg})
	}
}

// constraint reports a value that broke a declared constraint, worded as
// AWS's generated validation words it.
func (v *validation) constraint(field, value, rule string) {
	v.fail(field, "Value '"+truncate(value, 256)+"' at '"+field+"' failed to satisfy constraint: "+rule)
}

func (v *validation) required(ok bool, field string) {
	if !ok {
		v.fail(field, "Value null at '"+field+"' failed to satisfy constraint: Member must not be null")
	}
}

func (v *validation) length(s *string, field string, lo, hi int) {
	if s == nil {
		return
	}
	if n := len(*s); n < lo || n > hi {
		rule := "Member must have length less than or equal to " + strconv.Itoa(hi)
		if n < lo {
			rule = "Member must have length greater than or equal to " + strconv.Itoa(lo)
		}
		v.constraint(field, *s, rule)
	}
}

func (v *validation) intRange(n *int64, field string, lo, hi int64) {
	if n == nil {
		return
	}
	if *n < lo {
		v.constraint(field, strconv.FormatInt(*n, 10), "Member must have value greater than or equal to "+strconv.FormatInt(lo, 10))
	} else if *n > hi {
		v.constraint(field, strconv.FormatInt(*n, 10), "Member must have value less than or equal to "+strconv.FormatInt(hi, 10))
	}
}

func (v *validation) enum(s *string, field string, allowed ...string) {
	if s == nil {
		return
	}
	for _, a := range allowed {
		if *s == a {
			return
		}
	}
	v.constraint(field, *s, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

func (v *validation) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(v.fields)))
	if len(v.fields) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, f := range v.fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Message)
	}
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", message: b.String(), fields: v.fields}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// toAPIError maps any error to what the client sees. Errors of the
// engine's other services that reach a client (a missing stream) are
// turned into Pipes errors by their callers; anything left is internal.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var e *awserr.Error
	if errors.As(err, &e) && e.Status < 500 {
		// Router-level errors (auth, body too large) keep their code.
		return &apiError{status: e.Status, code: e.Code, message: e.Message}
	}
	return &apiError{status: http.StatusInternalServerError, code: "InternalException",
		message: "An internal error occurred."}
}

func writeError(w http.ResponseWriter, err error) {
	e := toAPIError(err)
	body := struct {
		Message      string       `json:"message"`
		FieldList    []fieldError `json:"fieldList,omitempty"`
		ResourceID   string       `json:"resourceId,omitempty"`
		ResourceType string       `json:"resourceType,omitempty"`
	}{e.message, e.fields, e.resourceID, e.resourceType}
	raw, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	h.Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(raw)
}

func writeJSON(w http.ResponseWriter, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}
