package backend

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// DefaultConnections is how many connections to one host a session keeps
// open for reuse when Env.Connections does not say. Go's default is 2: a
// bulk replay with 32 events in flight then opens a new connection for
// most calls (on AWS each is a TLS handshake), thousands for a few
// thousand events.
const DefaultConnections = 64

// pooledClient is the session's HTTP client: the SDK's own when loading
// the AWS config built one (it may carry a CA bundle), else a new one,
// either way keeping up to conns idle connections per host.
func pooledClient(have aws.HTTPClient, conns int) aws.HTTPClient {
	if conns <= 0 {
		conns = DefaultConnections
	}
	size := func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = conns
		tr.MaxIdleConns = max(tr.MaxIdleConns, 2*conns)
	}
	if b, ok := have.(*awshttp.BuildableClient); ok {
		return b.WithTransportOptions(size)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	size(tr)
	return &http.Client{Timeout: 2 * time.Minute, Transport: tr}
}
