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
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrObjectTooLarge is ReadObject's answer for an object longer than
// the limit asked for.
var ErrObjectTooLarge = errors.New("object too large")

// emptyPayloadHash is the SHA-256 of an empty body, the payload hash of
// a signed GET.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// ReadObject reads an S3 object whole, at most limit bytes
// (ErrObjectTooLarge beyond). It is the archive's read of one event, the
// one call replay makes per event, so it is made cheap: a plain GET
// signed with the SDK's own signer, to the endpoint the SDK's own rules
// resolve for the bucket, through the session's connection pool, budget
// and call log. The SDK's GetObject costs about three times the CPU of
// the request itself in middleware. Anything but a 200 is asked again
// through the SDK's GetObject, whose retries, clock-skew correction and
// typed errors then answer; a bucket the plain GET failed on while the
// SDK succeeded is read through the SDK from then on, so a difference
// between the two costs one extra call, not one per event.
func (s *Session) ReadObject(ctx context.Context, bucket, key string, limit int64) ([]byte, error) {
	if r := s.objects.readerFor(ctx, s, bucket); r != nil {
		body, err := r.get(ctx, s, key, limit)
		var nsk *types.NoSuchKey
		if err == nil || errors.Is(err, ErrObjectTooLarge) || errors.As(err, &nsk) || ctx.Err() != nil {
			return body, err
		}
		body, sdkErr := s.sdkReadObject(ctx, bucket, key, limit)
		if sdkErr == nil && requestAtFault(err) {
			s.objects.giveUp(bucket, err)
		}
		return body, sdkErr
	}
	return s.sdkReadObject(ctx, bucket, key, limit)
}

func (s *Session) sdkReadObject(ctx context.Context, bucket, key string, limit int64) ([]byte, error) {
	out, err := s.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return readLimited(out.Body, aws.ToInt64(out.ContentLength), limit)
}

// requestAtFault says whether a plain GET's failure is the request's own
// (a signature, an endpoint or a clock the SDK gets right), not the
// service's or the network's passing trouble, which the next GET may not
// meet.
func requestAtFault(err error) bool {
	var pe *PlainError
	if !errors.As(err, &pe) || pe.Status < 400 || pe.Status >= 500 {
		return false
	}
	return pe.Status != http.StatusTooManyRequests && !isThrottled(err)
}

// readLimited reads body whole into a buffer sized by its announced
// length, refusing more than limit bytes.
func readLimited(body io.Reader, length, limit int64) ([]byte, error) {
	if length > limit {
		return nil, fmt.Errorf("%d bytes, over %d: %w", length, limit, ErrObjectTooLarge)
	}
	var buf bytes.Buffer
	if length > 0 {
		buf.Grow(int(length) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(body, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("over %d bytes: %w", limit, ErrObjectTooLarge)
	}
	return buf.Bytes(), nil
}

// objectReaders are a session's plain readers, one per bucket, made on
// the first read of the bucket.
type objectReaders struct {
	mu sync.Mutex
	// byBucket is nil for a bucket read only through the SDK.
	byBucket map[string]*objectReader
	// why says why a bucket is read through the SDK, for the log.
	why map[string]string
}

// objectReader is what a plain GET of one bucket's objects needs: the
// endpoint the SDK's rules give for the bucket and how to sign for it.
type objectReader struct {
	bucket        string
	base          url.URL
	headers       http.Header
	signingName   string
	signingRegion string
	signer        *v4.Signer
	creds         aws.CredentialsProvider
	client        aws.HTTPClient
}

func (o *objectReaders) readerFor(ctx context.Context, s *Session, bucket string) *objectReader {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r, ok := o.byBucket[bucket]; ok {
		return r
	}
	if o.byBucket == nil {
		o.byBucket, o.why = map[string]*objectReader{}, map[string]string{}
	}
	r, err := newObjectReader(ctx, s, bucket)
	if err != nil {
		o.why[bucket] = err.Error()
		s.Log.Debug("s3 reads through the SDK", "bucket", bucket, "why", err)
	}
	o.byBucket[bucket] = r
	return r
}

func (o *objectReaders) giveUp(bucket string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.byBucket[bucket] = nil
	o.why[bucket] = err.Error()
}

// newObjectReader resolves bucket's endpoint and signing as the SDK's
// GetObject would. It fails for what a plain SigV4 GET cannot do
// (S3 Express sessions, multi-region access points' SigV4a, anonymous
// access), which the SDK then does.
func newObjectReader(ctx context.Context, s *Session, bucket string) (*objectReader, error) {
	o := s.S3().Options()
	if o.Credentials == nil {
		return nil, errors.New("no credentials")
	}
	if _, anon := o.Credentials.(aws.AnonymousCredentials); anon {
		return nil, errors.New("anonymous credentials")
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
	r := &objectReader{bucket: bucket, base: ep.URI, headers: ep.Headers, signingName: "s3", signingRegion: o.Region,
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
			r.signingName = n
		}
		if reg, ok := smithyhttp.GetSigV4SigningRegion(&scheme.SignerProperties); ok {
			r.signingRegion = reg
		}
		if d, ok := smithyhttp.GetDisableDoubleEncoding(&scheme.SignerProperties); ok {
			disableDoubleEncoding = d
		}
	}
	if r.client == nil {
		return nil, errors.New("no HTTP client")
	}
	r.signer = v4.NewSigner(func(so *v4.SignerOptions) {
		so.DisableURIPathEscaping = disableDoubleEncoding
		so.Logger, so.LogSigning = o.Logger, o.ClientLogMode.IsSigning()
	})
	return r, nil
}

// get is one plain GET of key, counted by the budget and the call log as
// the SDK's GetObject is.
func (r *objectReader) get(ctx context.Context, s *Session, key string, limit int64) (body []byte, err error) {
	start := s.now()
	k, waited, err := s.takeToken(ctx, "S3", "GetObject")
	defer func() {
		c := Call{Time: start, Profile: s.Profile.Name, Service: "S3", Operation: "GetObject",
			Resource: r.bucket + "/" + key, Duration: s.now().Sub(start), Result: "ok"}
		if err != nil {
			c.Result, c.Error = errorCode(err), err.Error()
		}
		s.logCall(c, k, waited)
	}()
	if err != nil {
		return nil, err
	}
	req, err := r.request(ctx, key)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		pe := readS3Error(resp)
		if pe.Status == http.StatusNotFound && pe.Code == "NoSuchKey" {
			return nil, &types.NoSuchKey{Message: aws.String(pe.Message)}
		}
		if isThrottled(pe) || pe.Status == http.StatusServiceUnavailable {
			s.Budget.Throttled(k)
		}
		return nil, pe
	}
	return readLimited(resp.Body, resp.ContentLength, limit)
}

func (r *objectReader) request(ctx context.Context, key string) (*http.Request, error) {
	u := r.base
	u.Path = strings.TrimSuffix(r.base.Path, "/") + "/" + key
	u.RawPath = strings.TrimSuffix(r.base.EscapedPath(), "/") + "/" + escapeKey(key)
	// The operation's marker, as S3's model puts it in GetObject's URI.
	u.RawQuery = "x-id=GetObject"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", key, err)
	}
	for name, vs := range r.headers {
		for _, v := range vs {
			req.Header.Add(name, v)
		}
	}
	// Go's transport would otherwise ask for gzip and unzip it behind
	// the signature's back, as the SDK also prevents.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("X-Amz-Content-Sha256", emptyPayloadHash)
	creds, err := r.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("GET %s: credentials: %w", key, err)
	}
	if err := r.signer.SignHTTP(ctx, creds, req, emptyPayloadHash, r.signingName, r.signingRegion, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("GET %s: sign: %w", key, err)
	}
	return req, nil
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

// readS3Error is the error of a failed plain GET: S3's code when its
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
	Status        int
	Code, Message string
}

func (e *PlainError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
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
