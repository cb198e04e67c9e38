package enginetest

import (
	"io"
	"net/http"
)

// HTTPClient is the HTTP client test SDK clients use. It works around a
// client-side race between the SDK and net/http: smithy-go closes a
// request's body as soon as the response headers arrive, while the
// transport may still be finishing the body; smithy's body then answers
// WriteTo with an error, and the transport closes the connection under the
// response being read, so large answers (GetRecords) fail now and then with
// "use of closed network connection". Hiding WriteTo makes the late read a
// plain EOF. The server is not involved; the same happens against AWS
// (aws/aws-sdk-go-v2#2737, where the SDK's answer is to retry
// net.ErrClosed, which test clients turn off).
func HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: readOnlyBodies{tr}}
}

type readOnlyBodies struct{ base http.RoundTripper }

func (r readOnlyBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		clone := *req
		clone.Body = struct{ io.ReadCloser }{req.Body}
		req = &clone
	}
	return r.base.RoundTrip(req)
}
