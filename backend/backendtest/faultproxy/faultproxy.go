// Package faultproxy is a reverse proxy for tests that injects the failures
// real AWS accounts produce: a call denied, throttled, not served, never
// answered, or answered with a status a store chose (404, 409, 501). It
// sits between a backend session and the real engine, so that everything a
// rule does not touch is the engine's own answer.
package faultproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// Request is what a rule sees of a request.
type Request struct {
	// Service is the SigV4 signing name ("kinesis", "sqs", "s3", "pipes",
	// "lambda", "events", "monitoring", "sts"), or "" when unsigned.
	Service string
	// Operation is the action of a JSON or query protocol request
	// ("ListStreams", "GetQueueAttributes"); "" for REST protocols.
	Operation string
	Method    string
	// Path is the URL path, Query its parsed query.
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Fault is what a matched request gets instead of the engine's answer.
type Fault struct {
	// Status and Code make an error answer in the request's protocol
	// (JSON, query XML, S3 XML, RPCv2 CBOR or REST-JSON), with Message.
	Status  int
	Code    string
	Message string
	// Silent holds the request without answering until the client gives
	// up or the test ends: a port that accepts and never speaks.
	Silent bool
}

// Rule decides the fate of the requests it matches.
type Rule struct {
	// Service and Operation match when set.
	Service, Operation string
	// Match, when set, must also hold.
	Match func(Request) bool
	Fault Fault
	// Times limits how often the rule fires; 0 is always.
	Times int

	fired atomic.Int64
}

// Proxy forwards to an upstream engine, applying its rules first.
type Proxy struct {
	URL string

	mu    sync.Mutex
	rules []*Rule
	seen  []Request
	stop  chan struct{}
}

// Start proxies to upstream until the test ends.
func Start(tb testing.TB, upstream string) *Proxy {
	tb.Helper()
	up, err := url.Parse(upstream)
	if err != nil {
		tb.Fatalf("faultproxy: upstream %q: %v", upstream, err)
	}
	p := &Proxy{stop: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(up)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := describe(r, body)
		p.mu.Lock()
		p.seen = append(p.seen, req)
		rule := p.match(req)
		p.mu.Unlock()
		if rule == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			rp.ServeHTTP(w, r)
			return
		}
		if rule.Fault.Silent {
			select {
			case <-r.Context().Done():
			case <-p.stop:
			}
			return
		}
		writeError(w, req, rule.Fault)
	}))
	p.URL = srv.URL
	tb.Cleanup(func() {
		close(p.stop)
		srv.CloseClientConnections()
		srv.Close()
	})
	return p
}

// Add installs a rule; rules are tried in the order added.
func (p *Proxy) Add(r *Rule) *Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
	return r
}

// Clear removes every rule.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Seen returns the requests that matched keep (all when nil).
func (p *Proxy) Seen(keep func(Request) bool) []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.seen {
		if keep == nil || keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// Count is how many requests to service's operation went through the proxy.
func (p *Proxy) Count(service, operation string) int {
	return len(p.Seen(func(r Request) bool { return r.Service == service && r.Operation == operation }))
}

// Fired is how often the rule fired.
func (r *Rule) Fired() int { return int(r.fired.Load()) }

func (p *Proxy) match(req Request) *Rule {
	for _, r := range p.rules {
		if r.Service != "" && r.Service != req.Service {
			continue
		}
		if r.Operation != "" && r.Operation != req.Operation {
			continue
		}
		if r.Match != nil && !r.Match(req) {
			continue
		}
		if r.Times > 0 && int(r.fired.Load()) >= r.Times {
			continue
		}
		r.fired.Add(1)
		return r
	}
	return nil
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/[^/]+/([^/]+)/aws4_request`)

func describe(r *http.Request, body []byte) Request {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		req.Service = m[1]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		req.Operation = t[strings.LastIndexByte(t, '.')+1:]
	} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			req.Operation = v.Get("Action")
		}
	} else if i := strings.Index(r.URL.Path, "/operation/"); i >= 0 {
		req.Operation = r.URL.Path[i+len("/operation/"):] // CloudWatch RPCv2 CBOR
	}
	return req
}

// BodyHas reports whether a JSON request body sets field to value, as in
// BodyHas("StreamName", "orders").
func BodyHas(field, value string) func(Request) bool {
	return func(r Request) bool {
		var m map[string]any
		if json.Unmarshal(r.Body, &m) != nil {
			return false
		}
		v, ok := m[field].(string)
		return ok && (v == value || strings.HasSuffix(v, "/"+value))
	}
}

func writeError(w http.ResponseWriter, req Request, f Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	msg := f.Message
	if msg == "" {
		msg = "injected by faultproxy"
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", "faultproxy")
	switch {
	case f.Code == "":
		h.Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprintln(w, msg)
	case req.Service == "s3":
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>faultproxy</RequestId></Error>`, xmlText(f.Code), xmlText(msg))
	case strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>faultproxy</RequestId></ErrorResponse>`, xmlText(f.Code), xmlText(msg))
	case req.Header.Get("Smithy-Protocol") == "rpc-v2-cbor": // CloudWatch
		h.Set("Content-Type", "application/cbor")
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		w.WriteHeader(status)
		body, _ := cbor.Marshal(map[string]string{"__type": f.Code, "message": msg})
		_, _ = w.Write(body)
	case req.Header.Get("X-Amz-Target") != "":
		h.Set("Content-Type", req.Header.Get("Content-Type"))
		if req.Header.Get("X-Amzn-Query-Mode") == "true" {
			h.Set("X-Amzn-Query-Error", f.Code+";Sender")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": msg})
	default: // REST-JSON (Pipes, Lambda) and anything else
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", f.Code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "Message": msg})
	}
}

func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Denied answers as IAM refuses a call.
func Denied(action, resource string) Fault {
	return Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException",
		Message: fmt.Sprintf("User: arn:aws:iam::000000000000:user/test is not authorized to perform: %s on resource: %s", action, resource)}
}

// Throttled answers as an API over its quota.
func Throttled() Fault {
	return Fault{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// NotFound404 answers a bare 404, as an endpoint without the service does.
func NotFound404() Fault {
	return Fault{Status: http.StatusNotFound, Message: "404 page not found"}
}

// Silent never answers.
func Silent() Fault { return Fault{Silent: true} }

// ConditionalPut matches an S3 PUT made with If-None-Match (a
// create-only write).
func ConditionalPut(r Request) bool {
	return r.Method == http.MethodPut && r.Header.Get("If-None-Match") != ""
}

// DeleteObjects matches an S3 DeleteObjects call (POST ?delete).
func DeleteObjects(r Request) bool {
	return r.Method == http.MethodPost && r.Query.Has("delete")
}

// NotImplemented answers as an S3-compatible store that lacks a feature.
func NotImplemented() Fault {
	return Fault{Status: http.StatusNotImplemented, Code: "NotImplemented",
		Message: "A header you provided implies functionality that is not implemented"}
}

// ConditionalConflict is AWS's answer to a conditional write that raced
// another.
func ConditionalConflict() Fault {
	return Fault{Status: http.StatusConflict, Code: "ConditionalRequestConflict",
		Message: "A conflicting conditional operation is currently in progress against this resource."}
}
