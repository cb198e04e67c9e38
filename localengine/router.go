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
	"github.com/sluicehq/sluice/localengine/sigv4"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Body limits of the services whose requests are read whole. They sit above
// the services' own limits so that the services report those precisely.
const (
	kinesisBodyLimit = 32 << 20
	sqsBodyLimit     = 8 << 20
)

const (
	kinesisTarget = "Kinesis_20131202."
	sqsTarget     = "AmazonSQS."
	kinesisJSON   = "application/x-amz-json-1.1"
	sqsJSON       = "application/x-amz-json-1.0"
)

type service int

const (
	svcS3 service = iota
	svcKinesis
	svcSQSJSON
	svcSQSQuery
	svcUnknownTarget
)

// ServeHTTP dispatches one request to the service its protocol names:
// X-Amz-Target for the JSON protocols, an Action parameter for the SQS
// query protocol, and S3 REST for everything else.
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
	ctx := wire.WithInfo(r.Context(), info)
	r = r.WithContext(ctx)

	target := r.Header.Get("X-Amz-Target")
	switch svc := classify(r, target, auth); svc {
	case svcKinesis, svcSQSJSON, svcUnknownTarget:
		contentType, queryCompat := kinesisJSON, false
		limit := int64(kinesisBodyLimit)
		if svc == svcSQSJSON {
			contentType, queryCompat, limit = sqsJSON, true, sqsBodyLimit
		}
		body, err := readBody(r, limit)
		if err == nil {
			err = e.authenticate(r, auth, authErr, svc, hashOf(body))
		}
		if err != nil {
			wire.WriteJSONError(w, contentType, awserr.From(err), queryCompat)
			return
		}
		var out any
		switch svc {
		case svcKinesis:
			out, err = e.kinesis.HandleJSON(ctx, strings.TrimPrefix(target, kinesisTarget), body)
		case svcSQSJSON:
			out, err = e.sqs.HandleJSON(ctx, strings.TrimPrefix(target, sqsTarget), body)
		default:
			err = awserr.UnknownOperation(target)
		}
		if err != nil {
			wire.WriteJSONError(w, contentType, awserr.From(err), queryCompat)
			return
		}
		wire.WriteJSON(w, contentType, out)
	case svcSQSQuery:
		e.serveSQSQuery(w, r, auth, authErr, info)
	default:
		e.serveS3(w, r, auth, authErr)
	}
}

func (e *Engine) serveSQSQuery(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error, info wire.RequestInfo) {
	body, err := readBody(r, sqsBodyLimit)
	if err == nil {
		err = e.authenticate(r, auth, authErr, svcSQSQuery, hashOf(body))
	}
	if err != nil {
		wire.WriteQueryError(w, info.RequestID, awserr.From(err))
		return
	}
	params, err := queryParams(r, body)
	if err != nil {
		wire.WriteQueryError(w, info.RequestID, awserr.From(err))
		return
	}
	out, err := e.sqs.HandleQuery(r.Context(), params.Get("Action"), params, r.URL.Path)
	if err != nil {
		wire.WriteQueryError(w, info.RequestID, awserr.From(err))
		return
	}
	wire.WriteXML(w, http.StatusOK, out)
}

func (e *Engine) serveS3(w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, authErr error) {
	bucket, key := s3Target(r)
	w.Header().Set("x-amz-request-id", wire.Info(r.Context()).RequestID)
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		payloadHash = "UNSIGNED-PAYLOAD"
	}
	if auth != nil && auth.Presigned {
		payloadHash = "UNSIGNED-PAYLOAD"
		if v := r.URL.Query().Get("X-Amz-Content-Sha256"); v != "" {
			payloadHash = v
		}
	}
	if err := e.authenticate(r, auth, authErr, svcS3, payloadHash); err != nil {
		wire.WriteS3Error(w, r, awserr.From(err), r.URL.Path)
		return
	}
	e.s3.Serve(w, r, bucket, key)
}

// classify names the service a request is for.
func classify(r *http.Request, target string, auth *sigv4.Auth) service {
	switch {
	case strings.HasPrefix(target, kinesisTarget):
		return svcKinesis
	case strings.HasPrefix(target, sqsTarget):
		return svcSQSJSON
	case target != "":
		return svcUnknownTarget
	}
	if auth != nil && auth.Service == "sqs" {
		return svcSQSQuery
	}
	if auth != nil && auth.Service != "" {
		return svcS3
	}
	// Unsigned: the query protocol always names an Action; S3 never does.
	if _, bucketInHost := virtualHostBucket(r.Host); !bucketInHost && isSQSPath(r.URL.Path) {
		if r.URL.Query().Has("Action") || isForm(r) {
			return svcSQSQuery
		}
	}
	return svcS3
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

func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, awserr.RequestTooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, awserr.Serialization("could not read the request body")
	}
	if int64(len(body)) > limit {
		return nil, awserr.RequestTooLarge(limit)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func hashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// authenticate checks the signature under strict auth; otherwise any
// credentials, or none, are accepted.
func (e *Engine) authenticate(r *http.Request, auth *sigv4.Auth, parseErr error, svc service, payloadHash string) error {
	creds := e.opts.StrictAuth
	if creds == nil {
		return nil
	}
	if r.Header.Get("X-Amz-Content-Sha256") != "" && svc != svcS3 {
		payloadHash = r.Header.Get("X-Amz-Content-Sha256")
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

// authError is the error each service's SDK client expects for a rejected
// signature.
func authError(svc service, err error) *awserr.Error {
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	switch svc {
	case svcS3:
		switch {
		case errors.Is(err, sigv4.ErrUnknownKey):
			return awserr.New(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		case errors.Is(err, sigv4.ErrMissing):
			return awserr.New(http.StatusForbidden, "AccessDenied", "Access Denied")
		case errors.Is(err, sigv4.ErrExpired):
			return awserr.New(http.StatusForbidden, "AccessDenied", "Request has expired")
		default:
			return awserr.New(http.StatusForbidden, "SignatureDoesNotMatch", mismatch)
		}
	case svcSQSJSON, svcSQSQuery:
		switch {
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
