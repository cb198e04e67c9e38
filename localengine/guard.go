package localengine

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/cloudwatch"
	"github.com/sluicehq/sluice/localengine/sigv4"
	"github.com/sluicehq/sluice/localengine/wire"
)

// The engine on 127.0.0.1 is reachable by every web page the user opens:
// a page can post a form to it (SQS's query protocol takes forms), and a
// page on a DNS name that the attacker re-points at 127.0.0.1 (DNS
// rebinding) can even read the answers. AWS SDKs and the aws CLI send no
// Origin, no Sec-Fetch-* headers, a Host that names the endpoint, and a
// signature. So by default the guard refuses:
//
//   - a Host other than the engine's own address, localhost (and
//     <bucket>.localhost), 127.0.0.1 or [::1] (Options.AllowHosts adds
//     names);
//   - a request from a browser: one with an Origin, or with a
//     Sec-Fetch-Site other than "none" (the user opening a presigned URL);
//     Options.AllowOrigins lets origins through, with CORS headers;
//   - an unsigned request (no Authorization and no presigned query):
//     anonymous access is what AWS allows only on public S3 objects, which
//     the engine does not model (Options.AllowUnsigned).
//
// Under StrictAuth the signature is verified as well.

// guard answers a request it refuses, and a CORS preflight of an allowed
// origin, and reports whether it answered.
func (e *Engine) guard(w http.ResponseWriter, r *http.Request, target string, auth *sigv4.Auth, authErr error, info wire.RequestInfo) bool {
	svc := classify(r, target, auth)
	if name, ok := e.hostAllowed(r); !ok {
		e.refuse(w, r, svc, target, info, accessDenied(svc,
			"The sluice engine does not answer requests for host %q: a DNS name that points at it is not enough (start it with --allow-host %s to accept that name).",
			r.Host, name))
		return true
	}
	origin := r.Header.Get("Origin")
	if origin != "" || fromBrowser(r) {
		if !e.originAllowed(origin) {
			what := "requests from web pages (Origin " + quoteOrNone(origin) + ")"
			e.refuse(w, r, svc, target, info, accessDenied(svc,
				"The sluice engine refuses %s: AWS SDKs and the aws CLI send no Origin (start it with --allow-origin ORIGIN to serve a browser application).", what))
			return true
		}
		if origin != "" {
			setCORS(w, r, origin)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				w.WriteHeader(http.StatusOK)
				return true
			}
		}
	}
	if e.opts.StrictAuth == nil && !e.opts.AllowUnsigned && auth == nil && !errors.Is(authErr, sigv4.ErrQueryParams) && !signedV2(r) {
		err := authError(svc, authErr)
		err.Message += " (the sluice engine refuses unsigned requests: sign them with any credentials, or start it with --allow-unsigned)"
		e.refuse(w, r, svc, target, info, err)
		return true
	}
	return false
}

// signedV2 reports a request signed with AWS's older Signature Version 2,
// which the lenient engine takes as it takes any SigV4 signature: boto3
// and the aws CLI still presign S3 URLs with it by default
// (?AWSAccessKeyId=…&Signature=…&Expires=…). Strict auth verifies only
// SigV4 and refuses these.
func signedV2(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "AWS ") && strings.Contains(a, ":") {
		return true
	}
	q := r.URL.Query()
	return q.Get("AWSAccessKeyId") != "" && q.Get("Signature") != ""
}

// hostAllowed reports whether the Host names the engine, and the host
// name without its port.
func (e *Engine) hostAllowed(r *http.Request) (string, bool) {
	host := strings.ToLower(r.Host)
	if host == "" {
		// HTTP/1.0 without Host: no browser sends that.
		return "", true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return name, true
	}
	if ip := net.ParseIP(name); ip != nil {
		// A rebinding attack needs a DNS name: an address is what the
		// client dialled. The engine's own address is the connection's.
		if ip.IsLoopback() || ip.IsUnspecified() {
			return name, true
		}
		if local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok && local.IP.Equal(ip) {
			return name, true
		}
	}
	for _, pattern := range e.opts.AllowHosts {
		if matchHost(strings.ToLower(pattern), name, host) {
			return name, true
		}
	}
	return name, false
}

// matchHost matches "*", "*.suffix", a name, or a name:port.
func matchHost(pattern, name, host string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(name, pattern[1:])
	}
	return pattern == name || pattern == host || strings.Trim(pattern, "[]") == name
}

// fromBrowser reports a request a browser made on a page's behalf (fetch,
// a form, an image) rather than one the user typed or opened.
func fromBrowser(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	return site != "" && site != "none"
}

func (e *Engine) originAllowed(origin string) bool {
	for _, o := range e.opts.AllowOrigins {
		if o == "*" || (origin != "" && strings.EqualFold(strings.TrimSuffix(o, "/"), origin)) {
			return true
		}
	}
	return false
}

// setCORS lets an allowed origin read the answer, and answers a
// preflight for any method and the headers asked for.
func setCORS(w http.ResponseWriter, r *http.Request, origin string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "*")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
	}
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none, Sec-Fetch-Site cross-site"
	}
	return fmt.Sprintf("%q", s)
}

// accessDenied is each protocol's 403.
func accessDenied(svc service, format string, args ...any) *awserr.Error {
	switch svc {
	case svcS3, svcSQSQuery, svcSQSJSON, svcSTS, svcCloudWatchQuery:
		return awserr.New(http.StatusForbidden, "AccessDenied", format, args...)
	}
	return awserr.New(http.StatusForbidden, "AccessDeniedException", format, args...)
}

// refuse writes err in the protocol of the request.
func (e *Engine) refuse(w http.ResponseWriter, r *http.Request, svc service, target string, info wire.RequestInfo, err *awserr.Error) {
	e.log.Warn("request refused", "code", err.Code, "method", r.Method, "host", r.Host, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
	switch svc {
	case svcS3:
		w.Header().Set("x-amz-request-id", info.RequestID)
		wire.WriteS3Error(w, r, err, r.URL.Path)
	case svcSQSQuery, svcSTS:
		wire.WriteQueryError(w, info.RequestID, err)
	case svcCloudWatchQuery:
		e.cloudwatch.WriteError(w, r, cloudwatch.Query, err)
	case svcCloudWatchCBOR:
		e.cloudwatch.WriteError(w, r, cloudwatch.CBOR, err)
	case svcPipes, svcLambda:
		wire.WriteRESTJSONError(w, err)
	case svcUnknownService:
		if isForm(r) {
			wire.WriteQueryError(w, info.RequestID, err)
			return
		}
		wire.WriteJSONError(w, "application/json", err, false)
	default:
		proto, _ := protocolFor(target)
		wire.WriteJSONError(w, proto.contentType, err, proto.queryCompatible)
	}
}

// checkListener refuses to serve on an address off the loopback
// interface unless AllowRemote is set: every path that starts an engine
// (engine serve, the demo, the local profile, tests) goes through Start.
func (e *Engine) checkListener(ln net.Listener) error {
	return CheckListenAddr(ln.Addr().String(), e.opts.AllowRemote)
}
