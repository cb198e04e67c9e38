package localengine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/cloudwatch"
	"github.com/sluicehq/sluice/localengine/inflight"
	"github.com/sluicehq/sluice/localengine/lambda"
	"github.com/sluicehq/sluice/localengine/sigv4"
	"github.com/sluicehq/sluice/localengine/sts"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Body limits of the services whose requests are read whole. They sit above
// the services' own limits so that the services report those precisely.
const (
	kinesisBodyLimit = 32 << 20
	sqsBodyLimit     = 8 << 20
	smallBodyLimit   = 4 << 20 // EventBridge, Pipes, Lambda, CloudWatch
)

// cloudWatchCBORPath prefixes CloudWatch's RPCv2 CBOR operations.
const cloudWatchCBORPath = "/service/GraniteServiceVersion20100801/operation/"

type service int

const (
	svcS3 service = iota
	svcKinesis
	svcSQSJSON
	svcSQSQuery
	svcEvents
	svcCloudWatchJSON
	svcCloudWatchCBOR
	svcCloudWatchQuery
	svcPipes
	svcLambda
	svcSTS
	svcUnknownTarget
	// svcUnknownService is a request signed for a service the engine does
	// not have (iam, apigateway, …).
	svcUnknownService
)

// jsonProtocol describes a service reached by X-Amz-Target.
type jsonProtocol struct {
	svc         service
	prefix      string // of X-Amz-Target, before the action
	contentType string
	// queryCompatible services (SQS) also report legacy error codes.
	queryCompatible bool
	bodyLimit       int64
}

var jsonProtocols = []jsonProtocol{
	{svcKinesis, "Kinesis_20131202.", "application/x-amz-json-1.1", false, kinesisBodyLimit},
	{svcSQSJSON, "AmazonSQS.", "application/x-amz-json-1.0", true, sqsBodyLimit},
	{svcEvents, "AWSEvents.", "application/x-amz-json-1.1", false, smallBodyLimit},
	{svcCloudWatchJSON, "GraniteServiceVersion20100801.", "application/x-amz-json-1.0", false, smallBodyLimit},
}

func protocolFor(target string) (jsonProtocol, bool) {
	for _, p := range jsonProtocols {
		if strings.HasPrefix(target, p.prefix) {
			return p, true
		}
	}
	return jsonProtocol{svc: svcUnknownTarget, contentType: "application/x-amz-json-1.1", bodyLimit: smallBodyLimit}, false
}

// ServeHTTP dispatches one request to the service its protocol names:
// X-Amz-Target for the JSON protocols, the operation path for CloudWatch's
// CBOR, the signature's service or an Action parameter for the query
// protocols (SQS, CloudWatch, STS), /v1/pipes for Pipes,
// /2015-03-31/event-source-mappings for Lambda, and S3 REST for
// everything else. A request signed for a service the engine does not have
// gets an error that names it.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := wire.RequestInfo{Region: wire.DefaultRegion, RequestID: wire.NewRequestID(), BaseURL: "http://" + r.Host}
	auth, authErr := sigv4.Parse(r)
	if auth != nil {
		info.AccessKey = auth.AccessKey
		if auth.Region != "" {
			info.Region = auth.Region
		}
	}
	w.Header().Set("x-amzn-RequestId", info.RequestID)
	r = r.WithContext(wire.WithInfo(r.Context(), info))

	target := r.Header.Get("X-Amz-Target")
	if e.guard(w, r, target, auth, authErr, info) {
		return
	}
	switch svc := classify(r, target, auth); svc {
	case svcSQSQuery, svcCloudWatchQuery, svcSTS:
		e.serveQuery(w, r, svc, auth, authErr, info)
	case svcUnknownService:
		serveUnknownService(w, r, auth.Service, info)
	case svcCloudWatchCBOR:
		e.serveCloudWatchCBOR(w, r, auth, authErr)
	case svcPipes:
		e.servePipes(w, r, auth, authErr)
	case svcLambda:
		e.serveLambda(w, r, auth, authErr)
	case svcS3:
		e.serveS3(w, r, auth, authErr)
	default:
		e.serveJSON(w, r, target, auth, authErr)
	}
}

func (e *Engine) serveJSON(w http.ResponseWriter, r *http.Request, target string, auth *sigv4.Auth, authErr error) {
	proto, known := protocolFor(target)
	fail := func(err error) {
		wire.WriteJSONError(w, proto.contentType, awserr.From(err), proto.queryCompatible)
	}
	body, err := readBody(r, proto.bodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, proto.svc, hashOf(body))
	}
	if err != nil {
		fail(err)
		return
	}
	if !known {
		fail(awserr.UnknownOperation(target))
		return
	}
	action := strings.TrimPrefix(target, proto.prefix)
	ctx := r.Context()
	var out any
	switch proto.svc {
	case svcKinesis:
		out, err = e.kinesis.HandleJSON(ctx, action, body)
	case svcSQSJSON:
		out, err = e.sqs.HandleJSON(ctx, action, body)
	case svcEvents:
		out, err = e.events.HandleJSON(ctx, action, body)
	case svcCloudWatchJSON:
		e.cloudwatch.Serve(w, r, cloudwatch.JSON, action, body, nil)
		return
	}
	if err != nil {
		fail(err)
		return
	}
	wire.WriteJSON(w, proto.contentType, out)
}

func (e *Engine) serveCloudWatchCBOR(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error) {
	body, err := readBody(r, smallBodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, svcCloudWatchCBOR, hashOf(body))
	}
	if err != nil {
		e.cloudwatch.WriteError(w, r, cloudwatch.CBOR, awserr.From(err))
		return
	}
	e.cloudwatch.Serve(w, r, cloudwatch.CBOR, strings.TrimPrefix(r.URL.Path, cloudWatchCBORPath), body, nil)
}

func (e *Engine) servePipes(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error) {
	body, err := readBody(r, smallBodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, svcPipes, hashOf(body))
	}
	if err != nil {
		wire.WriteRESTJSONError(w, awserr.From(err))
		return
	}
	e.pipes.Serve(w, r, body)
}

func (e *Engine) serveLambda(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error) {
	body, err := readBody(r, smallBodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, svcLambda, hashOf(body))
	}
	if err != nil {
		wire.WriteRESTJSONError(w, awserr.From(err))
		return
	}
	e.lambda.Serve(w, r, body)
}

func (e *Engine) serveQuery(w http.ResponseWriter, r *http.Request, svc service, auth *sigv4.Auth, authErr error, info wire.RequestInfo) {
	body, err := readBody(r, sqsBodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, svc, hashOf(body))
	}
	var params url.Values
	if err == nil {
		params, err = queryParams(r, body)
	}
	if err != nil {
		if svc == svcCloudWatchQuery {
			e.cloudwatch.WriteError(w, r, cloudwatch.Query, awserr.From(err))
			return
		}
		wire.WriteQueryError(w, info.RequestID, awserr.From(err))
		return
	}
	var out any
	switch svc {
	case svcCloudWatchQuery:
		e.cloudwatch.Serve(w, r, cloudwatch.Query, params.Get("Action"), body, params)
		return
	case svcSTS:
		out, err = sts.HandleQuery(r.Context(), params.Get("Action"))
	default:
		out, err = e.sqs.HandleQuery(r.Context(), params.Get("Action"), params, r.URL.Path)
	}
	if err != nil {
		wire.WriteQueryError(w, info.RequestID, awserr.From(err))
		return
	}
	wire.WriteXML(w, http.StatusOK, out)
}

func (e *Engine) serveS3(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error) {
	bucket, key := s3Target(r)
	w.Header().Set("x-amz-request-id", wire.Info(r.Context()).RequestID)
	r, err := e.authenticateS3(r, auth, authErr)
	if err != nil {
		wire.WriteS3Error(w, r, awserr.From(err), r.URL.Path)
		return
	}
	e.s3.Serve(w, r, bucket, key)
}

// authenticateS3 checks an S3 request's signature. S3 signs no body
// itself: the signature covers x-amz-content-sha256 (or, presigned, the
// query's X-Amz-Content-Sha256, else UNSIGNED-PAYLOAD), and the S3
// service checks the body against that hash as it reads it. For the
// signed streaming modes it also verifies every chunk's signature, with
// the verifier this attaches to the request's context.
func (e *Engine) authenticateS3(r *http.Request, auth *sigv4.Auth, authErr error) (*http.Request, error) {
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if auth != nil && auth.Presigned {
		payloadHash = "UNSIGNED-PAYLOAD"
		if v := r.URL.Query().Get("X-Amz-Content-Sha256"); v != "" {
			payloadHash = v
			// The body is held to the signed hash, as a header one is.
			r.Header.Set("X-Amz-Content-Sha256", v)
		}
	}
	if err := e.checkAuthParams(svcS3, authErr); err != nil {
		return r, err
	}
	creds := e.opts.StrictAuth
	if creds == nil {
		return r, nil
	}
	if auth != nil && !auth.Presigned && payloadHash == "" {
		return r, awserr.New(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	if strings.HasPrefix(payloadHash, "STREAMING-") && payloadHash != sigv4.StreamingPayload &&
		payloadHash != sigv4.StreamingPayloadTrailer && payloadHash != sigv4.StreamingUnsignedTrailer {
		// SigV4a streaming (ECDSA) cannot be verified with an HMAC key.
		return r, authError(svcS3, sigv4.ErrMismatch)
	}
	if err := e.authenticate(r, auth, authErr, svcS3, payloadHash); err != nil {
		return r, err
	}
	if payloadHash == sigv4.StreamingPayload || payloadHash == sigv4.StreamingPayloadTrailer {
		r = r.WithContext(sigv4.WithStream(r.Context(), sigv4.NewStream(auth, creds.Secret, payloadHash)))
	}
	return r, nil
}

// classify names the service a request is for.
func classify(r *http.Request, target string, auth *sigv4.Auth) service {
	if target != "" {
		p, _ := protocolFor(target)
		return p.svc
	}
	if strings.HasPrefix(r.URL.Path, cloudWatchCBORPath) {
		return svcCloudWatchCBOR
	}
	if auth != nil && auth.Service != "" {
		switch auth.Service {
		case "sqs":
			return svcSQSQuery
		case "monitoring":
			return svcCloudWatchQuery
		case "pipes":
			return svcPipes
		case "lambda":
			return svcLambda
		case "sts":
			return svcSTS
		case "s3":
			return svcS3
		case "kinesis", "events":
			// Served only by X-Amz-Target, which this request lacks:
			// answer in their JSON protocol rather than as S3.
			return svcUnknownTarget
		}
		return svcUnknownService
	}
	// Unsigned: judge by the shape of the request.
	if isPipesPath(r.URL.Path) {
		return svcPipes
	}
	if lambda.IsPath(r.URL.Path) {
		return svcLambda
	}
	if _, bucketInHost := virtualHostBucket(r.Host); !bucketInHost && isSQSPath(r.URL.Path) {
		if r.URL.Query().Has("Action") || isForm(r) {
			switch queryVersion(r) {
			case cloudWatchVersion:
				return svcCloudWatchQuery
			case sts.Version:
				return svcSTS
			}
			return svcSQSQuery
		}
	}
	return svcS3
}

// serveUnknownService answers a request signed for a service the engine
// does not serve. Such requests used to fall through to S3, whose
// NoSuchBucket sent users looking for a bucket; this answer names the
// service instead. JSON with the code in X-Amzn-ErrorType is what REST-JSON
// clients (apigateway) read; a form post comes from a query-protocol client
// (iam), which reads only the XML error. The
// signature is not checked: the answer is the same for any caller.
func serveUnknownService(w http.ResponseWriter, r *http.Request, name string, info wire.RequestInfo) {
	e := awserr.New(http.StatusBadRequest, "UnknownOperationException", "the sluice engine does not serve %s", name)
	if isForm(r) {
		wire.WriteQueryError(w, info.RequestID, e)
		return
	}
	wire.WriteJSONError(w, "application/json", e, false)
}

// cloudWatchVersion is the API version the CloudWatch query protocol names.
const cloudWatchVersion = "2010-08-01"

// queryVersion reads Version from the query string or, for a form post,
// from a peek at the body that leaves it readable.
func queryVersion(r *http.Request) string {
	if v := r.URL.Query().Get("Version"); v != "" {
		return v
	}
	if !isForm(r) || r.Body == nil {
		return ""
	}
	body, err := readBody(r, sqsBodyLimit)
	if err != nil {
		return ""
	}
	form, _ := url.ParseQuery(string(body))
	return form.Get("Version")
}

// isPipesPath matches the Pipes REST API: /v1/pipes… and tagging of a
// pipe's ARN under /tags/.
func isPipesPath(p string) bool {
	return p == "/v1/pipes" || strings.HasPrefix(p, "/v1/pipes/") ||
		strings.HasPrefix(p, "/tags/arn:aws:pipes:")
}

// isSQSPath matches "/" and the queue URL path "/<account>/<queue>".
func isSQSPath(p string) bool {
	if p == "/" || p == "" {
		return true
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	return len(parts) == 2 && parts[0] == wire.Account
}

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded"
}

// s3Target splits a request into bucket and key, in virtual-host style
// (<bucket>.localhost) or path style (/<bucket>/<key>).
func s3Target(r *http.Request) (bucket, key string) {
	path := r.URL.Path
	if b, ok := virtualHostBucket(r.Host); ok {
		return b, strings.TrimPrefix(path, "/")
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

func virtualHostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok && b != "" {
		return b, true
	}
	return "", false
}

// queryParams merges the URL's query with a form body.
func queryParams(r *http.Request, body []byte) (url.Values, error) {
	params := r.URL.Query()
	if isForm(r) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, awserr.New(http.StatusBadRequest, "MalformedQueryString", "could not parse the form body")
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

// readBody reads a whole body of at most limit bytes into memory, once the
// request holds its share of the engine's body budget: twice the declared
// length (or limit when it declares none), for the bytes and what the
// service decodes from them while the request runs. A body that stops
// moving, or a budget that stays spent, is answered with an error here,
// never a hang.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, awserr.RequestTooLarge(limit)
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return []byte{}, nil
	}
	if b, ok := r.Body.(readBack); ok {
		// Read already (a peek at a form's Version).
		return b.body, nil
	}
	want := limit
	if r.ContentLength > 0 {
		want = r.ContentLength
	}
	if err := inflight.Hold(r.Context(), decodedFactor*want); err != nil {
		return nil, bodyReadError(r, err)
	}
	var body []byte
	var err error
	if r.ContentLength > 0 {
		// The declared length is held: read it into one buffer of that
		// size, and no more.
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
		if err == nil {
			var extra [1]byte
			if n, _ := r.Body.Read(extra[:]); n > 0 {
				err = io.ErrUnexpectedEOF
			}
		}
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err == nil && int64(len(body)) > limit {
			return nil, awserr.RequestTooLarge(limit)
		}
	}
	if err != nil {
		return nil, bodyReadError(r, err)
	}
	r.Body = readBack{bytes.NewReader(body), body}
	return body, nil
}

// readBack is a body readBody has read, readable again.
type readBack struct {
	*bytes.Reader
	body []byte
}

func (readBack) Close() error { return nil }

func hashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// authenticate checks the signature under strict auth; otherwise any
// credentials, or none, are accepted. payloadHash is what the signature
// must cover: for every service but S3 the SHA-256 of the body actually
// received, never the client's x-amz-content-sha256, which a replayed
// request could keep while carrying another body.
func (e *Engine) authenticate(r *http.Request, auth *sigv4.Auth, parseErr error, svc service, payloadHash string) error {
	if err := e.checkAuthParams(svc, parseErr); err != nil {
		return err
	}
	creds := e.opts.StrictAuth
	if creds == nil {
		return nil
	}
	err := parseErr
	if err == nil {
		err = sigv4.Verify(r, auth, *creds, payloadHash, e.opts.Now())
	}
	if err == nil {
		return nil
	}
	return authError(svc, err)
}

// checkAuthParams refuses what AWS refuses whatever the credentials: a
// presigned URL valid for more than a week.
func (e *Engine) checkAuthParams(svc service, parseErr error) error {
	if errors.Is(parseErr, sigv4.ErrQueryParams) {
		return authError(svc, parseErr)
	}
	return nil
}

// authError is the error each service's SDK client expects for a rejected
// signature.
func authError(svc service, err error) *awserr.Error {
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	if errors.Is(err, sigv4.ErrQueryParams) {
		return awserr.New(http.StatusBadRequest, "AuthorizationQueryParametersError", "%s", err.Error())
	}
	switch svc {
	case svcS3:
		switch {
		case errors.Is(err, sigv4.ErrMalformed):
			return awserr.New(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
		case errors.Is(err, sigv4.ErrUnknownKey):
			return awserr.New(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		case errors.Is(err, sigv4.ErrMissing):
			return awserr.New(http.StatusForbidden, "AccessDenied", "Access Denied")
		case errors.Is(err, sigv4.ErrExpired):
			return awserr.New(http.StatusForbidden, "AccessDenied", "Request has expired")
		default:
			return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", mismatch)
		}
	case svcSQSJSON, svcSQSQuery, svcCloudWatchQuery, svcSTS:
		switch {
		case errors.Is(err, sigv4.ErrMalformed):
			return awserr.New(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to AWS standards.")
		case errors.Is(err, sigv4.ErrUnknownKey):
			return awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		case errors.Is(err, sigv4.ErrMissing):
			return awserr.New(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		case errors.Is(err, sigv4.ErrExpired):
			return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", "Signature expired.")
		default:
			return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", mismatch)
		}
	default:
		switch {
		case errors.Is(err, sigv4.ErrMalformed):
			return awserr.New(http.StatusBadRequest, "IncompleteSignatureException", "The request signature does not conform to AWS standards.")
		case errors.Is(err, sigv4.ErrUnknownKey):
			return awserr.New(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
		case errors.Is(err, sigv4.ErrMissing):
			return awserr.New(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
		case errors.Is(err, sigv4.ErrExpired):
			return awserr.New(http.StatusBadRequest, "InvalidSignatureException", "Signature expired.")
		default:
			return awserr.New(http.StatusBadRequest, "InvalidSignatureException", mismatch)
		}
	}
}
