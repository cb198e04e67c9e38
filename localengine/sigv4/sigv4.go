// Package sigv4 reads and checks AWS Signature Version 4 on incoming
// requests: the credential scope names the caller's region and service, and
// with strict authentication the signature is recomputed and compared.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const algorithm = "AWS4-HMAC-SHA256"

// Errors that Verify returns; the engine maps them to each service's code.
var (
	ErrMissing    = errors.New("request is not signed")
	ErrMalformed  = errors.New("authorization is malformed")
	ErrUnknownKey = errors.New("access key is not known")
	ErrMismatch   = errors.New("signature does not match")
	ErrExpired    = errors.New("signature is outside its validity window")
	// ErrQueryParams is a presigned URL whose parameters AWS refuses
	// whatever the credentials (S3's AuthorizationQueryParametersError);
	// the error's text is AWS's message.
	ErrQueryParams = errors.New("invalid presigned URL parameters")
)

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts: a week.
const MaxPresignExpiry = 604800 * time.Second

// QueryParamsError is an ErrQueryParams with AWS's message.
type QueryParamsError struct{ Message string }

func (e *QueryParamsError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrQueryParams) hold.
func (e *QueryParamsError) Is(target error) bool { return target == ErrQueryParams }

// Auth is what a request's signature says about it.
type Auth struct {
	Algorithm     string
	AccessKey     string
	Date          string // YYYYMMDD from the scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	Presigned     bool
	AmzDate       string        // X-Amz-Date, the signing time
	Expires       time.Duration // presigned URLs only
}

// Parse reads the signature from the Authorization header or, for presigned
// URLs, from the query string. It returns ErrMissing for an unsigned request.
func Parse(r *http.Request) (*Auth, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseHeader(h, r.Header.Get("X-Amz-Date"))
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return nil, ErrMissing
}

func parseHeader(h, amzDate string) (*Auth, error) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok {
		return nil, fmt.Errorf("%w: no algorithm", ErrMalformed)
	}
	a := &Auth{Algorithm: alg, AmzDate: amzDate}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			if err := a.setCredential(v); err != nil {
				return nil, err
			}
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	if a.AccessKey == "" {
		return nil, fmt.Errorf("%w: no Credential", ErrMalformed)
	}
	return a, nil
}

func parseQuery(q url.Values) (*Auth, error) {
	a := &Auth{
		Algorithm: q.Get("X-Amz-Algorithm"),
		Signature: q.Get("X-Amz-Signature"),
		AmzDate:   q.Get("X-Amz-Date"),
		Presigned: true,
	}
	if err := a.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	if sh := q.Get("X-Amz-SignedHeaders"); sh != "" {
		a.SignedHeaders = strings.Split(sh, ";")
	}
	if q.Has("X-Amz-Expires") {
		secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
		switch {
		case err != nil && errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(q.Get("X-Amz-Expires"), "-"):
			secs = math.MaxInt64
		case err != nil:
			return nil, &QueryParamsError{"X-Amz-Expires should be a number"}
		}
		if secs < 0 {
			return nil, &QueryParamsError{"X-Amz-Expires must be non-negative"}
		}
		if secs > int64(MaxPresignExpiry/time.Second) {
			return nil, &QueryParamsError{"X-Amz-Expires must be less than a week (in seconds) that is; 604800"}
		}
		a.Expires = time.Duration(secs) * time.Second
	}
	return a, nil
}

// setCredential splits KEY/DATE/REGION/SERVICE/aws4_request. SigV4a scopes
// have no region (KEY/DATE/SERVICE/aws4_request); their region stays empty.
func (a *Auth) setCredential(v string) error {
	parts := strings.Split(v, "/")
	switch {
	case len(parts) == 5 && parts[4] == "aws4_request":
		a.AccessKey, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	case len(parts) == 4 && parts[3] == "aws4_request":
		a.AccessKey, a.Date, a.Service = parts[0], parts[1], parts[2]
	default:
		return fmt.Errorf("%w: credential scope %q", ErrMalformed, v)
	}
	if a.AccessKey == "" {
		return fmt.Errorf("%w: empty access key", ErrMalformed)
	}
	return nil
}

// Credentials are the one key pair a strict engine accepts.
type Credentials struct {
	AccessKey string
	Secret    string
}

// MaxSkew is how far a header-signed request's time may be from the
// engine's clock, as AWS allows.
const MaxSkew = 15 * time.Minute

// Verify recomputes the signature of r with creds and compares it.
// payloadHash is the hex SHA-256 of the body, or the x-amz-content-sha256
// value (such as UNSIGNED-PAYLOAD) the client signed instead.
func Verify(r *http.Request, a *Auth, creds Credentials, payloadHash string, now time.Time) error {
	if a.Algorithm != algorithm {
		return fmt.Errorf("%w: algorithm %q", ErrMalformed, a.Algorithm)
	}
	if a.AccessKey != creds.AccessKey {
		return ErrUnknownKey
	}
	signedAt, err := time.Parse("20060102T150405Z", a.AmzDate)
	if err != nil {
		return fmt.Errorf("%w: X-Amz-Date %q", ErrMalformed, a.AmzDate)
	}
	if a.Presigned {
		if now.Before(signedAt.Add(-MaxSkew)) || now.After(signedAt.Add(a.Expires)) {
			return ErrExpired
		}
	} else if d := now.Sub(signedAt); d > MaxSkew || d < -MaxSkew {
		return ErrExpired
	}
	want := Signature(r, a, creds.Secret, payloadHash)
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return ErrMismatch
	}
	return nil
}

// Signature computes the signature a client with secret would have sent.
func Signature(r *http.Request, a *Auth, secret, payloadHash string) string {
	scope := a.scope()
	canonical := CanonicalRequest(r, a, payloadHash)
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := algorithm + "\n" + a.AmzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(hmacSHA256(signingKey(a, secret), stringToSign))
}

func (a *Auth) scope() string {
	return strings.Join([]string{a.Date, a.Region, a.Service, "aws4_request"}, "/")
}

func signingKey(a *Auth, secret string) []byte {
	key := hmacSHA256([]byte("AWS4"+secret), a.Date)
	key = hmacSHA256(key, a.Region)
	key = hmacSHA256(key, a.Service)
	return hmacSHA256(key, "aws4_request")
}

// CanonicalRequest builds the SigV4 canonical request of r.
func CanonicalRequest(r *http.Request, a *Auth, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r, a.Service))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, a.Presigned))
	b.WriteByte('\n')
	for _, name := range a.SignedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(a.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the path as the client sent it; every service but S3
// escapes it a second time.
func canonicalURI(r *http.Request, service string) string {
	path := r.URL.EscapedPath()
	if raw, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(raw, "/") {
		path = raw
	}
	if path == "" {
		path = "/"
	}
	if service == "s3" {
		return path
	}
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}
	return strings.Join(segments, "/")
}

func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{escape(k), escape(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return fmt.Sprint(r.ContentLength)
	}
	values := r.Header.Values(name)
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

// escape is RFC 3986 percent-encoding with only unreserved characters kept.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
