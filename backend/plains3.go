package backend

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The archive's per-event calls — one GetObject per event replayed, one
// PutObject per event hydrated — are made without the SDK's operation
// stack, which costs two to three times the CPU of the request itself:
// a plain request signed with the SDK's own signer, to the endpoint the
// SDK's own rules resolve for the bucket, through the session's
// connection pool, budget and call log. viaPlain falls back to the SDK
// for anything but success, so that its retries, clock-skew correction
// and typed errors answer; a bucket where the plain request was refused
// for what the SDK then got right is left to the SDK from then on, so a
// difference between the two costs one extra call, not one per event.

// plainBuckets are a session's plain clients, one per bucket, made on
// the bucket's first call.
type plainBuckets struct {
	mu sync.Mutex
	// byBucket is nil for a bucket left to the SDK.
	byBucket map[string]*plainBucket
}

// plainBucket is what a plain request to one bucket needs: the endpoint
// the SDK's rules give for the bucket and how to sign for it.
type plainBucket struct {
	bucket        string
	base          url.URL
	headers       http.Header
	signingName   string
	signingRegion string
	signer        *v4.Signer
	creds         aws.CredentialsProvider
	client        aws.HTTPClient
}

// viaPlain answers with plain's call to bucket when it succeeds, else
// with the SDK's (sdk). final says which of plain's errors are answers
// in their own right (a missing key), not to be asked again; a bucket
// that does not exist, or a policy that denies the call, is one for every
// call, since the SDK would only be told the same.
func viaPlain[T any](ctx context.Context, s *Session, bucket string, plain func(*plainBucket) (T, error), final func(error) bool, sdk func() (T, error)) (T, error) {
	p := s.plain.forBucket(ctx, s, bucket)
	if p == nil {
		return sdk()
	}
	v, err := plain(p)
	if err == nil || final(err) || IsCode(err, "AccessDenied", "NoSuchBucket") || ctx.Err() != nil {
		return v, err
	}
	v, sdkErr := sdk()
	if sdkErr == nil && requestAtFault(err) {
		s.plain.leaveToSDK(bucket)
		s.Log.Warn("s3 calls to this bucket go through the SDK from now on", "bucket", bucket, "plain request refused", err)
	}
	return v, sdkErr
}

// requestAtFault says whether a plain request's failure is the request's
// own (a signature, an endpoint or a clock the SDK gets right), not the
// service's or the network's passing trouble, which the next request may
// not meet.
func requestAtFault(err error) bool {
	var pe *PlainError
	if !errors.As(err, &pe) || pe.Status < 400 || pe.Status >= 500 {
		return false
	}
	return pe.Status != http.StatusTooManyRequests && !isThrottled(err)
}

func (p *plainBuckets) forBucket(ctx context.Context, s *Session, bucket string) *plainBucket {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.byBucket[bucket]; ok {
		return b
	}
	if p.byBucket == nil {
		p.byBucket = map[string]*plainBucket{}
	}
	b, err := newPlainBucket(ctx, s, bucket)
	if err != nil {
		s.Log.Debug("s3 calls to this bucket go through the SDK", "bucket", bucket, "why", err)
	}
	p.byBucket[bucket] = b
	return b
}

func (p *plainBuckets) leaveToSDK(bucket string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byBucket[bucket] = nil
}

// newPlainBucket resolves bucket's endpoint and signing as the SDK's
// object operations would. It fails for what a plain SigV4 request
// cannot do (S3 Express sessions, multi-region access points' SigV4a,
// anonymous access), which the SDK then does.
func newPlainBucket(ctx context.Context, s *Session, bucket string) (*plainBucket, error) {
	o := s.S3().Options()
	if o.Credentials == nil {
		return nil, errors.New("no credentials")
	}
	if _, anon := o.Credentials.(aws.AnonymousCredentials); anon {
		return nil, errors.New("anonymous credentials")
	}
	if o.HTTPClient == nil {
		return nil, errors.New("no HTTP client")
	}
	params := s3.EndpointParameters{
		Bucket:                         aws.String(bucket),
		Region:                         aws.String(o.Region),
		UseFIPS:                        aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack:                   aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		Endpoint:                       o.BaseEndpoint,
		ForcePathStyle:                 aws.Bool(o.UsePathStyle),
		Accelerate:                     aws.Bool(o.UseAccelerate),
		DisableMultiRegionAccessPoints: aws.Bool(o.DisableMultiRegionAccessPoints),
		UseArnRegion:                   aws.Bool(o.UseARNRegion),
		DisableS3ExpressSessionAuth:    o.DisableS3ExpressSessionAuth,
	}
	ep, err := o.EndpointResolverV2.ResolveEndpoint(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("resolve endpoint: %w", err)
	}
	b := &plainBucket{bucket: bucket, base: ep.URI, headers: ep.Headers, signingName: "s3", signingRegion: o.Region,
		creds: o.Credentials, client: o.HTTPClient}
	disableDoubleEncoding := true
	if schemes, ok := smithyauth.GetAuthOptions(&ep.Properties); ok && len(schemes) > 0 {
		scheme := schemes[0]
		// Endpoint rules name the scheme "sigv4"; the SDK's resolver
		// its smithy ID.
		if scheme.SchemeID != "sigv4" && scheme.SchemeID != smithyauth.SchemeIDSigV4 {
			return nil, fmt.Errorf("auth scheme %s", scheme.SchemeID)
		}
		if n, ok := smithyhttp.GetSigV4SigningName(&scheme.SignerProperties); ok {
			b.signingName = n
		}
		if r, ok := smithyhttp.GetSigV4SigningRegion(&scheme.SignerProperties); ok {
			b.signingRegion = r
		}
		if d, ok := smithyhttp.GetDisableDoubleEncoding(&scheme.SignerProperties); ok {
			disableDoubleEncoding = d
		}
	}
	b.signer = v4.NewSigner(func(so *v4.SignerOptions) {
		so.DisableURIPathEscaping = disableDoubleEncoding
		so.Logger, so.LogSigning = o.Logger, o.ClientLogMode.IsSigning()
	})
	return b, nil
}

// call makes one plain request to key, counted by the budget and the
// call log as the SDK's operation is, and hands a 200's response to
// read. Any other answer is a *PlainError.
func (b *plainBucket) call(ctx context.Context, s *Session, req plainRequest, read func(*http.Response) error) (err error) {
	start := s.now()
	k, waited, err := s.takeToken(ctx, "S3", req.operation)
	defer func() {
		c := Call{Time: start, Profile: s.Profile.Name, Service: "S3", Operation: req.operation,
			Resource: b.bucket, Duration: s.now().Sub(start), Result: "ok"}
		if req.query == nil {
			c.Resource += "/" + req.key
		}
		if err != nil {
			c.Result, c.Error = errorCode(err), err.Error()
		}
		s.logCall(c, k, waited)
	}()
	if err != nil {
		return err
	}
	r, err := b.request(ctx, req)
	if err != nil {
		return err
	}
	resp, err := b.client.Do(r)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.method, req.key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		pe := readS3Error(resp)
		pe.Operation = "S3 " + req.operation
		if isThrottled(pe) || pe.Status == http.StatusServiceUnavailable {
			s.Budget.Throttled(k)
		}
		return pe
	}
	return read(resp)
}

// plainRequest is one object operation's request, or with query a
// bucket operation's.
type plainRequest struct {
	operation, method, key string
	query                  url.Values
	header                 http.Header
	body                   []byte
	// payloadHash is the hex SHA-256 of body, as SigV4 signs it.
	payloadHash string
}

func (b *plainBucket) request(ctx context.Context, pr plainRequest) (*http.Request, error) {
	u := b.base
	if pr.query != nil {
		if u.Path == "" {
			u.Path = "/"
		}
		u.RawQuery = encodeQuery(pr.query)
	} else {
		u.Path = strings.TrimSuffix(b.base.Path, "/") + "/" + pr.key
		u.RawPath = strings.TrimSuffix(b.base.EscapedPath(), "/") + "/" + escapeKey(pr.key)
		// The operation's marker, as S3's model puts it in the URI.
		u.RawQuery = "x-id=" + pr.operation
	}
	var body io.Reader
	if pr.body != nil {
		body = bytes.NewReader(pr.body)
	}
	req, err := http.NewRequestWithContext(ctx, pr.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", pr.method, pr.key, err)
	}
	for name, vs := range b.headers {
		for _, v := range vs {
			req.Header.Add(name, v)
		}
	}
	for name, vs := range pr.header {
		req.Header[name] = vs
	}
	// Go's transport would otherwise ask for gzip and unzip it behind
	// the signature's back, as the SDK also prevents.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("X-Amz-Content-Sha256", pr.payloadHash)
	creds, err := b.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s %s: credentials: %w", pr.method, pr.key, err)
	}
	if err := b.signer.SignHTTP(ctx, creds, req, pr.payloadHash, b.signingName, b.signingRegion, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("%s %s: sign: %w", pr.method, pr.key, err)
	}
	return req, nil
}

// encodeQuery encodes a query as the SDK does: sorted, and with a space
// as %20 (a + in a query is a plus to S3).
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// escapeKey escapes an object key for a URL path as the SDK does for
// S3's greedy {Key+} label: everything but unreserved characters and /.
func escapeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// s3ErrorBody is what S3 answers a failed request with.
type s3ErrorBody struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// readS3Error is the error of a failed plain request: S3's code when its
// body says one, else the HTTP status.
func readS3Error(resp *http.Response) *PlainError {
	var e s3ErrorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = xml.Unmarshal(raw, &e)
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	return &PlainError{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
}

// PlainError is the answer of a request sluice made without the SDK.
type PlainError struct {
	// Operation is the service and operation ("S3 PutObject").
	Operation     string
	Status        int
	Code, Message string
}

// Error names the operation as the SDK's errors do, so that a failure
// says which call failed.
func (e *PlainError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d %s", e.Operation, e.Status, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// ErrorCode, ErrorMessage and ErrorFault make a PlainError a
// smithy.APIError, read as the SDK's errors are.
func (e *PlainError) ErrorCode() string    { return e.Code }
func (e *PlainError) ErrorMessage() string { return e.Message }
func (e *PlainError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}
